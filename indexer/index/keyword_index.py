"""BM25 keyword index over Sudachi terms, in tantivy: the reader.

tantivy's default tokenizer drops Japanese, so documents are indexed as
space-joined Sudachi terms through a whitespace+lowercase analyzer
(indexer.index.keyword_format; written by indexer.index.keyword_writer). User input
never reaches tantivy's query parser: queries are built from terms, so quotes,
parentheses, `field:` and `*` are just characters.
"""

from __future__ import annotations

import json
import threading
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Protocol

import numpy as np
import tantivy

from indexer.index.keyword_format import ANALYZER, register_analyzer
from indexer.lru import BoundedCache
from indexer.text.analysis import Token

__all__ = ["ANALYZER", "TEXT_FIELDS", "FilterSpec", "KeywordIndex", "term_clauses", "text_query"]

#: Query boosts of the analysed fields (keyword_format.FIELDS, same names).
TEXT_FIELDS = {"title": 3.0, "body": 1.0, "context": 0.5}
PHRASE_BOOST = 2.0
EXPANSION_BOOST = 0.5
#: A query's numerals bound to a word (QueryPlan.bound_words) searched as phrases: the first ones. Each
#: is a phrase per field and mode; over all laws a 1,000-character query of 12 such pairs took 99–112 ms
#: of CPU with all of them, 60–61 ms with 4, and 49–53 ms searching the numerals as terms (before); a
#: question rarely holds more than two.
BOUND_PHRASES = 4
#: tantivy queries kept, by the query's tokens (a query plan asked again: the next page, a facet
#: clicked). Building one is a Python call per term, field and mode: about as long as tantivy's
#: whole search of 3,530 records (scripts/profile_search).
QUERY_CACHE = 512


class FilterSpec(Protocol):
    """What the index needs of a filter (indexer.search.filters.Filters provides it)."""

    def terms(self) -> dict[str, tuple]: ...

    def ranges(self) -> dict[str, tuple[int | None, int | None]]: ...


def term_clauses(schema: tantivy.Schema, terms: dict[str, tuple]) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """One Must clause per set facet: any of its values (OR inside a facet, AND across facets)."""
    clauses = []
    for name, values in terms.items():
        options = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, name, v)) for v in values]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(options)))
    return clauses


def _may_match(searcher: tantivy.Searcher | None, phrase: tantivy.Query) -> bool:
    """Whether a phrase clause is worth adding: it matches a document of `searcher` (without one,
    it is kept)."""
    return searcher is None or bool(searcher.search(phrase, limit=1, count=False).hits)


def text_query(schema: tantivy.Schema, query_tokens: list[Token], extra_tokens: list[Token] = (),
               searcher: tantivy.Searcher | None = None,
               bound: tuple[tuple[str, str], ...] = ()) -> tantivy.Query | None:
    """Term and phrase clauses for the query; `extra_tokens` (thesaurus expansions) add weaker terms only;
    `bound` (QueryPlan.bound_words: 二 → 地域 of 二地域居住) adds each pair as a two-word phrase, in place
    of the numeral alone (the plan leaves it out of the tokens: as a term it matched every 第二条).
    Shared by the regional index and the large collections (indexer.index.collection).

    With `searcher`, a phrase clause that matches no document there is left out. Such a clause adds
    nothing to any document's score (tantivy sums the clauses a document matches, with no
    coordination factor), so the hits and their scores are the same, bit for bit; but it made tantivy
    intersect every word's positions under a union of 60 term lists. Over all laws (631,263 units,
    111 statute questions) only 20 of 444 phrase clauses match anything; leaving the others out took
    the search from p50 5.0 / p95 17.2 ms to 3.2 / 9.5 ms, the checks 0.3 ms (one limit-1 search each).
    """
    should: list[tuple[tantivy.Occur, tantivy.Query]] = []
    extra = list(dict.fromkeys(t.term.replace(" ", "_") for t in extra_tokens if t.mode == "C"))
    for field, boost in TEXT_FIELDS.items():
        for term in extra:
            q = tantivy.Query.term_query(schema, f"{field}_c", term)
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost * EXPANSION_BOOST)))
    for mode in "AC":
        words = [t.term.replace(" ", "_") for t in query_tokens if t.mode == mode]
        for field, boost in TEXT_FIELDS.items():
            fname = f"{field}_{mode.lower()}"
            for term in dict.fromkeys(words):
                q = tantivy.Query.term_query(schema, fname, term)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost)))
            for pair in bound[:BOUND_PHRASES]:
                q = tantivy.Query.phrase_query(schema, fname, [w.replace(" ", "_") for w in pair])
                if _may_match(searcher, q):
                    should.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost)))
            if len(words) > 1 and field != "context":
                phrase = tantivy.Query.phrase_query(schema, fname, words, slop=1)
                if _may_match(searcher, phrase):
                    should.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, boost * PHRASE_BOOST)))
    if not should:
        return None
    return tantivy.Query.boolean_query(should)


class KeywordIndex:
    def __init__(self, path: Path):
        self.index = tantivy.Index.open(str(path))
        register_analyzer(self.index)
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.record_terms: dict[str, dict[str, list[str]]] = json.loads((path / "terms.json").read_text(encoding="utf-8"))
        self._term_sets = {rid: {f: set(ts) for f, ts in fields.items()} for rid, fields in self.record_terms.items()}
        self._all_terms = {rid: set().union(*fields.values()) for rid, fields in self._term_sets.items()}
        self._vocabulary = set().union(*self._all_terms.values()) if self._all_terms else set()
        # A hit's address → its record id, read once here: fetching each hit's stored document
        # (Searcher.doc) cost more than tantivy's whole search (scripts/profile_search). A list per
        # segment, indexed by document number: a list index is cheaper than a dict lookup per hit.
        every = tantivy.Query.all_query()
        found = [(a.segment_ord, a.doc, self.searcher.doc(a)["id"][0])
                 for _, a in self.searcher.search(every, limit=max(1, self.searcher.num_docs), count=False).hits]
        self._ids: list[list[str | None]] = [[None] * (1 + max((d for s, d, _ in found if s == seg), default=0))
                                             for seg in range(self.searcher.num_segments)]
        for seg, doc, rid in found:
            self._ids[seg][doc] = rid
        #: Every record id once, and its place there: the ordinals numpy counts over. With one segment
        #: (what a build writes) a record's ordinal is its tantivy document number, so a search's hits
        #: bring their ordinals with them (search_ordinals) and no id is looked up to find one.
        self._rids: list[str | None] = self._ids[0] if len(self._ids) == 1 else list(self._term_sets)
        self._ordinal: dict[str, int] = {rid: n for n, rid in enumerate(self._rids) if rid is not None}
        self._queries: BoundedCache[tantivy.Query | None] = BoundedCache(QUERY_CACHE)
        # A term → the records that hold it, in any field (≈ 0.1 s and ≈ 10 MB for 3,530 records):
        # a hit's share of the query's concepts is then a set operation per concept, not a loop
        # over the hits; made on the first search, so `show` and the record pages do not pay for it.
        self._holders: dict[str, np.ndarray] | None = None
        self._holders_lock = threading.Lock()

    def knows(self, term: str) -> bool:
        """Whether any record holds the term in any field."""
        return term in self._vocabulary

    def contains_any(self, record_id: str, tokens: list[Token]) -> bool:
        return any(t.term in self._all_terms.get(record_id, ()) for t in tokens)

    def _filter_clauses(self, filters: FilterSpec) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The facets' clauses (term_clauses) and one Must range clause per set range."""
        clauses = term_clauses(self.schema, filters.terms())
        for name, (lo, hi) in filters.ranges().items():
            q = tantivy.Query.range_query(self.schema, name, tantivy.FieldType.Integer, lo, hi, use_inverted_index=True)
            clauses.append((tantivy.Occur.Must, q))
        return clauses

    def _text_query(self, query_tokens: list[Token], extra_tokens: list[Token],
                    bound: tuple[tuple[str, str], ...] = ()) -> tantivy.Query | None:
        """text_query, kept by the tokens (bounded, least recently used out): a tantivy Query is immutable."""
        return self._queries.get((tuple(query_tokens), tuple(extra_tokens), bound),
                                 lambda: text_query(self.schema, query_tokens, extra_tokens, bound=bound))

    def _hits(self, query_tokens: list[Token], filters: FilterSpec, limit: int, extra_tokens: list[Token],
              bound: tuple[tuple[str, str], ...] = ()) -> list:
        text = self._text_query(query_tokens, extra_tokens, bound)
        if text is None:
            return []
        clauses = self._filter_clauses(filters)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *clauses]) if clauses else text
        return self.searcher.search(query, limit=limit, count=False).hits

    def search(self, query_tokens: list[Token], filters: FilterSpec, limit: int = 200,
               extra_tokens: list[Token] = (), bound: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, float]]:
        return self.search_ordinals(query_tokens, filters, limit, extra_tokens, bound)[0]

    def search_ordinals(self, query_tokens: list[Token], filters: FilterSpec, limit: int = 200,
                        extra_tokens: list[Token] = (),
                        bound: tuple[tuple[str, str], ...] = ()) -> tuple[list[tuple[str, float]], np.ndarray]:
        """search's (id, BM25) hits, best first, and each hit's ordinal (for concept_shares)."""
        hits = self._hits(query_tokens, filters, limit, extra_tokens, bound)
        if len(self._ids) == 1:  # one segment (what a build writes): the document number is the ordinal
            docs = [a.doc for _, a in hits]
            ids = list(map(self._rids.__getitem__, docs))
            return list(zip(ids, map(itemgetter(0), hits))), np.array(docs, dtype=np.intp)
        found = [(self._ids[a.segment_ord][a.doc], score) for score, a in hits]
        return found, self.ordinals(list(map(itemgetter(0), found)))

    def filtered_ids(self, filters: FilterSpec, limit: int = 100_000) -> set[str]:
        clauses = self._filter_clauses(filters)
        if not clauses:
            return set(self.record_terms)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()), *clauses])
        hits = self.searcher.search(query, limit=limit, count=False).hits
        ids = self._ids
        return {ids[a.segment_ord][a.doc] for _, a in hits}

    def concept_share(self, record_id: str, concepts: list[frozenset[str]]) -> float:
        """Share of the query's concepts (a term, or a term with its expansions) found in the record."""
        if not concepts:
            return 0.0
        terms = self._all_terms.get(record_id, set())
        return sum(1 for c in concepts if not terms.isdisjoint(c)) / len(concepts)

    def _holder_ordinals(self) -> dict[str, np.ndarray]:
        """A term → the ordinals (self._rids) of the records that hold it, made on first need."""
        if self._holders is None:
            with self._holders_lock:
                if self._holders is None:
                    holders: dict[str, list[int]] = {}
                    for rid, terms in self._all_terms.items():
                        n = self._ordinal.get(rid)
                        if n is None:
                            continue  # not in the tantivy index: never a hit
                        for t in terms:
                            holders.setdefault(t, []).append(n)
                    self._holders = {t: np.array(ords, dtype=np.intp) for t, ords in holders.items()}
        return self._holders

    def holders(self, term: str) -> list[str]:
        """The records that hold `term` in any field."""
        got = self._holder_ordinals().get(term)
        return [] if got is None else [self._rids[n] for n in got.tolist()]

    def ordinals(self, record_ids: list[str]) -> np.ndarray:
        """Each record's ordinal (its place in self._rids); len(self._rids) for a record not held."""
        return np.fromiter(map(self._ordinal.get, record_ids, repeat(len(self._rids))), dtype=np.intp,
                           count=len(record_ids))

    def concept_shares(self, record_ids: list[str], concepts: list[frozenset[str]],
                       ordinals: np.ndarray | None = None) -> dict[str, float]:
        """concept_share of every record of `record_ids`, in one pass per concept (not per record):
        per concept, a mark on every record that holds one of its terms, read at the hits' ordinals.
        numpy, not sets of ids: this was a Python operation per hit and concept, more than tantivy's
        whole search (scripts/profile_search). `ordinals`: the records' ordinals, when the caller has them."""
        if not concepts or not record_ids:
            return dict.fromkeys(record_ids, 0.0)
        ords = self.ordinals(record_ids) if ordinals is None else ordinals
        holders = self._holder_ordinals()
        counts = np.zeros(len(record_ids), dtype=np.intp)
        mark = np.zeros(len(self._rids) + 1, dtype=bool)  # the last slot: records not held, never marked
        for concept in concepts:
            mark[:] = False
            for t in concept:
                h = holders.get(t)
                if h is not None:
                    mark[h] = True
            counts += mark[ords]
        # int / int in numpy is the same correctly rounded division as Python's.
        return dict(zip(record_ids, (counts / len(concepts)).tolist()))

    def matched_terms(self, record_id: str, query_tokens: list[Token]) -> dict[str, list[str]]:
        """Which query terms occur in which field of the record: the keyword side of 'why'."""
        sets = self._term_sets.get(record_id, {})
        wanted = list(dict.fromkeys(t.term for t in query_tokens))
        out: dict[str, list[str]] = {}
        for field in TEXT_FIELDS:
            held = sets.get(field)
            found = [t for t in wanted if t in held] if held else []
            if found:
                out[field] = found
        return out
