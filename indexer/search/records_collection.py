"""A collection held in memory: its records, a tantivy keyword index and exact e5 vectors.

The regional material (地域政策: the curated records and the statutes copied into the corpus) is
one; any small collection with the same files is another (the tests add a third one this way).
Layout of its directory (written by indexer.index.build):
  records.jsonl   the records, in reading order
  keyword/        tantivy + terms.json (indexer.index.keyword_index)
  tokens/         each record's Sudachi tokens, for the pages (indexer.index.record_tokens; optional)
  vectors/        e5 rows and their owners (indexer.index.vectors)
  sources.json    the reading views of its sources (optional)
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path

import numpy as np

from indexer.corpus.export import facet_values
from indexer.corpus.schema import DERIVED_KINDS
from indexer.index.keyword_index import KeywordIndex
from indexer.index.measure_queries import load_query_vectors
from indexer.index.record_tokens import TOKENS_DIR, RecordTokens
from indexer.index.verify import load_part
from indexer.index.vectors import VectorIndex
from indexer.lru import BoundedCache
from indexer.search.catalog import Catalog
from indexer.search.collection import (UNIT_WINDOW, QueryVector, facet_key, window_start,
                                       window_tokens)
from indexer.search.filters import Filters
from indexer.search.fusion import Candidates
from indexer.search.plan import QueryPlan
from indexer.text.analysis import Token, analyze

# Keyword candidates per query. With the statutes (thousands of articles) 200 cut filtered
# searches short; tantivy returns 1,000 hits in a few milliseconds.
KEYWORD_CANDIDATES = 1000
SEMANTIC_CANDIDATES = 40
TEXT_TOKEN_CACHE = 1024


class RecordCollection:
    """Records in memory, keyword index and exact vectors (indexer.search.collection.Collection)."""

    space = "e5"

    def __init__(self, name: str, records: list[dict], keyword: KeywordIndex, vectors: VectorIndex,
                 path: Path | None = None, query_vectors: dict[str, np.ndarray] | None = None,
                 tokens: RecordTokens | None = None):
        self.name = name
        self.records = records
        self.catalog = Catalog(records)
        self.by_id = self.catalog.by_id
        self.keyword_index = keyword
        self.vectors = vectors
        self._facet_values = {r["id"]: facet_values(r) for r in records}
        #: Each record's facet values as facet_key strings, the form facet counts add up (a string
        #: keeps its hash, a tuple is hashed again at each count).
        self.facet_pairs = {rid: tuple(facet_key(f, v) for f, vs in values.items() for v in vs)
                            for rid, values in self._facet_values.items()}
        # Records with the same facet values share one signature (≈ 170 signatures for 3,530 records):
        # facet counts count a hit's signature, one element per hit instead of one per facet value.
        signatures: dict[tuple[str, ...], int] = {}
        self._ordinal = {r["id"]: n for n, r in enumerate(records)}
        self._signature = np.array([signatures.setdefault(self.facet_pairs[r["id"]], len(signatures)) for r in records]
                                   + [len(signatures)], dtype=np.intp)  # the last: a record it does not hold
        self._signature_pairs = list(signatures)
        # Signature × facet value, 0/1: a search's counts per value are then one product with its
        # counts per signature.
        self._value_keys = list(dict.fromkeys(k for pairs in signatures for k in pairs))
        column = {k: n for n, k in enumerate(self._value_keys)}
        self._signature_values = np.zeros((len(signatures), len(self._value_keys)), dtype=np.int64)
        for sig, pairs in enumerate(signatures):
            self._signature_values[sig, [column[k] for k in pairs]] = 1
        self._derived_ids = frozenset(r["id"] for r in records if r["kind"] in DERIVED_KINDS)
        #: The provisions of law it holds (its statutes' articles): a question about law weighs them.
        self.article_ids = frozenset(r["id"] for r in records if r["kind"] == "article")
        self.path = path  # its directory, for sources.json (the reading views), read on first need
        #: The build's e5 query vectors of its policy records' texts (indexer.index.measure_queries).
        self.query_vectors: dict[str, np.ndarray] = query_vectors or {}
        self._views: dict | None = None
        #: The build's tokens of every record's text (None: an index built before them, analysed here).
        self.tokens = tokens
        self._text_tokens: BoundedCache[list[Token]] = BoundedCache(TEXT_TOKEN_CACHE)
        self._last_filtered: tuple[Filters, set[str]] | None = None
        #: Per thread, the ids and keyword-index ordinals of the last keyword list (count_facets).
        self._last_keyword = threading.local()
        # A keyword-index ordinal → this collection's ordinal (len(records): not held here).
        rids = keyword._rids
        self._keyword_to_own = np.array([self._ordinal.get(r, len(records)) if r is not None else len(records)
                                                  for r in rids] + [len(records)], dtype=np.intp)

    @classmethod
    def open(cls, name: str, path: Path) -> "RecordCollection":
        """The collection in `path`; each part loaded under its own name, so a damaged one is named."""
        records = load_part(path, "records.jsonl", lambda: [
            json.loads(line) for line in (path / "records.jsonl").open(encoding="utf-8")])
        keyword = load_part(path, "keyword/", lambda: KeywordIndex(path / "keyword"))
        vectors = load_part(path, "vectors/", lambda: VectorIndex.load(path / "vectors"))
        questions = load_part(path, "vectors/", lambda: load_query_vectors(path / "vectors"))
        tokens = load_part(path, f"{TOKENS_DIR}/", lambda: RecordTokens.open(path / TOKENS_DIR))
        return load_part(path, "records.jsonl", lambda: cls(name, records, keyword, vectors, path, questions, tokens))

    # -- lists ----------------------------------------------------------------------------------------
    def uses_query_vector(self) -> bool:
        return True

    def keyword(self, plan: QueryPlan, filters: Filters, *, within: bool, count_only: bool) -> Candidates:
        # Unless `within`, candidates are drawn before filtering, like the semantic side, so a
        # facet's count is exactly what clicking it returns (a filtered query would refill the list).
        kw, ords = self.keyword_index.search_ordinals(list(plan.tokens), filters if within else Filters(),
                                                      limit=KEYWORD_CANDIDATES, extra_tokens=list(plan.extra),
                                                      bound=plan.bound_words)
        raw_hits = len(kw)
        if not within:
            allowed = self.filtered_ids(filters)
            if allowed is not None:
                keep = [i in allowed for i, _ in kw]
                kw = list(compress(kw, keep))
                ords = ords[np.array(keep, dtype=bool)] if len(keep) else ords
        # count_only (a search of another collection alone wants only this one's count): a hit
        # counts when it holds any concept, so one set test per hit does.
        concepts = list(plan.concepts)
        asked = [frozenset().union(*concepts)] if count_only and concepts else concepts
        ids = list(map(itemgetter(0), kw))  # once, for the shares and the derived hits
        shares = self.keyword_index.concept_shares(ids, asked, ords)
        self._last_keyword.hits = (ids, ords)  # a keyword search's facets count these same ids (count_facets)
        return Candidates(self.name, "keyword", kw, shares, self._derived_ids.intersection(ids),
                          capped=raw_hits >= KEYWORD_CANDIDATES)

    def semantic(self, plan: QueryPlan, filters: Filters, vector: QueryVector, *, within: bool) -> list[Candidates]:
        sem = self.nearest(vector(), self.filtered_ids(filters), within)
        return [Candidates(self.name, "semantic", sem, derived=self._derived(sem), space=self.space)]

    def nearest(self, vec: np.ndarray | None, allowed: set[str] | None, within: bool = True,
                k: int = SEMANTIC_CANDIDATES) -> list[tuple[str, float]]:
        """The k records nearest to an e5 vector, among `allowed` (None: all)."""
        if vec is None:
            return []
        if within:
            return self.vectors.search(vec, k, allowed)
        # Taken before filtering, so a facet's count is exactly what clicking it
        # returns (filtering first would refill the list to 40 every time).
        top = self.vectors.search(vec, k)
        return [(i, s) for i, s in top if allowed is None or i in allowed]

    def filtered_ids(self, filters: Filters) -> set[str] | None:
        """Ids of the records that pass `filters`; None when no filter is set (all pass)."""
        if not (filters.terms() or filters.ranges()):
            return None
        last = self._last_filtered  # the keyword and semantic lists of one search ask the same
        if last is not None and last[0] == filters:
            return last[1]
        ids = self.keyword_index.filtered_ids(filters)
        self._last_filtered = (filters, ids)
        return ids

    def _derived(self, hits: list[tuple[str, float]]) -> frozenset[str]:
        return self._derived_ids.intersection([i for i, _ in hits])

    def count_facets(self, ids: list[str], found: Counter) -> list[str]:
        """Add the facet values of the records of `ids` it holds to `found` (facet_key → hits); the
        ids it does not hold, in order. Counted by signature with numpy: a Counter per facet value and
        hit cost more than the rest of a keyword search together (scripts/profile_search)."""
        absent = len(self._ordinal)
        last = getattr(self._last_keyword, "hits", None)
        if last is not None and last[0] == ids:
            # The ids of this thread's last keyword list (a keyword search's page): their ordinals are
            # known, in the keyword index's numbering; equal lists compare by identity, item by item.
            ords = self._keyword_to_own[last[1]]
        else:
            ords = np.fromiter(map(self._ordinal.get, ids, repeat(absent)), dtype=np.intp, count=len(ids))
        per = np.bincount(self._signature[ords], minlength=len(self._signature_pairs) + 1)
        values = per[:-1] @ self._signature_values
        keys, counted = self._value_keys, values.tolist()
        # Counter.update with a mapping: a plain dict update when nothing is counted yet.
        found.update({keys[n]: counted[n] for n in np.flatnonzero(values).tolist()})
        return [rid for rid, o in zip(ids, ords.tolist()) if o == absent] if per[-1] else []

    # -- records --------------------------------------------------------------------------------------
    def links(self, rid: str) -> list[tuple[str, dict]]:
        """(link type, other record) of a record: its links both ways (indexer.search.catalog)."""
        return list(self.catalog.links(rid)) if rid in self.by_id else []

    def record(self, rid: str) -> dict | None:
        return self.by_id.get(rid)

    def facet_values(self, rid: str) -> dict | None:
        return self._facet_values.get(rid)

    def text_tokens(self, rid: str, needles: frozenset[str] = frozenset()) -> list[Token]:
        """A curated record (or a short article) whole, a long article or passage in a window around
        the first query word (window_tokens): the build's tokens when it kept them (sliced, no
        analysis), else analysed here; either kept once per process."""
        text = self.by_id[rid]["text"]
        kept = self.tokens if self.tokens is not None and rid in self.tokens else None
        if self.by_id[rid]["kind"] in DERIVED_KINDS and len(text) > 2 * UNIT_WINDOW:
            # Kept by where the window starts: a query that asks again, or another query whose
            # first word in the text is the same, reuses the tokens.
            start = window_start(text, needles)
            key: object = (rid, start)
            make = ((lambda: kept.tokens(rid, text, (start, start + UNIT_WINDOW))) if kept is not None
                    else (lambda: window_tokens(text, needles, start)))
        else:
            key = rid
            make = (lambda: kept.tokens(rid, text)) if kept is not None else (lambda: analyze(text))
        return self._text_tokens.get(key, make)

    def matched_terms(self, rid: str, tokens, body=None, plan: QueryPlan | None = None) -> dict[str, list[str]]:
        # The terms of every field were kept at build time (terms.json): no analysis here.
        return self.keyword_index.matched_terms(rid, list(tokens))

    def contains_any(self, rid: str, tokens, body=None, plan: QueryPlan | None = None) -> bool:
        return self.keyword_index.contains_any(rid, list(tokens))

    def coverage(self, rid: str, concepts) -> float:
        return self.keyword_index.concept_share(rid, list(concepts))

    def knows(self, term: str) -> bool:
        return self.keyword_index.knows(term)

    def similar(self, rid: str, k: int) -> list[tuple[dict, float]]:
        """Nearest records by the mean of the record's rows, excluding it and what it links to."""
        rec = self.by_id[rid]
        linked = {link["id"] for link in rec["links"]} | {rid}
        rows = [i for i, o in enumerate(self.vectors.owners) if o == rid]
        vec = self.vectors.vectors[rows].mean(axis=0)
        vec = vec / (float((vec ** 2).sum()) ** 0.5 or 1.0)
        out = [(self.by_id[i], s) for i, s in self.vectors.search(vec, k + len(linked)) if i not in linked]
        return out[:k]

    def clear_caches(self) -> None:
        self._text_tokens.clear()

    # -- documents ------------------------------------------------------------------------------------
    def views(self) -> dict:
        """Its sources' reading views (indexer.corpus.reading), from sources.json."""
        if self._views is None:
            path = self.path / "sources.json" if self.path else None
            self._views = load_part(self.path, "sources.json", lambda: json.loads(path.read_text(encoding="utf-8"))) \
                if path and path.exists() else {}
        return self._views

    def holds_document(self, doc_id: str) -> bool:
        return doc_id in self.views()

    def document_view(self, doc_id: str) -> dict | None:
        return self.views().get(doc_id)

    def position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        if rid not in self.by_id:
            return None
        return (self.catalog.position(rid), len(self.catalog.records),
                self.catalog.previous(rid), self.catalog.next(rid))

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        return {}  # the titles of its documents are on its records (citation), which pages read


__all__ = ["RecordCollection", "KEYWORD_CANDIDATES", "SEMANTIC_CANDIDATES"]
