"""One coder working through one transcript, without a terminal: the session (what they
may see and do), selections snapped to words and utterances, the walk through pending
suggestions, and when their decisions retrain the suggestions. The coding screen draws
these and binds keys to them."""

from .session import CodingSession

__all__ = ["CodingSession"]
