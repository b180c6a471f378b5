"""Plain-language query expansion from corpus/thesaurus.yaml.

Officials and residents describe problems in everyday words (お年寄り, 田舎,
路線バスが廃止); the document speaks in administrative terms (高齢者, 地方,
交通空白). An entry whose plain phrase occurs in the query adds its terms to
the query. Expansions are returned so a result can say why it matched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Expansion:
    plain: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Thesaurus:
    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    #: Each entry's plain phrases in NFKC, normalised once here rather than on every query.
    _plain_nfkc: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plain_nfkc", tuple(tuple(unicodedata.normalize("NFKC", p) for p in plains)
                                                      for plains, _ in self.entries))

    def expand(self, query: str) -> list[Expansion]:
        q = unicodedata.normalize("NFKC", query)
        out = []
        for (plains, terms), normalised in zip(self.entries, self._plain_nfkc):
            hit = next((p for p, n in zip(plains, normalised) if n in q), None)
            if hit is not None:
                out.append(Expansion(hit, terms))
        return out


EMPTY = Thesaurus(())


def load_thesaurus(path: Path) -> Thesaurus:
    if not path.exists():
        return EMPTY
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for i, e in enumerate(data.get("entries", [])):
        plains, terms = e.get("plain"), e.get("terms")
        if not plains or not terms:
            raise ValueError(f"{path}: entry {i + 1}: needs non-empty 'plain' and 'terms' lists")
        entries.append((tuple(str(p) for p in plains), tuple(str(t) for t in terms)))
    return Thesaurus(tuple(entries))

