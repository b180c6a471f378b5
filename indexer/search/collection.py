"""What a collection answers: the one interface the engine searches, whatever the collection holds.

The regional material (indexer.search.records_collection.RecordCollection: records in memory, a
tantivy index, exact e5 vectors) and 全法令 (indexer.search.large_collection.LargeCollection:
memory-mapped parts, static vectors) are two implementations. The engine asks each chosen
collection for its lists and fuses them once (indexer.search.fusion); records, facets, reading
views and positions are asked of the collection that holds the record. A third collection (a
prefecture's 例規集) is one more implementation, or one more instance of these, plus its label:
`SearchEngine.add_collection(collection, label)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.search.filters import Filters, collection_labels, register_label, unregister_label
from indexer.search.fusion import Candidates
from indexer.search.plan import QueryPlan
from indexer.text.analysis import Token, analyze

#: The engine's e5 query vector, computed once per search and waited for on first call (None: the
#: server's encoder budget is spent, and the semantic side is skipped).
QueryVector = Callable[[], "np.ndarray | None"]

# An article or passage longer than two windows is analysed in a window around the first place a
# query word is written (two snippets wide): 600,000 units cannot be cached, and analysing every
# result's whole article was most of a query's time.
UNIT_WINDOW = 300
__all__ = ["Collection", "QueryVector", "UNIT_WINDOW", "facet_key", "window_start", "window_tokens",
           "collection_labels", "register_label", "unregister_label"]


def facet_key(facet: str, value: object) -> str:
    """One facet value as one string, "facet\x1fvalue": what facet counts count (SearchEngine.facet_counts)."""
    return f"{facet}\x1f{value}"


def window_start(text: str, needles: set[str] | frozenset[str]) -> int:
    """Where window_tokens' window of `text` begins for these needles."""
    found = [i for i in (text.find(n) for n in needles if n) if i >= 0]
    return max(0, min(found) - UNIT_WINDOW // 4) if found else 0


def window_tokens(text: str, needles: set[str] | frozenset[str], start: int | None = None) -> list[Token]:
    """Sudachi tokens of UNIT_WINDOW characters of `text` around the first needle written in it,
    with offsets into the whole text (`start`: window_start's answer, when the caller has it)."""
    start = window_start(text, needles) if start is None else start
    tokens = analyze(text[start:start + UNIT_WINDOW])
    if not start:
        return tokens  # a window at the text's start: its offsets are the text's
    # tuple.__new__, not Token(...): a NamedTuple's own constructor is a Python call per token
    # (≈ 350 tokens per window, 10 windows per page: 1.4 ms of a 全法令 keyword search).
    new = tuple.__new__
    return [new(Token, (t.term, t.surface, t.start + start, t.end + start, t.mode)) for t in tokens]


@runtime_checkable
class Collection(Protocol):
    """A searchable collection: its lists for a query plan, and its records and documents."""

    name: str
    #: The vector space of its own semantic list ("e5": the engine's query vector; "static": its own).
    space: str

    # -- lists --------------------------------------------------------------------------------------
    def keyword(self, plan: QueryPlan, filters: Filters, *, within: bool, count_only: bool) -> Candidates:
        """Its keyword hits for the plan inside the filters. within=False: drawn before filtering, so
        a facet's count is what clicking it returns. count_only: only their number is wanted."""

    def semantic(self, plan: QueryPlan, filters: Filters, vector: QueryVector, *, within: bool) -> list[Candidates]:
        """Its semantic lists (usually one) for the plan inside the filters."""

    def uses_query_vector(self) -> bool:
        """Whether `semantic` needs the engine's e5 query vector."""

    # -- records ------------------------------------------------------------------------------------
    def record(self, rid: str) -> dict | None: ...

    def links(self, rid: str) -> list[tuple[str, dict]]:
        """(link type, other record) of a record: curated links, cites and cited_by."""

    def facet_values(self, rid: str) -> dict | None:
        """A record's facet values when the collection holds them in memory; None otherwise (its
        hits carry theirs in Candidates.facets)."""

    def text_tokens(self, rid: str, needles: frozenset[str]) -> list[Token]:
        """Sudachi tokens of a record's text (or of a window of it), for highlights and reasons."""

    def matched_terms(self, rid: str, tokens: list[Token] | tuple[Token, ...], body: list[Token],
                      plan: QueryPlan) -> dict[str, list[str]]:
        """Which of the tokens' terms occur in which field of the record (title, body, context)."""

    def contains_any(self, rid: str, tokens: list[Token] | tuple[Token, ...], body: list[Token],
                     plan: QueryPlan) -> bool: ...

    def coverage(self, rid: str, concepts: tuple[frozenset[str], ...]) -> float:
        """Share of the concepts the record holds (0 when the collection cannot say outside a search)."""

    def knows(self, term: str) -> bool:
        """Whether any record holds the term in any field."""

    def similar(self, rid: str, k: int) -> list[tuple[dict, float]]: ...

    def clear_caches(self) -> None:
        """Forget per-record caches (benchmarks)."""

    # -- documents ----------------------------------------------------------------------------------
    def holds_document(self, doc_id: str) -> bool: ...

    def document_view(self, doc_id: str) -> dict | None: ...

    def position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        """(0-based position, of, previous record, next record) in its reading order."""

    def titles(self, doc_ids: list[str]) -> dict[str, str]: ...
