"""Source documents: their metadata, their text, and locating quotes in them.

Quotes are compared after NFKC and with all whitespace removed, because the
extracted slide text breaks lines inside words (移り\\n住む) and mixes widths
(ｲﾉﾍﾞｰｼｮﾝ / イノベーション). Offsets always point into the original text.

Pages: a text extracted page by page separates pages with a form feed (as
pdftotext does); `page_of` counts them. The seed document's text has no page
separators (its slide numbers are printed on three slides only: 13, 15, 38), so
its pages are unknown and citations give the section alone rather than a
guessed slide number.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from indexer.text.normalize import nfkc_with_offsets, normalize_for_match


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    parent: str | None


@dataclass
class Source:
    """One source document and its section outline."""

    id: str
    path: Path
    title: str
    short_title: str
    publisher: str
    date: str
    sha256: str
    # The official publication this text was taken from, when it is online.
    url: str | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def _normalized(self) -> tuple[str, list[int]]:
        """Normalised text and, per normalised char, its original offset."""
        return nfkc_with_offsets(self.text, "drop")

    def find_all(self, quote: str) -> list[tuple[int, int]]:
        """Every (start, end) span of the original text matching `quote`."""
        norm, origin = self._normalized
        needle = normalize_for_match(quote)
        if not needle:
            return []
        spans = []
        pos = norm.find(needle)
        while pos >= 0:
            end = origin[pos + len(needle) - 1] + 1
            spans.append((origin[pos], end))
            pos = norm.find(needle, pos + 1)
        return spans

    def span_matches(self, quote: str, start: int, end: int) -> bool:
        if not (0 <= start < end <= len(self.text)):
            return False
        return normalize_for_match(self.text[start:end]) == normalize_for_match(quote)

    def section_path(self, section_id: str) -> list[Section]:
        """The section and its ancestors, outermost first."""
        path = []
        sid: str | None = section_id
        while sid is not None:
            sec = self.sections[sid]
            path.append(sec)
            sid = sec.parent
        return list(reversed(path))

    @cached_property
    def page_starts(self) -> list[int]:
        """Offsets where each page begins; empty when the text has no page separators."""
        if "\f" not in self.text:
            return []
        return [0] + [m + 1 for m in range(len(self.text)) if self.text[m] == "\f"]

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding `offset`, or None when the source has no page separators."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)

    def verify_checksum(self) -> bool:
        return hashlib.sha256(self.path.read_bytes()).hexdigest() == self.sha256


def _walk_outline(items: list[dict], parent: str | None, out: dict[str, Section]) -> None:
    for item in items:
        out[item["id"]] = Section(item["id"], item["label"], parent)
        _walk_outline(item.get("children", []), item["id"], out)


def load_source(meta_path: Path) -> Source:
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    sections: dict[str, Section] = {}
    _walk_outline(meta.get("outline", []), None, sections)
    return Source(
        id=meta["id"],
        path=meta_path.parent / meta["file"],
        title=meta["title"],
        short_title=meta.get("short_title", meta["title"]),
        publisher=meta["publisher"],
        date=str(meta["date"]),
        sha256=meta["sha256"],
        url=meta.get("url"),
        sections=sections,
        meta=meta,
    )


def load_sources(sources_dir: Path) -> dict[str, Source]:
    return {s.id: s for s in (load_source(p) for p in sorted(sources_dir.glob("*.yaml")))}
