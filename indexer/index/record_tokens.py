"""Each record's Sudachi tokens, kept by the regional build for the result pages.

A result page highlights the query's words in every record it shows, from the record's Sudachi
tokens (indexer.text.analysis.analyze). Analysed at the page, a record the process has not shown
before cost ≈ 0.3–1 ms of the request's CPU, ten per page: over all laws the 21 statutes' articles
on a page were ≈ 4 of a keyword search's ≈ 19 ms (docs/scaling.md, profile_scale). The tokens
depend on the text and the analysis only, and the build analyses every text anyway, so it keeps
them (`RecordTokensWriter`, fed by the keyword writer's analysis) and the server slices them (`RecordTokens.tokens`). An index built
before this module has none: its pages analyse as before.

Files, in the collection's tokens/ directory (memory-mapped, ≈ 3 bytes of disk per character):
  terms.json     the distinct terms, in order of their number
  rows.npy       int32 (token, 4): term number, start, end (offsets into the record's text), mode (0 A, 1 C)
  offsets.npy    int64 (records + 1): record n's tokens are rows offsets[n]:offsets[n+1]
  ids.json       the records' ids, in the order of offsets
Within a record the rows keep analyze's order: its A tokens, then its C tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from indexer.text.analysis import Token

__all__ = ["TOKENS_DIR", "RecordTokens", "RecordTokensWriter"]

TOKENS_DIR = "tokens"
_MODES = ("A", "C")


class RecordTokensWriter:
    """Collects each record's tokens as the build analyses it (indexer.index.keyword_writer hands over
    every body it analyses: one analysis serves the keyword index and the pages), then writes `path`."""

    def __init__(self, path: Path):
        self.path = path
        self._term_no: dict[str, int] = {}
        self._ids: list[str] = []
        self._offsets = [0]
        self._rows: list[tuple[int, int, int, int]] = []

    def add(self, rid: str, tokens: Iterable[Token]) -> None:
        term_no = self._term_no
        self._ids.append(rid)
        self._rows.extend((term_no.setdefault(t.term, len(term_no)), t.start, t.end, _MODES.index(t.mode))
                          for t in tokens)
        self._offsets.append(len(self._rows))

    def finish(self) -> int:
        """Write the files; returns the number of tokens kept."""
        path = self.path
        path.mkdir(parents=True, exist_ok=True)
        (path / "terms.json").write_text(json.dumps(list(self._term_no), ensure_ascii=False), encoding="utf-8")
        (path / "ids.json").write_text(json.dumps(self._ids, ensure_ascii=False), encoding="utf-8")
        np.save(path / "rows.npy", np.array(self._rows, dtype=np.int32).reshape(-1, 4))
        np.save(path / "offsets.npy", np.array(self._offsets, dtype=np.int64))
        return len(self._rows)


class RecordTokens:
    """The build's tokens of a collection's records, read from `path` (RecordTokensWriter)."""

    def __init__(self, path: Path):
        self.terms: list[str] = json.loads((path / "terms.json").read_text(encoding="utf-8"))
        ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
        self._rows = np.load(path / "rows.npy", mmap_mode="r")
        self._offsets = np.load(path / "offsets.npy")
        if len(self._offsets) != len(ids) + 1 or int(self._offsets[-1]) != len(self._rows):
            raise ValueError(f"{path}: {len(self._rows)} token rows, {len(ids)} records, "
                             f"offsets for {len(self._offsets) - 1}")
        self._ordinal = {rid: n for n, rid in enumerate(ids)}

    @classmethod
    def open(cls, path: Path) -> RecordTokens | None:
        """The tokens in `path`; None when the build kept none (an index built before them)."""
        return cls(path) if (path / "offsets.npy").exists() else None

    def __contains__(self, rid: str) -> bool:
        return rid in self._ordinal

    def tokens(self, rid: str, text: str, window: tuple[int, int] | None = None) -> list[Token]:
        """The tokens of record `rid` (whose text is `text`), as analyze(text) gives them; with
        `window` (start, end), only the tokens wholly inside those offsets."""
        n = self._ordinal[rid]
        rows = self._rows[self._offsets[n]:self._offsets[n + 1]]
        if window is not None:
            rows = rows[(rows[:, 1] >= window[0]) & (rows[:, 2] <= window[1])]
        terms, new = self.terms, tuple.__new__
        # tuple.__new__, not Token(...): the NamedTuple's constructor is a Python call per token.
        return [new(Token, (terms[t], text[s:e], s, e, _MODES[m])) for t, s, e, m in rows.tolist()]
