"""Descriptive analysis of a project: who talked how much, how often each code was used (as
counts and rates), the MITI 4.2.1 summary scores, retrieval of coded segments by a query, and
code co-occurrence.

Domain code: it reads the project through its methods and never touches SQL, Textual or click.
"""

from .cooccurrence import MODES, Cooccurrence, cooccurrence
from .frequencies import code_frequencies
from .load import Coded, load_coded
from .miti import miti_scores
from .retrieval import Query, QueryError, Segment, parse_query, retrieve
from .speakers import talk

__all__ = ["MODES", "Coded", "Cooccurrence", "Query", "QueryError", "Segment", "code_frequencies", "cooccurrence", "load_coded",
           "miti_scores", "parse_query", "retrieve", "talk"]
