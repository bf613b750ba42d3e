"""Kept so `from accord.coding_session import CodingSession` goes on working: the class
lives in `accord.coding.session`, next to the selection, suggestion-walk and retrain logic
the coding screen uses."""

from .coding.session import CodingSession

__all__ = ["CodingSession"]
