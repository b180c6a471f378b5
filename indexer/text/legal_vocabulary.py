"""Legal vocabulary for the query side: plain words → the terms statutes use (issue 19).

Three general sources, each giving `Expansion`s that the plan adds to the thesaurus's, so that a
result's reasons say 「借金 → 地方債」 as they do for the thesaurus:

* SudachiDict's synonym dictionary (data/sudachi-synonyms.txt, Apache-2.0, the file that
  analysis-sudachi's synonym filter reads): a word of the query that the statutes hardly use
  (fewer than PLAIN_MAX times) gains the members of its synonym groups that the statutes do use
  (at least STATUTE_MIN times), the most used first, at most PER_WORD of them (届け出 → 申請).
  Groups are read as the dictionary documents them: a 削除 line (flag 2 = 2) is skipped, and a
  headword flagged "not a trigger" (flag 2 = 1) is added but never expands.
* The statutes' own definitions, parsed as data (indexer.text.definitions, the reader basis shares)
  from the articles held in memory:
  「この法律において「空家等」とは、建築物…であって居住その他の使用がなされていないことが常態で
  あるもの…をいう」. A query that holds at least DEFINITION_MIN content words of a definition, and
  at least DEFINITION_SHARE of them, gains the term it defines. (The abbreviations 「…（以下「X」
  という。）」 were tried too: their long phrases are statute language already, and words as general
  as 地域・計画 tied every query to dozens of them.)
* data/legal_terms.yaml: the few pairs where the statute word is not a synonym of the everyday one
  but names the legal instrument (借金 → 地方債・起債), as issue 19 lists them.

"The statutes" are the articles a collection holds in memory (the 21 regional statutes): their
text, joined, is what `str.count` looks words up in. Nothing here is written into an index, so the
vocabulary can change without making any build stale.
"""

from __future__ import annotations

import csv
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.text.analysis import Token, analyze
from indexer.text.definitions import TOHA, read_definitions
from indexer.text.thesaurus import Expansion, load_thesaurus

DATA = Path(__file__).resolve().parent / "data"
SYNONYMS = DATA / "sudachi-synonyms.txt"
LEGAL_TERMS = DATA / "legal_terms.yaml"

PLAIN_MAX = 3       # a query word used fewer times than this in the statutes is plain language
STATUTE_MIN = 3     # a synonym used at least this often in the statutes is a statute term
PER_WORD = 3        # statute terms added per plain word
DEFINITION_MIN = 2  # content words a query shares with a definition before it gains the defined term
DEFINITION_SHARE = 0.5  # …and the share of the definition's content words they are

# Words too general to tie a query to one definition (they are in most of them).
_GENERAL = frozenset("法律 規定 政令 省令 場合 もの こと 事項 ため 地方公共団体 普通地方公共団体 国 者 前項 次 号 条 項 "
                     "同条 同項 各号 掲げる 定める 基づく 関する 係る 除く 含む 当該 その他 行う する ある いう".split())


@dataclass(frozen=True)
class Definition:
    term: str                    # the defined term, 「空家等」
    words: frozenset[str]        # the content words of what defines it
    source: str                  # the article's title


def read_synonyms(path: Path = SYNONYMS) -> dict[str, list[tuple[str, ...]]]:
    """headword → the groups it triggers (each group: its other usable headwords)."""
    groups: dict[str, list[tuple[str, bool]]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 9 or not row[8]:
                continue
            if row[2] == "2":
                continue  # a deleted word, kept by the dictionary only so it is not added again
            if row[1] == "2":
                continue  # 用言 (verbs, adjectives): 違う → 異なる says nothing of a statute's terms
            groups.setdefault(row[0], []).append((row[8], row[2] != "1"))
    out: dict[str, list[tuple[str, ...]]] = {}
    for members in groups.values():
        words = tuple(dict.fromkeys(w for w, _ in members))
        for w, trigger in members:
            if trigger:
                out.setdefault(w, []).append(tuple(x for x in words if x != w))
    return out


def parse_definitions(articles: Iterable[tuple[str, str]]) -> list[Definition]:
    """Definitions of (title, text) articles: 「X」とは、…をいう."""
    out: list[Definition] = []
    for title, text in articles:
        for d in read_definitions(text, (TOHA,), normalize=False):
            term, body = d.term, d.body
            words = frozenset(t.term for t in analyze(body, "C") if len(t.term) >= 2 and t.term not in _GENERAL)
            if len(words) >= DEFINITION_MIN:
                out.append(Definition(term, words, title))
    return out


@dataclass
class LegalVocabulary:
    """Plain words of a query → statute terms, from the three sources above."""

    statute_text: str
    definitions: list[Definition] = field(default_factory=list)
    pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    #: The synonym file, read by `warm` (the server's start) or else on the first question (≈0.5 s).
    synonyms_path: Path | None = SYNONYMS
    _synonyms: dict[str, list[tuple[str, ...]]] | None = field(default=None, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_articles(cls, articles: list[tuple[str, str]]) -> "LegalVocabulary":
        """The vocabulary over (title, text) articles, with the shipped synonyms and pairs."""
        text = unicodedata.normalize("NFKC", "\n".join(t for _, t in articles))
        return cls(text, parse_definitions(articles), load_thesaurus(LEGAL_TERMS).entries)

    @property
    def synonyms(self) -> dict[str, list[tuple[str, ...]]]:
        if self._synonyms is None:
            with self._lock:
                if self._synonyms is None:
                    self._synonyms = read_synonyms(self.synonyms_path) if self.synonyms_path else {}
        return self._synonyms

    def warm(self) -> None:
        """Read the synonym file now, so that no visitor's question waits for it."""
        _ = self.synonyms

    def uses(self, word: str) -> int:
        """How many times the statutes use `word` (as written, NFKC)."""
        got = self._counts.get(word)
        if got is None:
            got = self._counts[word] = self.statute_text.count(unicodedata.normalize("NFKC", word)) if word else 0
        return got

    def expand(self, query: str, tokens: tuple[Token, ...], known: Iterable[str] = ()) -> list[Expansion]:
        """Expansions for the query; `known`: terms the plan has already (the query's, the thesaurus's)."""
        if not self.statute_text:
            return []
        q = unicodedata.normalize("NFKC", query)
        have = set(known) | {t.term for t in tokens} | {t.surface for t in tokens}
        content = [t for t in tokens if t.mode == "C"]
        out: list[Expansion] = []

        def add(plain: str, terms: Iterable[str]) -> None:
            new = tuple(t for t in dict.fromkeys(terms) if t not in have and t not in q)
            if new:
                have.update(new)
                out.append(Expansion(plain, new))

        surfaces = {t.surface for t in content}
        lemmas = {t.term for t in content}
        for plains, terms in self.pairs:
            # A one-character word (村) is a whole word of the query, not part of 山村; a verb matches
            # in any form (借りる: お金を借りて, 借りられるのか — Sudachi's dictionary form of the word).
            hit = next((p for p in plains if (p in surfaces if len(p) == 1 else p in q or p in lemmas)), None)
            if hit is not None:
                add(hit, terms)
        synonyms = self.synonyms
        for t in content:
            # The groups first: a word the dictionary has no group for expands to nothing whatever its
            # count, so the statutes are only scanned (≈ 0.8 ms a word) for the dictionary's words, and
            # the counts kept are bounded by its headwords, not by what clients send.
            groups = synonyms.get(t.surface, []) + synonyms.get(t.term, [])
            if len(t.surface) < 2 or not groups or self.uses(t.surface) >= PLAIN_MAX:
                continue
            members = {m for group in groups for m in group if len(m) >= 2 and not m.isascii()}
            used = sorted(((self.uses(m), m) for m in members), key=lambda x: (-x[0], x[1]))
            add(t.surface, [m for n, m in used if n >= STATUTE_MIN][:PER_WORD])
        terms = {t.term for t in content}
        for d in self.definitions:
            shared = d.words & terms
            if len(shared) >= DEFINITION_MIN and len(shared) >= DEFINITION_SHARE * len(d.words):
                add("・".join(sorted(t.surface for t in content if t.term in shared)), [d.term])
        return out
