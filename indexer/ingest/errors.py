"""Why a document cannot be ingested: one exception per reason, each a one-line message naming the file.

Kept apart from indexer/errors.py (being restructured as this is written) so that ingest can be
merged first; `IngestError` is meant to become a `PolicykbError` subclass (status 400, exit 2)
once that module settles. The message is English with the Japanese term where a Japanese
official would look for it, e.g. 「テキスト層がありません」 for a scanned PDF.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file that cannot be read as a document; `str()` is one line that names the file."""

    reason: str = "cannot be ingested"

    def __init__(self, path: str | Path, detail: str = ""):
        self.path = Path(path)
        self.detail = " ".join(detail.split())  # one line, whatever the cause said
        super().__init__(f"{self.path}: {self.reason}" + (f" ({self.detail})" if self.detail else ""))


class NotAPdf(IngestError):
    reason = "not a PDF file (no %PDF- signature)"


class DamagedPdf(IngestError):
    reason = "PDF cannot be opened (damaged or encrypted)"


class NoTextLayer(IngestError):
    reason = "PDF has no text layer (テキスト層がありません: a scanned image? run OCR first)"


class EmptyDocument(IngestError):
    reason = "document is empty (本文がありません)"


class UnsupportedFormat(IngestError):
    reason = "not a PDF, UTF-8 or Shift_JIS text file"


class RefusedInput(IngestError):
    """A path not read at all (a symbolic link, a device, over a size limit…): the reason says which."""

    def __init__(self, path: str | Path, reason: str):
        self.reason = " ".join(reason.split())
        super().__init__(path)
