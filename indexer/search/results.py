"""Typed results of the search side: a ranking with its explanation, and a page of results."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.search.plan import QueryPlan
from indexer.text.analysis import Token
from indexer.text.thesaurus import Expansion


@dataclass(frozen=True)
class RankInfo:
    """Why each record ranked where it did: the query's plan and each side's ranks."""

    plan: QueryPlan
    keyword_rank: dict[str, tuple[int, float]] = field(default_factory=dict)   # id → (rank, bm25)
    semantic_rank: dict[str, tuple[int, float]] = field(default_factory=dict)  # id → (rank, cosine)
    coverage: dict[str, float] = field(default_factory=dict)  # keyword hit → share of the query's concepts
    collection_totals: dict[str, int] = field(default_factory=dict)  # collection → results it gives alone
    unit_facets: dict[str, dict] = field(default_factory=dict)  # a large collection's hit → its facet values
    capped: bool = False  # a chosen keyword list filled its candidates (more records hold the words)
    legal: frozenset[str] = frozenset()  # hits that are provisions of law (articles, units of 全法令)
    law_reason: str | None = None  # why the question is about law: "cue", "weak" (a weak cue), "evidence", or None
    skipped: tuple[str, ...] = ()  # collections not chosen whose count the work budget left out

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.plan.tokens

    @property
    def concepts(self) -> tuple[frozenset[str], ...]:
        return self.plan.concepts

    @property
    def expansions(self) -> tuple[Expansion, ...]:
        return self.plan.expansions


@dataclass(frozen=True)
class Ranking:
    """Record ids, best first, with their fused scores, and the explanation."""

    hits: list[tuple[str, float]]
    info: RankInfo

    @property
    def ids(self) -> list[str]:
        return [rid for rid, _ in self.hits]


NO_WORDS_MESSAGE = ("検索できる語句が含まれていません。記号・絵文字・見えない文字や、1文字の英字だけでは検索できません。"
                    "調べたい事柄を日本語の語句で入力してください。")


@dataclass
class SearchResponse:
    query: str
    mode: str
    total: int
    took_ms: float
    results: list[dict]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    offset: int = 0
    k: int = 10
    # How many of `total` contain query words; the rest came from the semantic side.
    keyword_matches: int = 0
    # Content words of the query that occur nowhere in the material.
    absent_terms: list[str] = field(default_factory=list)
    # For absent words, words the material holds instead ({word, terms: [{term, query}]}): searches to offer.
    absent_suggestions: list[dict] = field(default_factory=list)
    # A keyword side filled its candidate list: more records hold the query's words than `total` counts.
    capped: bool = False
    # Collections asked for that this server does not hold ({name, label, message}); the rest was searched.
    unavailable_collections: list[dict] = field(default_factory=list)
    # The query holds no word to search (emoji, punctuation, invisible characters, a lone letter).
    no_searchable_words: bool = False
    # Issue 19: the 条文 group beside the results of a question about law ({name, label, reason, results}).
    groups: list[dict] = field(default_factory=list)
    # Laws the query names that the searched collections do not hold ({name, held_in, laws_ingested, note}).
    missing_laws: list[dict] = field(default_factory=list)
    # What the bounds on one request's work left out (indexer.search.budget.Cut.as_dict); {} when nothing.
    cut: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"query": self.query, "mode": self.mode, "total": self.total, "capped": self.capped, "cut": self.cut,
                "keyword_matches": self.keyword_matches, "absent_terms": self.absent_terms,
                "absent_suggestions": self.absent_suggestions,
                "missing_laws": self.missing_laws, "groups": self.groups,
                "took_ms": round(self.took_ms, 2),
                "offset": self.offset, "k": self.k, "filters": self.filters, "facets": self.facets,
                "results": self.results, "unavailable_collections": self.unavailable_collections,
                **({"no_searchable_words": True, "message": NO_WORDS_MESSAGE} if self.no_searchable_words else {})}


def result_dict(rec: dict, snippet: str, highlights: list, score: float | None, why: dict | None,
                matched_paragraph: int | None = None, citation: dict | None = None) -> dict:
    """One search result: the shape of `policykb search --json` results, shared with the web app's listings.
    citation: what was matched (a statute's 項), instead of the record's own citation."""
    return {
        "id": rec["id"], "kind": rec["kind"], "title": rec["title"], "text": rec["text"],
        "snippet": snippet, "highlights": highlights, "score": score, "why": why,
        "pillar": rec["pillar"], "era": rec["era"], "place": rec["place"],
        "section": rec["section"], "targets": rec["targets"], "citation": citation or rec["citation"],
        # Statute records: law_title, law_number, article, caption, paragraphs…; which 項 the query matched.
        "source": rec.get("source"), "law": rec.get("law"), "matched_paragraph": matched_paragraph,
    }
