"""Rupture-repair sequences: episodes (a rupture and the repair that resolves it), their
summaries and agreement between coders, and lag-sequential analysis of coded utterances.

Domain code: it reads the project through its methods and never touches SQL, Textual or click.
"""

from .episodes import Episode, Marker, episode_agreement, find_episodes, project_episodes, summarize
from .lag import LagTable, event_sequences, lag_table
from .sdis import to_sdis

__all__ = ["Episode", "Marker", "LagTable", "episode_agreement", "event_sequences", "find_episodes", "lag_table",
           "project_episodes", "summarize", "to_sdis"]
