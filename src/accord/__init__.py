"""accord: keyboard-first qualitative coding of psychotherapy and interview transcripts."""

__version__ = "0.1.0"
