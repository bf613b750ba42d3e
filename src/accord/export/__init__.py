"""Exports for papers, supervision and statistics: Word documents (python-docx) and CSV.

Every export reads the project through `select.Selection`, so the filters (codes, coders,
transcripts, speaker) and `--pseudonymise` mean the same in every output.
"""
