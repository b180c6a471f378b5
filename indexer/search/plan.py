"""The query plan: a query analysed once, read by every list, reason, highlight and count.

Lucene's model: a query is parsed into one object before any index segment is touched, and every
segment reads that object. Here `QueryPlanner.plan` runs Sudachi on the query once; the thesaurus
phrases and terms it may add are analysed once per process (the thesaurus is fixed for the life
of a build), so a search with thesaurus expansions costs one Sudachi pass on the query side
(scripts/count_analysis). Each collection's keyword and semantic lists, the fusion, the reasons,
the snippets, the absent words and /compare all read the same `QueryPlan`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.text.analysis import Token, analyze
from indexer.text.bound_numerals import bound_numerals, without_bound_numerals
from indexer.text.legal_vocabulary import LegalVocabulary
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


# -- law intent (issue 19): whether a question is about law, read from its wording alone -------------

#: Words that ask about law rather than about a policy: the issue's list (根拠・条文・手続・要件・期限・
#: 義務・できるか) and their plain neighbours (may I…?). General legal question words, not taken
#: from the gold questions. The strong ones say law outright; the weak ones (手続, 期限, 期間, 任期,
#: 誰) are as common in policy questions (行政手続のオンライン化, 計画期間): they bring the 条文 group
#: but leave the ranking alone (indexer.search.fusion.law_weight).
LAW_CUES = re.compile(
    r"根拠|条文|条項|規定|法律|法令|法的|法上|要件|義務|権限|権者|罰則|失効|施行|欠格|届出|許可|"
    r"できるか|できますか|できるの|てよいか|てもよい|てもいい|ていいか|られるか|られますか|"
    # the same asked in plain sentences: may one (…てよいのか, …られるのか, 許されるか) and must one
    # (…ないといけないのか, …なければならないか): permission and duty are what a provision says.
    r"てよいの|られるのか|許され|ないといけない|なければならない|"
    r"第[一二三四五六七八九十百千〇0-9０-９]+条")
WEAK_LAW_CUES = re.compile(r"手続|期限|期間|任期|誰|だれ")
#: A law named in the query: a word ending in 法 (地域再生法, 過疎法, 特別措置法); 方法・手法… are not laws.
_NOT_LAWS = frozenset("方法 手法 用法 文法 工法 製法 寸法 作法 療法 話法 技法 筆法 論法 商法的 違法 合法 適法 不法 "
                      "司法 立法 無法 便法 秘法 魔法 戦法 兵法 語法 算法 射法 刑法的 "
                      # words for some law, not a law's name
                      "関連法 個別法 一般法 特別法 根拠法 同法 本法 新法 旧法 現行法 基本法 特措法 特別措置法".split())
_ARTICLE = re.compile(r"(?:附則)?第[一二三四五六七八九十百千〇0-9０-９]+条(?:の[一二三四五六七八九十0-9０-９]+)*")


@dataclass(frozen=True)
class LawIntent:
    """What the wording of a query says about law: the cue words, the laws and articles it names."""

    cues: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()   # weak cues (手続, 期限…): the 条文 group, not the ranking

    @property
    def asks(self) -> bool:
        """The query asks about law in so many words (a strong cue, a law's name, an article)."""
        return bool(self.cues or self.laws or self.articles)


def law_names(query: str, tokens: tuple[Token, ...]) -> tuple[str, ...]:
    """Laws the query names, as typed: a word ending in 法 with the words written right before it
    (地域再生法, 過疎法, 住民基本台帳法); a full title 「…に関する特別措置法」 keeps its の/に phrases."""
    c = [t for t in tokens if t.mode == "C"]
    out: list[str] = []
    for n, t in enumerate(c):
        if not t.surface.endswith(("法", "施行令", "施行規則")) or t.surface in _NOT_LAWS:
            continue
        if n + 1 < len(c) and c[n + 1].start == t.end and c[n + 1].surface in ("施行令", "施行規則"):
            continue  # 地方自治法施行令: the order is named by the next word
        start = n
        long_title = t.surface.endswith(("特別措置法", "基本法")) or t.surface == "法律"
        while start > 0:
            gap = query[c[start - 1].end:c[start].start]
            if gap == "" or (long_title and gap in ("の", "に", "・", "等の", "及び")):
                start -= 1
            else:
                break
        name = query[c[start].start:t.end]
        # A short name is written in kanji or katakana (空家法, 過疎法); 「新しい法」 is no law.
        if name not in ("施行令", "施行規則") and len(name) >= 2 and \
                (long_title or re.fullmatch(r"[一-龥々ァ-ヶー・0-9０-９]+", name)):
            out.append(name)
    return tuple(dict.fromkeys(out))


def law_intent(query: str, tokens: tuple[Token, ...]) -> LawIntent:
    q = normalize_for_match(query)
    return LawIntent(tuple(dict.fromkeys(m.group(0) for m in LAW_CUES.finditer(q))), law_names(query, tokens),
                     tuple(dict.fromkeys(m.group(0) for m in _ARTICLE.finditer(q))),
                     tuple(dict.fromkeys(m.group(0) for m in WEAK_LAW_CUES.finditer(q))))


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
    #: What the wording says about law (issue 19): fusion weighs articles by it, missing_laws reads it.
    law: LawIntent = LawIntent()
    #: Where the words past MAX_QUERY_WORDS begin in `query` (None: every word is searched); the
    #: answer says what was left out.
    cut_at: int | None = None
    #: (numeral term, the term after it) of each numeral written as part of a word (二地域居住): not
    #: searched alone, highlighted where a text writes the two together (indexer.text.bound_numerals).
    #: In the query's order, each pair once.
    bound_words: tuple[tuple[str, str], ...] = ()

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

    def __init__(self, thesaurus: Thesaurus, vocabulary: LegalVocabulary | None = None):
        self.thesaurus = thesaurus
        #: Issue 19: plain words → statute terms (indexer.text.legal_vocabulary); its expansions join
        #: the thesaurus's. Its strings are bounded too: synonym headwords, defined terms, its pairs.
        self.vocabulary = vocabulary
        # Keys are strings of the thesaurus only (its plain phrases and terms): bounded by its size.
        self._analysed: dict[str, tuple[Token, ...]] = {}
        self._lock = threading.Lock()

    def c_tokens(self, text: str) -> tuple[Token, ...]:
        """The C-mode tokens of a thesaurus or vocabulary string (its terms as the index holds them), kept."""
        got = self._analysed.get(text)
        if got is None:
            got = tuple(analyze(text, "C"))
            with self._lock:
                self._analysed[text] = got
        return got

    def plan(self, query: str, *, expand: bool = True, expand_semantic: bool = True,
             legal_vocabulary: bool = True) -> QueryPlan:
        tokens, cut_at = analyse_capped(query)
        # The 二 of 二地域居住 is not a word the query asks for: as the term "2" it matched every 第二条.
        bound = bound_numerals(query, tokens)
        tokens = without_bound_numerals(tokens, bound)
        # Past the cap, the thesaurus, the legal vocabulary and the semantic side read the same words
        # as the keyword side.
        searched = query if cut_at is None else query[:cut_at].rstrip()
        expansions = tuple(self.thesaurus.expand(searched)) if expand else ()
        # The semantic side reads the thesaurus's terms only: e5 already knows that 持ち主 is 所有者, and
        # statute terms in brackets (市町村) pulled its list towards generic articles.
        semantic_terms = [t for e in expansions for t in e.terms]
        law = law_intent(searched, tokens)
        # Statute terms only for a question whose wording is about law: 引っ越し → 転入 let articles on
        # 転入 crowd a policy question about moving to the countryside (tests/search/test_engine.py).
        if expand and legal_vocabulary and self.vocabulary is not None and law.asks:
            expansions += tuple(self.vocabulary.expand(searched, tokens, set(semantic_terms)))
        # Each term alone: Sudachi splits at the spaces of the joined terms, so the tokens are the
        # same as those of one pass over them joined (checked over the whole thesaurus in the tests).
        expansion_tokens = {term: self.c_tokens(term) for e in expansions for term in e.terms}
        # An expansion term's numerals too (二拠点 → 二地域居住): its "2" highlighted every 二 of an article.
        for term, toks in expansion_tokens.items():
            if pairs := bound_numerals(term, toks):
                expansion_tokens[term] = without_bound_numerals(toks, pairs)
                bound += pairs
        extra = tuple(t for e in expansions for term in e.terms for t in expansion_tokens[term])
        concepts: list[frozenset[str]] = []
        claimed: set[str] = set()
        for e in expansions:
            plain = {t.term for t in self.c_tokens(e.plain)}
            claimed |= plain
            concepts.append(frozenset(plain | {t.term for term in e.terms for t in expansion_tokens[term]}))
        for term in dict.fromkeys(t.term for t in tokens if t.mode == "C"):
            if term not in claimed:
                concepts.append(frozenset([term]))
        semantic_text = searched
        if semantic_terms and expand_semantic:
            semantic_text = f"{searched}（{'、'.join(semantic_terms)}）"
        words = {s for t in (*tokens, *extra) for s in (t.term, t.surface)}
        return QueryPlan(query, tokens, expansions, expansion_tokens, extra, tuple(concepts), semantic_text,
                         {w: normalize_for_match(w) for w in words}, law, cut_at,
                         tuple(dict.fromkeys((t.term, after) for t, after in bound)))
