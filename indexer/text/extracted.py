"""The text of one ingested document, whatever its format, with the page each character came from."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ExtractedText:
    """Text ready for passage splitting.

    `page_starts[i]` is the offset in `text` where page i+1 begins (PDF only; empty for text
    files). A page that contributed no text starts where the next one does, so `page_at`
    names the page that really holds the character.
    """

    path: Path
    text: str
    format: str  # "pdf" | "text" | "markdown"
    encoding: str | None = None  # for text files: "utf-8", "utf-8-sig" or "cp932"
    page_starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """1-based page of the character at `offset`, or None for a document without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))
