"""Plain-language query expansion from corpus/thesaurus.yaml.

Officials and residents describe problems in everyday words (お年寄り, 田舎,
路線バスが廃止); the document speaks in administrative terms (高齢者, 地方,
交通空白). An entry whose plain phrase occurs in the query adds its terms to
the query. Expansions are returned so a result can say why it matched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Expansion:
    plain: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Thesaurus:
    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    def expand(self, query: str) -> list[Expansion]:
        q = unicodedata.normalize("NFKC", query)
        out = []
        for plains, terms in self.entries:
            hit = next((p for p in plains if unicodedata.normalize("NFKC", p) in q), None)
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

