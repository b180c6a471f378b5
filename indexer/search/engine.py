"""The search engine: one object per process over the index in service.

Both the CLI and the web app call `SearchEngine.search`, so `/search`,
`/api/search` and `policykb search --json` return the same thing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.config import Settings
from indexer.corpus.export import facet_values
from indexer.corpus.schema import DERIVED_KINDS
from indexer.errors import IndexUnavailable, QueryError
from indexer.index.collection import CollectionIndex, unit_fields
from indexer.index.keyword_index import KeywordIndex
from indexer.index.store import content_hash, manifest_hash
from indexer.index.verify import check_build, load_part, serving_candidates
from indexer.index.vectors import VectorIndex
from indexer.model.embedder import Embedder
from indexer.model.query_encoder import OnnxQueryEncoder, open_query_encoder
from indexer.search.budget import EncoderBudget
from indexer.search.catalog import Catalog
from indexer.search.filters import MODES, Filters, parse_mode, parse_query
from indexer.search.fusion import convex, rrf
from indexer.search.results import RankInfo, Ranking, SearchResponse, result_dict
from indexer.text.analysis import Token, analyze
from indexer.text.normalize import normalize_for_match
from indexer.search.law_match import matched_paragraph
from indexer.text.snippets import highlight_spans, make_snippet
from indexer.text.thesaurus import Expansion, load_thesaurus

__all__ = ["SearchEngine", "MODES", "FUSION", "FACETS"]

# Keyword candidates per query. With the statutes (thousands of articles) 200 cut filtered
# searches short; tantivy returns 1,000 hits in a few milliseconds.
KEYWORD_CANDIDATES = 1000
SEMANTIC_CANDIDATES = 40
# Chosen on the tune half of the gold set (README, 「評価」). RRF keeps only ranks,
# so each list says how much it believes in each of its own entries:
# - a keyword hit counts in proportion to the square of the share of the query's
#   concepts it covers (plain RRF let hits on one generic word, 地方 or まち, push
#   paraphrase answers out of the top 5);
# - a semantic hit counts by (its similarity / the best similarity) ** 20. Rank
#   alone threw away the margin by which the best passage beats the rest, so a
#   clear semantic first place lost to a keyword hit that merely ranked first on
#   its own list: hybrid R@1 on paraphrases fell below semantic alone (.50 vs .75
#   on tune). e5 similarities are compressed (0.80–0.90), hence the high power;
#   10–50 tie on tune, 20 is the middle.
# - a record derived from an ingested document (a statute's article, a passage) counts 0.8 of a
#   curated one on both lists: with the 21 statutes (3,300 articles) at full weight, generic
#   article hits pushed seed answers down (blind R@1 .625 → .542); 0.7–0.8 restore every seed
#   figure, 0.8 costs the statute sets least (scripts/eval figures in the report of issue 11;
#   chosen looking at the blind sets too, so those figures are optimistic).
FUSION = {"method": "rrf", "k": 60, "weights": {"keyword": 1.0, "semantic": 1.0}, "coverage_power": 2,
          "similarity_power": 20, "derived_weight": 0.8}
FACETS = ("kind", "pillar", "era", "prefecture", "deadline_year", "document", "collection")
# A large collection (全法令) gives fewer keyword candidates: each costs a doc-store read and a place in
# the concept queries there (300 → 150: keyword p95 106 → 78 ms over all laws, 111 statute queries).
COLLECTION_KEYWORD_CANDIDATES = 150
# Static-model similarities are spread wider than e5's (0.3–0.8, not 0.80–0.90), so the power
# that turns a similarity into belief is lower than similarity_power.
STATIC_SIMILARITY_POWER = 4
TEXT_TOKEN_CACHE = 1024
UNIT_WINDOW = 300
# A record is about a theme when it holds a content word of the theme (or of its
# thesaurus expansion), or when its passage's cosine similarity to the theme is at
# least this. Measured on 30 themes × 3 eras labelled by hand, blind to the engine
# (tests/gold/compare_themes.jsonl): chosen on one half of the themes, the other
# half gets cell precision .60–.91 and recall .76–.90, and 37 of 45 era columns
# rightly filled or rightly 「該当なし」 (README, 「時代比較の『該当なし』」).
# A fused rank cannot decide this: it always has a first place.
ABOUT_MIN_SIMILARITY = 0.85
MAX_K = 100          # results per page a person asks for
EXPORT_MAX_K = 1000  # rows an export may ask for at once
_log = logging.getLogger("policykb")


class SearchEngine:
    def __init__(self, settings: Settings, build_dir: Path, embedder: Embedder | None = None):
        # Each part is loaded under its own name, so a damaged one is reported as that file.
        self.settings = settings
        self.build_dir = build_dir
        self.manifest = load_part(build_dir, "manifest.json",
                                  lambda: json.loads((build_dir / "manifest.json").read_text(encoding="utf-8")))
        self.records: list[dict] = load_part(build_dir, "records.jsonl", lambda: [
            json.loads(line) for line in (build_dir / "records.jsonl").open(encoding="utf-8")])
        self.catalog = load_part(build_dir, "records.jsonl", lambda: Catalog(self.records))
        self.by_id = self.catalog.by_id
        self.keyword = load_part(build_dir, "keyword/", lambda: KeywordIndex(build_dir / "keyword"))
        self.vectors = load_part(build_dir, "vectors/", lambda: VectorIndex.load(build_dir / "vectors"))
        #: Large collections (全法令), memory-mapped: name → CollectionIndex.
        self.collections: dict[str, CollectionIndex] = {}
        for path in sorted((build_dir / "collections").glob("*/")) if (build_dir / "collections").is_dir() else []:
            self.collections[path.name] = load_part(build_dir, f"collections/{path.name}/",
                                                    lambda p=path: CollectionIndex(p))
        # The model is loaded on first need: keyword search, `show` and the
        # record pages answer without paying for torch (≈4 s of imports).
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self._text_tokens: dict[str, list] = {}
        self._shared: dict[str, set[str]] = {}  # collection → its statutes' regional record ids (shared_ids)
        self._facet_values = load_part(build_dir, "records.jsonl",
                                       lambda: {r["id"]: facet_values(r) for r in self.records})
        self.thesaurus = load_part(build_dir, "thesaurus.yaml", lambda: load_thesaurus(build_dir / "thesaurus.yaml"))
        #: Built from another corpus/model than the current one: served, and said so (open() sets it).
        self.stale = False
        #: Why an older build is serving instead of `current` (one line), or None.
        self.fallback: str | None = None
        #: Set by the server: bounds the encoder's queue and each request's wait (indexer.search.budget).
        self.encoder_budget: EncoderBudget | None = None
        #: Cores one query encoding may use (the server keeps the other for everything else).
        self.encoder_threads = 1

    @property
    def embedder(self) -> OnnxQueryEncoder | Embedder:
        """The query encoder: ONNX Runtime when the build exported the model's graph (no torch), else torch."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    self._embedder = open_query_encoder(self.settings.model_dir, self.settings.index_dir,
                                                        threads=self.encoder_threads)
        return self._embedder

    @embedder.setter
    def embedder(self, value: OnnxQueryEncoder | Embedder) -> None:
        self._embedder = value

    def text_tokens(self, rid: str, needles: set[str] = frozenset()) -> list:
        """Sudachi tokens of a record's text (for highlighting and reasons).

        A curated record is analysed whole, once per process. An article or passage (a statute's,
        or a unit of 全法令) longer than two windows is analysed in a window around the first place
        a query word is written (UNIT_WINDOW characters: two snippets wide): 600,000 units cannot
        be cached, and analysing every result's whole article was most of a query's time.
        """
        rec = self.by_id.get(rid)
        if rec is not None and (rec["kind"] not in DERIVED_KINDS or len(rec["text"]) <= 2 * UNIT_WINDOW):
            toks = self._text_tokens.get(rid)
            if toks is None:
                if len(self._text_tokens) >= TEXT_TOKEN_CACHE:
                    self._text_tokens.pop(next(iter(self._text_tokens)))
                toks = self._text_tokens[rid] = analyze(rec["text"])
            return toks
        text = (rec or self.record(rid))["text"]
        found = [i for i in (text.find(n) for n in needles if n) if i >= 0]
        start = max(0, min(found) - UNIT_WINDOW // 4) if found else 0
        return [Token(t.term, t.surface, t.start + start, t.end + start, t.mode)
                for t in analyze(text[start:start + UNIT_WINDOW])]

    def available_collections(self) -> tuple[str, ...]:
        return ("regional", *self.collections)

    def chosen_collections(self, filters: Filters) -> tuple[str, ...]:
        """The collections a search covers; a collection that was never ingested is a QueryError."""
        chosen = filters.collections()
        for name in chosen:
            if name != "regional" and name not in self.collections:
                from indexer.corpus.collections import COLLECTIONS

                raise QueryError(f"コレクション「{COLLECTIONS.get(name, name)}」はまだ取り込まれていません"
                                 f"（`policykb ingest` で法令データを登録し、`policykb build` を実行してください）。")
        return chosen

    @classmethod
    def open(cls, settings: Settings, *, allow_stale: bool = True) -> "SearchEngine":
        """The build in service, checked (indexer.index.verify): `current` when whole, else the newest
        whole build, with the reason in `fallback`. A build from an older corpus or model is served with
        `stale` set and a warning (stale is not down), unless allow_stale=False."""
        problems: list[str] = []
        engine = None
        for build_dir in serving_candidates(settings.index_dir):
            try:
                check_build(build_dir)
                engine = cls(settings, build_dir)
                break
            except IndexUnavailable as exc:
                problems.append(exc.message)
        if engine is None:
            if problems:
                raise IndexUnavailable(problems[0] + ("（ほかに使える索引もありません）" if len(problems) > 1 else ""))
            raise IndexUnavailable(f"索引がありません（{settings.index_dir}）。`policykb build` を実行してください。")
        if problems:
            engine.fallback = f"{problems[0]} それまでは以前の索引 {engine.build_dir.name} で応答します。"
            _log.warning("policykb: 警告: %s", engine.fallback)
        engine.stale = manifest_hash(engine.build_dir) != content_hash(settings)
        if engine.stale:
            if not allow_stale:
                raise IndexUnavailable("索引が現在のコーパス・モデルと一致しません。`policykb build` を実行してください。")
            _log.warning("policykb: 警告: 索引 %s は現在のコーパス・モデルより前に作られたものです。このまま応答します。"
                         "`policykb build` で更新してください。", engine.build_dir.name)
        return engine

    # -- the query side -------------------------------------------------------

    def _query_vector_later(self, query: str) -> Callable[[], np.ndarray | None]:
        """Start encoding the query with e5; the returned function waits for its vector (None when
        the server's encoder budget is spent: the request is then degraded, keyword side only)."""
        if self.encoder_budget is not None:
            # In the server: a bounded queue and a time budget (indexer.search.budget).
            return self.encoder_budget.start(self.embedder, query)
        hit = self._embedder.cached(query) if self._embedder is not None else None
        if hit is not None:
            return lambda: hit
        # The CLI, tests and benchmarks: no budget, wait for the model (loaded on first need).
        # Future.result waits once and then returns the same vector to every later call.
        return _encoder_pool().submit(lambda: self.embedder.encode_query(query)).result

    def _semantic(self, vec, allowed: set[str] | None, within: bool) -> list[tuple[str, float]]:
        if vec is None:
            return []
        if within:
            return self.vectors.search(vec, SEMANTIC_CANDIDATES, allowed)
        # Taken before filtering, so a facet's count is exactly what clicking it
        # returns (filtering first would refill the list to 40 every time).
        top = self.vectors.search(vec, SEMANTIC_CANDIDATES)
        return [(i, s) for i, s in top if allowed is None or i in allowed]

    def shared_ids(self, name: str) -> set[str]:
        """Regional records whose document is also in collection `name` (the statutes held by both):
        they have e5 vectors, which a search of `name` alone uses beside its static ones."""
        if name not in self._shared:
            docs = self.collections[name].documents
            self._shared[name] = {r["id"] for r in self.records if r["source"] in docs}
        return self._shared[name]

    def rank(self, query: str, mode: str, filters: Filters, fusion: dict | None = None, *,
             within: bool = False, count_collections: bool = False) -> Ranking:
        """Ranked (id, score) for the query, and per-id explanation parts.

        within=True draws the semantic candidates from inside the filter: for
        views that must show the best of a small set (one era's cells) however
        far down the whole ranking it stands. count_collections=True also ranks
        the collections not chosen, so the facets can say how many each holds.
        """
        tokens = analyze(query)
        fusion = fusion or FUSION
        expansions = self.thesaurus.expand(query) if fusion.get("expand", True) else []
        extra = analyze(" ".join(t for e in expansions for t in e.terms), "C") if expansions else []
        concepts = _concepts(tokens, expansions)
        chosen = self.chosen_collections(filters)
        sem_query = query
        if expansions and fusion.get("expand_semantic", True):
            sem_query = f"{query}（{'、'.join(t for e in expansions for t in e.terms)}）"
        wanted = self.available_collections() if count_collections else chosen
        semantic = mode in ("hybrid", "semantic")
        needs_e5 = semantic and any(n == "regional" or self.shared_ids(n) for n in wanted)
        # The e5 encoding (tens of milliseconds) runs beside the keyword and static sides, which
        # need no vector; the lists that do need it come last and wait for it.
        vector = self._query_vector_later(sem_query) if needs_e5 else (lambda: None)
        allowed = self.filtered_ids(filters)  # regional records inside the filters (None: all)
        lists: dict[str, list[_Lists]] = {}
        for name in sorted(wanted, key=lambda n: n == "regional"):
            if name == "regional":
                lists[name] = [self._regional_lists(vector, tokens, extra, concepts, mode, filters, allowed,
                                                    fusion, within, count_only=name not in chosen)]
            else:
                lists[name] = [self._collection_lists(self.collections[name], sem_query, tokens, extra, concepts,
                                                      mode, filters, fusion)]
        for name in wanted:
            shared = self.shared_ids(name) if name != "regional" else set()
            if semantic and shared:
                # The statutes both collections hold keep their e5 vectors here too: e5 where the
                # build could afford it, static vectors for the rest (README, 全法令規模への拡張).
                inside = shared if allowed is None else shared & allowed
                sem = self._semantic(vector(), inside, True) if inside else []
                # Only the statutes that are about the query (ABOUT_MIN_SIMILARITY, measured on labelled
                # themes): a list drawn from 3,000 articles always has a first place, and a question
                # about 健康保険 must not get a 地方自治法 article for free.
                sem = [(i, v) for i, v in sem if v >= ABOUT_MIN_SIMILARITY]
                lists[name].append(self._belief_lists(f"e5:{name}", sem, fusion))
        totals = {name: len(_fuse(lst, mode, fusion)) for name, lst in lists.items()}
        # With 地域政策 chosen too, its own e5 list already holds the shared statutes.
        selected = [lst for name in chosen for lst in lists[name]
                    if not (lst.name.startswith("e5:") and "regional" in chosen)]
        ranked = _fuse(selected, mode, fusion)
        keyword_rank: dict[str, tuple[int, float]] = {}
        semantic_rank: dict[str, tuple[int, float]] = {}
        coverage: dict[str, float] = {}
        unit_facets: dict[str, dict] = {}
        for lst in selected:
            for n, (i, s) in enumerate(lst.kw, start=1):
                keyword_rank.setdefault(i, (n, s))
            for n, (i, s) in enumerate(lst.sem, start=1):
                semantic_rank.setdefault(i, (n, s))
            for i, share in lst.shares.items():
                coverage.setdefault(i, share)
            for i, values in lst.facets.items():
                unit_facets.setdefault(i, values)
        info = RankInfo(tokens, concepts, expansions, keyword_rank=keyword_rank, semantic_rank=semantic_rank,
                        coverage=coverage, collection_totals=totals, unit_facets=unit_facets,
                        capped=any(lst.capped for lst in selected))
        return Ranking(ranked, info)

    def _belief_lists(self, name: str, sem: list[tuple[str, float]], fusion: dict) -> "_Lists":
        """An e5 semantic list alone, weighted as the regional one is (similarity power, derived weight)."""
        belief = _beliefs(sem, fusion.get("similarity_power", 0), fusion.get("derived_weight", 1.0))
        return _Lists(name, [], sem, {}, belief, {})

    def _regional_lists(self, vector: Callable[[], np.ndarray | None], tokens, extra, concepts, mode: str,
                        filters: Filters, allowed: set[str] | None, fusion: dict, within: bool, *,
                        count_only: bool = False) -> "_Lists":
        """The regional collection's lists. count_only: only its count is wanted (a search of 全法令
        alone), and a hit counts when it holds any concept, so one set test per hit does."""
        kw: list[tuple[str, float]] = []
        sem: list[tuple[str, float]] = []
        raw_hits = 0
        if mode in ("hybrid", "keyword"):
            # Unless `within`, candidates are drawn before filtering, like the semantic side, so a
            # facet's count is exactly what clicking it returns (a filtered query would refill the list).
            kw = self.keyword.search(tokens, filters if within else Filters(), limit=KEYWORD_CANDIDATES,
                                     extra_tokens=extra)
            raw_hits = len(kw)
            if not within:
                kw = [(i, s) for i, s in kw if allowed is None or i in allowed]
        if mode in ("hybrid", "semantic"):
            sem = self._semantic(vector(), allowed, within)
        asked = [frozenset().union(*concepts)] if count_only and concepts else concepts
        shares = {i: self.keyword.concept_share(i, asked) for i, _ in kw}
        power = fusion.get("coverage_power", 0)
        cover = {i: v ** power for i, v in shares.items()} if power else {}
        belief = _beliefs(sem, fusion.get("similarity_power", 0))
        derived = fusion.get("derived_weight", 1.0)
        if derived != 1.0:  # records derived from ingested documents weigh less than curated ones (FUSION)
            for weights_of, hits in ((cover, kw), (belief, sem)):
                for i, _ in hits:
                    if self.by_id[i]["kind"] in DERIVED_KINDS:
                        weights_of[i] = weights_of.get(i, 1.0) * derived
        return _Lists("regional", kw, sem, cover, belief, shares, capped=raw_hits >= KEYWORD_CANDIDATES)

    def _collection_lists(self, coll: CollectionIndex, sem_query: str, tokens, extra, concepts, mode: str,
                          filters: Filters, fusion: dict) -> "_Lists":
        """A large collection's lists: filters go inside its queries (its units have kind and
        document only, so a filter on any other facet leaves it empty)."""
        terms = filters.terms()
        if filters.ranges() or any(name not in ("kind", "document") for name in terms):
            return _Lists(coll.name, [], [], {}, {}, {})
        kw4 = coll.keyword(tokens, extra, concepts, terms, COLLECTION_KEYWORD_CANDIDATES) \
            if mode in ("hybrid", "keyword") else []
        sem3 = coll.semantic(sem_query, SEMANTIC_CANDIDATES, terms) if mode in ("hybrid", "semantic") else []
        kw = [(i, s) for i, s, _, _ in kw4]
        sem = [(i, s) for i, s, _ in sem3]
        shares = {i: share for i, _, share, _ in kw4}
        # Facet values come with the hits (tantivy's stored fields, the store's columns): counting
        # facets must not load hundreds of records per query.
        facets = {i: f for i, _, _, f in kw4} | {i: f for i, _, f in sem3}
        power = fusion.get("coverage_power", 0)
        derived = fusion.get("derived_weight", 1.0)
        cover = {i: (v ** power if power else 1.0) * derived for i, v in shares.items()}
        belief = _beliefs(sem, fusion.get("static_similarity_power", STATIC_SIMILARITY_POWER), derived)
        return _Lists(coll.name, kw, sem, cover, belief, shares, facets,
                      capped=len(kw4) >= COLLECTION_KEYWORD_CANDIDATES)

    def search(self, query: str, *, mode: str = "hybrid", k: int = 10, offset: int = 0, filters: Filters | None = None) -> SearchResponse:
        t0 = time.perf_counter()
        query = parse_query(query)
        mode = parse_mode(mode)
        if not 1 <= k <= EXPORT_MAX_K:
            raise QueryError(f"件数は1〜{EXPORT_MAX_K}の整数で指定してください。")
        if offset < 0:
            raise QueryError("開始位置は0以上の整数で指定してください。")
        filters = filters or Filters()
        ranking = self.rank(query, mode, filters, count_collections=True)
        ranked, info = ranking.hits, ranking.info
        # Each expansion term analysed once per query, not once per result on the page.
        term_tokens = {term: analyze(term, "C") for e in info.expansions for term in e.terms}
        query_terms = {t.term for t in info.tokens} | {t.term for toks in term_tokens.values() for t in toks}
        expansions = [{"plain": e.plain, "terms": list(e.terms)} for e in info.expansions]
        # The words as the user typed them, for reasons: a term → the query's surface form.
        typed = {t.term: t.surface for t in info.tokens}
        page = ranked[offset:offset + k]
        results = []
        needles = {t.surface for t in info.tokens} | {t.term for t in info.tokens} | \
            {t.surface for toks in term_tokens.values() for t in toks}
        for pos, (rid, score) in enumerate(page, start=offset + 1):
            rec = self.record(rid)
            body = self.text_tokens(rid, needles)
            why = {"fused_rank": pos, "score": round(score, 6)}
            if expansions:
                why["expansions"] = expansions
            if rid in info.keyword_rank:
                n, s = info.keyword_rank[rid]
                terms = self.matched_terms(rid, info.tokens, body)
                words = list(dict.fromkeys(typed[t] for field in terms.values() for t in field))
                matched_expansions = [f"{e['plain']} → {term}" for e in expansions for term in e["terms"]
                                      if self.contains_any(rid, term_tokens[term], body)]
                why["keyword"] = {"rank": n, "bm25": round(s, 3), "terms": terms, "words": words,
                                  "expansions": matched_expansions,
                                  "coverage": round(self._coverage(rid, info), 3)}
            if rid in info.semantic_rank:
                n, s = info.semantic_rank[rid]
                why["semantic"] = {"rank": n, "similarity": round(s, 4)}
            snip = make_snippet(rec["text"], query_terms, tokens=body)
            para = matched_paragraph(rec, highlight_spans(rec["text"], query_terms, body)) \
                if rec.get("law") else None
            results.append(result_dict(rec, snip.text, snip.as_dict()["highlights"], round(score, 6), why, para))
        facets = self.facet_counts([rid for rid, _ in ranked], info.unit_facets)
        facets["collection"] = {name: n for name, n in sorted(info.collection_totals.items(), key=lambda kv: -kv[1])}
        return SearchResponse(query, mode, len(ranked), (time.perf_counter() - t0) * 1000, results, facets,
                              filters.active(), offset, k,
                              # Results that hold a whole concept of the query, not a fragment of a compound.
                              keyword_matches=sum(1 for i in info.keyword_rank if self._coverage(i, info) > 0),
                              absent_terms=self.absent_words(info.tokens, info.expansions,
                                                             self.chosen_collections(filters)),
                              capped=info.capped)

    def _coverage(self, rid: str, info: RankInfo) -> float:
        if rid in info.coverage:
            return info.coverage[rid]
        return self.keyword.concept_share(rid, info.concepts) if rid in self.by_id else 0.0

    def matched_terms(self, rid: str, tokens: list, body: list | None = None) -> dict[str, list[str]]:
        """Which query terms occur in which field of the record: the keyword side of 'why'.
        `body`: the tokens of a 全法令 unit's text the caller already has (text_tokens)."""
        if rid in self.by_id:
            return self.keyword.matched_terms(rid, tokens)
        fields = self._unit_terms(rid, body, tokens)
        wanted = list(dict.fromkeys(t.term for t in tokens))
        return {f: [t for t in wanted if t in fields[f]] for f in fields if any(t in fields[f] for t in wanted)}

    def contains_any(self, rid: str, tokens: list, body: list | None = None) -> bool:
        """Whether the record holds any of the tokens' terms, in any field."""
        if rid in self.by_id:
            return self.keyword.contains_any(rid, tokens)
        held = set().union(*self._unit_terms(rid, body, tokens).values())
        return any(t.term in held for t in tokens)

    def _unit_terms(self, rid: str, body: list | None = None, wanted: list | None = None) -> dict[str, set[str]]:
        """A 全法令 unit's terms per field, as far as a query needs them.

        Body: the Sudachi tokens of the window the caller has (text_tokens). Title and context
        (法令名 第N条（見出し）, the law and its heading path) are short and formulaic: a query
        term counts there when its written form or its normalised form is in them (NFKC), which
        spares two Sudachi calls per result.
        """
        fields = unit_fields(self.record(rid) or {})
        body = self.text_tokens(rid) if body is None else body
        out = {"body": {t.term for t in body}}
        for f in ("title", "context"):
            text = normalize_for_match(fields[f])
            out[f] = {t.term for t in (wanted or ()) if normalize_for_match(t.term) in text
                      or normalize_for_match(t.surface) in text}
        return out

    def knows(self, term: str, collections: tuple[str, ...] = ("regional",)) -> bool:
        return any(self.keyword.knows(term) if name == "regional" else self.collections[name].knows(term)
                   for name in collections)

    def absent_words(self, tokens: list, expansions: list[Expansion] = (),
                     collections: tuple[str, ...] = ("regional",)) -> list[str]:
        """Content words of the query (as typed) that occur nowhere in the material, in any field.

        A word the thesaurus rewrote (お年寄り → 高齢者) is not reported: the reasons show the rewrite.
        """
        rewritten = [e.plain for e in expansions]
        out = []
        for t in tokens:
            if any(t.surface in plain for plain in rewritten):
                continue
            if t.mode == "C" and not self.knows(t.term, collections):
                parts = [a for a in tokens if a.mode == "A" and t.start <= a.start and a.end <= t.end]
                # A compound the index holds only in parts (地域交通 → 地域, 交通) is not absent.
                if not parts or not all(self.knows(a.term, collections) for a in parts):
                    out.append(t.surface)
        return list(dict.fromkeys(out))

    def filtered_ids(self, filters: Filters) -> set[str] | None:
        """Ids of the records that pass `filters`; None when no filter is set (all pass)."""
        return self.keyword.filtered_ids(filters) if (filters.terms() or filters.ranges()) else None

    def facet_counts(self, ids: list[str], unit_facets: dict[str, dict] | None = None) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter] = {f: Counter() for f in FACETS}
        for rid in ids:
            # A 全法令 hit's values come with it (rank's unit_facets); a regional record's are held.
            values_of = self._facet_values.get(rid) or (unit_facets or {}).get(rid, {})
            for facet, values in values_of.items():
                counts[facet].update(str(v) for v in values)
        return {f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts.items()}

    def record(self, rid: str) -> dict | None:
        """A record of any collection: the regional catalogue first, then each large collection."""
        rec = self.by_id.get(rid)
        if rec is None:
            for coll in self.collections.values():
                rec = coll.record(rid)
                if rec is not None:
                    break
        return rec

    def about(self, query: str, filters: Filters, limit: int = 3) -> list[tuple[str, float, str]]:
        """Records inside `filters` that are about `query`, best first: (id, fused score, why).

        Unlike a ranking, this may be empty: relevance is decided from what a record
        holds (a content word, or a semantic similarity over ABOUT_MIN_SIMILARITY),
        not from its place in a list.
        """
        ranking = self.rank(query, "hybrid", filters, within=True)
        info = ranking.info
        out = []
        for rid, score in ranking.hits:
            sim = info.semantic_rank.get(rid, (None, 0.0))[1]
            if rid in info.keyword_rank:
                why = "keyword"
            elif sim >= ABOUT_MIN_SIMILARITY:
                why = "semantic"
            else:
                continue
            out.append((rid, score, why))
            if len(out) == limit:
                break
        return out

    def similar(self, rid: str, k: int = 6) -> list[tuple[dict, float]]:
        """Semantically nearest records ("関連"), excluding the record and what it links to."""
        if rid not in self.by_id:  # a unit of a large collection: its neighbours in that collection
            rec = self.record(rid)
            coll = next((c for c in self.collections.values() if c.record(rid)), None)
            if rec is None or coll is None:
                return []
            hits = coll.semantic(f"{rec['title']}\n{rec['text'][:300]}", k + 1, {})
            return [(self.record(i), s) for i, s, _ in hits if i != rid][:k]
        rec = self.by_id[rid]
        linked = {l["id"] for l in rec["links"]} | {rid}
        rows = [i for i, o in enumerate(self.vectors.owners) if o == rid]
        vec = self.vectors.vectors[rows].mean(axis=0)
        vec = vec / (float((vec ** 2).sum()) ** 0.5 or 1.0)
        out = [(self.by_id[i], s) for i, s in self.vectors.search(vec, k + len(linked)) if i not in linked]
        return out[:k]

    def suggest_articles(self, rid: str, k: int = 3) -> list[dict]:
        """Articles that may carry a policy record, found by the hybrid engine: suggestions, not references.

        The query is the record's title (a measure's name, 「二地域居住の推進」): the semantic side
        finds articles that share no word with it (二地域居住 → the law's own 特定居住). Articles the
        record already cites are left out. Each suggestion says why (the words it shares, or its
        similarity), so an official can judge it.
        """
        rec = self.record(rid)
        if rec is None or rec["kind"] in DERIVED_KINDS:
            return []
        cited = {l["id"] for l in rec["links"]}
        ranking = self.rank(rec["title"], "hybrid", Filters(kind=("article",)), within=True)
        info = ranking.info
        out = []
        for aid, score in ranking.hits:
            law = self.by_id[aid].get("law") or {}
            # A 附則 article sets dates and transitions of an act; it does not carry a measure.
            if aid in cited or law.get("suppl_act"):
                continue
            reason: dict = {}
            if aid in info.keyword_rank:
                reason["words"] = self.keyword.matched_terms(aid, info.tokens).get("body", [])
            if aid in info.semantic_rank:
                reason["similarity"] = round(info.semantic_rank[aid][1], 3)
            out.append({"record": self.by_id[aid], "score": round(score, 6), "reason": reason})
            if len(out) == k:
                break
        return out

    def source_view(self, doc_id: str) -> dict | None:
        """A source's reading view (indexer.corpus.reading), from the build's sources.json, else made
        from a large collection's stored text; None when unknown."""
        views = self.__dict__.get("_source_views")
        if views is None:
            path = self.build_dir / "sources.json"
            views = load_part(self.build_dir, "sources.json",
                              lambda: json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}
            self._source_views = views
        view = views.get(doc_id)
        if view is None:
            for coll in self.collections.values():
                if doc_id in coll.documents:
                    return coll.document_view(doc_id)
        return view

    def reading_position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        """(0-based position, of, previous record, next record): in the regional reading order, or
        within its own document for a unit of a large collection."""
        if rid in self.by_id:
            return (self.catalog.position(rid), len(self.catalog.records),
                    self.catalog.previous(rid), self.catalog.next(rid))
        for coll in self.collections.values():
            pos = coll.position(rid)
            if pos is not None:
                return pos
        return None

    def document_titles(self, doc_ids: list[str]) -> dict[str, str]:
        """Titles of documents of the large collections (the regional ones are on their records)."""
        out: dict[str, str] = {}
        for coll in self.collections.values():
            out.update(coll.titles([d for d in doc_ids if d in coll.documents and d not in out]))
        return out


_ENCODER_POOL: ThreadPoolExecutor | None = None
_ENCODER_POOL_LOCK = threading.Lock()


def _encoder_pool() -> ThreadPoolExecutor:
    global _ENCODER_POOL
    with _ENCODER_POOL_LOCK:
        if _ENCODER_POOL is None:
            _ENCODER_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-encode")
        return _ENCODER_POOL


@dataclass
class _Lists:
    """One collection's candidate lists and how much each list believes in each of its entries."""

    name: str
    kw: list[tuple[str, float]]
    sem: list[tuple[str, float]]
    cover: dict[str, float]
    belief: dict[str, float]
    shares: dict[str, float]  # keyword hit → share of the query's concepts it holds
    facets: dict[str, dict] = field(default_factory=dict)  # a large collection's hit → its facet values
    capped: bool = False  # the keyword search returned as many hits as it asked for


def _fuse(lists: list[_Lists], mode: str, fusion: dict) -> list[tuple[str, float]]:
    """One ranking from the lists of the chosen collections (RRF: ranks, each weighted by belief)."""
    if mode in ("keyword", "semantic") and len(lists) == 1:
        return list(lists[0].kw if mode == "keyword" else lists[0].sem)
    hits_of: dict[str, list[tuple[str, float]]] = {}
    item_weights: dict[str, dict[str, float]] = {}
    weights: dict[str, float] = {}
    for lst in lists:
        for side, hits, belief in (("keyword", lst.kw, lst.cover), ("semantic", lst.sem, lst.belief)):
            if mode != "hybrid" and side != mode:
                continue
            key = f"{side}:{lst.name}"
            hits_of[key] = hits
            item_weights[key] = belief if mode == "hybrid" else {}
            weights[key] = fusion["weights"][side]
    if fusion["method"] != "rrf":
        return convex({key: dict(hits) for key, hits in hits_of.items()}, weights=weights)
    rankings = {key: [i for i, _ in hits] for key, hits in hits_of.items()}
    ranked = rrf(rankings, k=fusion["k"], weights=weights, item_weights=item_weights)
    # A keyword hit that holds none of the query's concepts (only 地域 of 二地域居住) weighs 0 and
    # has no semantic support either: no evidence, so it is not a result.
    return [(i, s) for i, s in ranked if s > 0]


def _beliefs(sem: list[tuple[str, float]], power: float, weight: float = 1.0) -> dict[str, float]:
    """How much a semantic list believes in each hit: (similarity / the best similarity) ** power,
    times `weight`; {} (every hit counts 1) when power is 0 or nothing is similar at all."""
    top = max((s for _, s in sem), default=0.0)
    if not power or top <= 0:
        return {}
    return {i: (max(s, 0.0) / top) ** power * weight for i, s in sem}


def _concepts(tokens, expansions: list[Expansion]) -> list[frozenset[str]]:
    """The query's concepts: each expansion with the plain words it came from, and every other term."""
    concepts: list[frozenset[str]] = []
    claimed: set[str] = set()
    for e in expansions:
        plain = {t.term for t in analyze(e.plain, "C")}
        claimed |= plain
        concepts.append(frozenset(plain | {t.term for t in analyze(" ".join(e.terms), "C")}))
    for term in dict.fromkeys(t.term for t in tokens if t.mode == "C"):
        if term not in claimed:
            concepts.append(frozenset([term]))
    return concepts
