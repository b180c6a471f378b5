"""Ingest: PDF, plain text and Markdown documents into text with page numbers, then into passages.

`read_document(path)` detects the format by content and returns an `ExtractedText`;
`split_passages(doc)` cuts it into short passages under their heading path. Errors are
`IngestError` subclasses whose message is one line naming the file.
"""

from indexer.ingest.errors import (
    DamagedPdf,
    EmptyDocument,
    IngestError,
    NoTextLayer,
    NotAPdf,
    UnsupportedFormat,
)
from indexer.text.extracted import ExtractedText
from indexer.ingest.formats import read_document
from indexer.text.passages import Passage, split_passages
from indexer.ingest.pdf_text import extract_pdf_text

__all__ = [
    "DamagedPdf",
    "EmptyDocument",
    "ExtractedText",
    "IngestError",
    "NoTextLayer",
    "NotAPdf",
    "Passage",
    "UnsupportedFormat",
    "extract_pdf_text",
    "read_document",
    "split_passages",
]
