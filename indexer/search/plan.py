"""The query plan: a query analysed once, read by every list, reason, highlight and count.

Lucene's model: a query is parsed into one object before any index segment is touched, and every
segment reads that object. Here `QueryPlanner.plan` runs Sudachi on the query once; the thesaurus
phrases and terms it may add are analysed once per process (the thesaurus is fixed for the life
of a build), so a search with thesaurus expansions costs one Sudachi pass on the query side
(scripts/count_analysis). Each collection's keyword and semantic lists, the fusion, the reasons,
the snippets, the absent words and /compare all read the same `QueryPlan`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.text.analysis import Token, analyze
from indexer.text.normalize import normalize_for_match
from indexer.text.thesaurus import Expansion, Thesaurus

# -- the cap on a query's words (issue 18) --------------------------------------------------------------
#: Different words (Sudachi mode-C terms) a query is searched with; the rest of the query is left out,
#: as Elasticsearch refuses a query past max_clause_count. Each word adds a term clause per field and
#: mode to the keyword query, a concept to every hit's coverage and a needle to every snippet, so a
#: 1,000-character query of 200 different words cost hundreds of milliseconds of the one process's
#: CPU (scripts/bench_http --scenario expensive). The longest gold query has 15 different words.
MAX_QUERY_WORDS = 32
#: A longer query is first analysed on this many characters only (32 words fit in far fewer): the
#: analysis of 1,000 characters alone cost more than a whole keyword search of a short query.
ANALYSE_FIRST = 300
#: The cut must fall this far before the end of the analysed head, so that no word kept is one that
#: Sudachi split differently for lack of the characters after it; else the whole query is analysed.
_HEAD_MARGIN = 20


def cap_tokens(tokens: tuple[Token, ...], limit: int = MAX_QUERY_WORDS) -> tuple[tuple[Token, ...], int | None]:
    """(the tokens of the query's first `limit` different words, the character offset where the words
    left out begin, or None when there are no more)."""
    seen: set[str] = set()
    for t in sorted((t for t in tokens if t.mode == "C"), key=lambda t: t.start):
        if t.term in seen:
            continue
        if len(seen) == limit:
            return tuple(k for k in tokens if k.start < t.start), t.start
        seen.add(t.term)
    return tokens, None


def analyse_capped(query: str, limit: int = MAX_QUERY_WORDS) -> tuple[tuple[Token, ...], int | None]:
    """cap_tokens(analyze(query)), analysing only the query's head when the cut falls well inside it."""
    if len(query) > ANALYSE_FIRST:
        tokens, cut_at = cap_tokens(tuple(analyze(query[:ANALYSE_FIRST])), limit)
        if cut_at is not None and cut_at <= ANALYSE_FIRST - _HEAD_MARGIN:
            return tokens, cut_at
    return cap_tokens(tuple(analyze(query)), limit)
# -- end of the cap ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryPlan:
    """Everything a search needs to know of its query, computed once."""

    query: str
    #: The query's Sudachi tokens, split modes A and C (indexer.text.analysis.analyze).
    tokens: tuple[Token, ...]
    #: Thesaurus entries whose plain phrase the query holds (お年寄り → 高齢者).
    expansions: tuple[Expansion, ...]
    #: Each expansion term → its mode-C tokens.
    expansion_tokens: Mapping[str, tuple[Token, ...]]
    #: Every expansion term's mode-C tokens, in order: weaker keyword terms.
    extra: tuple[Token, ...]
    #: The query's concepts: each expansion with the plain words it came from, and every other term.
    concepts: tuple[frozenset[str], ...]
    #: What the semantic side encodes: the query, with the expansion terms in brackets.
    semantic_text: str
    #: normalize_for_match of every term and surface of the query and of its expansion terms.
    forms: Mapping[str, str]
    #: Where the words past MAX_QUERY_WORDS begin in `query` (None: every word is searched); the
    #: answer says what was left out.
    cut_at: int | None = None

    @property
    def terms(self) -> frozenset[str]:
        """The query's own terms (highlights on /compare)."""
        return frozenset(t.term for t in self.tokens)

    @property
    def highlight_terms(self) -> frozenset[str]:
        """The query's terms and its expansion terms' (a result's highlights)."""
        return self.terms | {t.term for toks in self.expansion_tokens.values() for t in toks}

    @property
    def needles(self) -> frozenset[str]:
        """Strings whose first occurrence in a long text places the window that is analysed for reasons."""
        return frozenset({t.surface for t in self.tokens} | {t.term for t in self.tokens}
                         | {t.surface for toks in self.expansion_tokens.values() for t in toks})

    @property
    def typed(self) -> dict[str, str]:
        """A query term → the query's surface form of it (the words as the user typed them)."""
        return {t.term: t.surface for t in self.tokens}

    def form(self, text: str) -> str:
        """normalize_for_match(text), from the plan when the plan holds it."""
        got = self.forms.get(text)
        return normalize_for_match(text) if got is None else got


class QueryPlanner:
    """Makes query plans over one thesaurus; analyses each thesaurus string once per process."""

    def __init__(self, thesaurus: Thesaurus):
        self.thesaurus = thesaurus
        # Keys are strings of the thesaurus only (its plain phrases and terms): bounded by its size.
        self._analysed: dict[str, tuple[Token, ...]] = {}
        self._lock = threading.Lock()

    def _c_tokens(self, text: str) -> tuple[Token, ...]:
        got = self._analysed.get(text)
        if got is None:
            got = tuple(analyze(text, "C"))
            with self._lock:
                self._analysed[text] = got
        return got

    def plan(self, query: str, *, expand: bool = True, expand_semantic: bool = True) -> QueryPlan:
        tokens, cut_at = analyse_capped(query)
        # Past the cap, the thesaurus and the semantic side read the same words as the keyword side.
        searched = query if cut_at is None else query[:cut_at].rstrip()
        expansions = tuple(self.thesaurus.expand(searched)) if expand else ()
        # Each term alone: Sudachi splits at the spaces of the joined terms, so the tokens are the
        # same as those of one pass over them joined (checked over the whole thesaurus in the tests).
        expansion_tokens = {term: self._c_tokens(term) for e in expansions for term in e.terms}
        extra = tuple(t for e in expansions for term in e.terms for t in expansion_tokens[term])
        concepts: list[frozenset[str]] = []
        claimed: set[str] = set()
        for e in expansions:
            plain = {t.term for t in self._c_tokens(e.plain)}
            claimed |= plain
            concepts.append(frozenset(plain | {t.term for term in e.terms for t in expansion_tokens[term]}))
        for term in dict.fromkeys(t.term for t in tokens if t.mode == "C"):
            if term not in claimed:
                concepts.append(frozenset([term]))
        semantic_text = searched
        if expansions and expand_semantic:
            semantic_text = f"{searched}（{'、'.join(t for e in expansions for t in e.terms)}）"
        words = {s for t in (*tokens, *extra) for s in (t.term, t.surface)}
        return QueryPlan(query, tokens, expansions, expansion_tokens, extra, tuple(concepts), semantic_text,
                         {w: normalize_for_match(w) for w in words}, cut_at)
