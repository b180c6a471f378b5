"""The search engine: one object per process over the index in service.

Both the CLI and the web app call `SearchEngine.search`, so `/search`,
`/api/search` and `policykb search --json` return the same thing.

A search is: one query plan (indexer.search.plan), each chosen collection's lists for it
(indexer.search.collection.Collection: the regional records, 全法令, any collection added with
`add_collection`), and one fusion whose weighting rules live in indexer.search.fusion.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from itertools import compress
from operator import countOf, itemgetter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from indexer.config import Settings
from indexer.corpus.citation import cite_paragraph, cite_selection
from indexer.corpus.collections import DEFAULT_COLLECTIONS
from indexer.corpus.text_layout import text_layout
from indexer.errors import IndexUnavailable, NotFound, QueryError
from indexer.index.store import content_hash, manifest_hash
from indexer.index.verify import check_build, load_part, serving_candidates
from indexer.lru import BoundedCache
from indexer.model.embedder import Embedder
from indexer.model.query_encoder import OnnxQueryEncoder, open_query_encoder
from indexer.search.basis import suggest_basis, warm_shelf
from indexer.search.budget import (EXPLAINED_FIRST, Cut, EncoderBudget, Lanes, degraded_reason, mark_time_cut,
                                   work_clock)
from indexer.search.collection import Collection, facet_key
from indexer.search.filters import MODES, Filters, collection_labels, parse_mode, parse_query, register_label
from indexer.search.fusion import (ABOUT_MIN_SIMILARITY, FUSION, LAW_INTENT, STATIC_SIMILARITY_POWER, Candidates,
                                   count, fuse, interleave_articles, law_weight)
from indexer.search.large_collection import COLLECTION_KEYWORD_CANDIDATES, LargeCollection
from indexer.search.law_match import matched_paragraph
from indexer.search.law_names import find_law, titles_in
from indexer.search.plan import QueryPlan, QueryPlanner
from indexer.search.records_collection import KEYWORD_CANDIDATES, SEMANTIC_CANDIDATES, RecordCollection
from indexer.search.results import RankInfo, Ranking, SearchResponse, result_dict
from indexer.search.themes import CellJudgement, judge, theme_phrases
from indexer.text.analysis import Token
from indexer.text.legal_vocabulary import LegalVocabulary
from indexer.text.snippets import highlight_spans, make_snippet
from indexer.text.thesaurus import load_thesaurus

__all__ = ["SearchEngine", "MODES", "FUSION", "FACETS", "ABOUT_MIN_SIMILARITY", "STATIC_SIMILARITY_POWER",
           "KEYWORD_CANDIDATES", "SEMANTIC_CANDIDATES", "COLLECTION_KEYWORD_CANDIDATES"]

FACETS = ("kind", "pillar", "era", "prefecture", "deadline_year", "document", "collection")
MAX_K = 100          # results per page a person asks for
EXPORT_MAX_K = 1000  # rows an export may ask for at once
PLAN_CACHE = 512     # query plans kept (each a few kB: the tokens of ≤ 1,000 characters)
SUGGESTION_CACHE = 1024  # records whose basis suggestions are kept (each ≤ 3 article dicts, shared)
CITATION_CACHE = 4096    # citations of a matched 項 kept (each a small dict)
#: Absent words given the material's own words for them (absent_suggestions), and words each: a few
#: links on the page. At most ABSENT_EXAMINED absent words are looked up: a bound on the vocabulary's
#: work whatever the query (≈ 1 ms a word the first time).
ABSENT_SUGGESTIONS = 3
ABSENT_EXAMINED = 6
_log = logging.getLogger("policykb")


class SearchEngine:
    def __init__(self, settings: Settings, build_dir: Path, embedder: Embedder | None = None):
        # Each part is loaded under its own name, so a damaged one is reported as that file.
        self.settings = settings
        self.build_dir = build_dir
        self.manifest = load_part(build_dir, "manifest.json",
                                  lambda: json.loads((build_dir / "manifest.json").read_text(encoding="utf-8")))
        #: The regional collection (地域政策): the curated records and the statutes copied into the corpus.
        self.regional = RecordCollection.open("regional", build_dir)
        #: Every collection searches may choose, in canonical order: name → Collection.
        self.collections: dict[str, Collection] = {"regional": self.regional}
        for path in sorted((build_dir / "collections").glob("*/")) if (build_dir / "collections").is_dir() else []:
            # Large collections (全法令), memory-mapped.
            large = load_part(build_dir, f"collections/{path.name}/", lambda p=path: LargeCollection.open(p))
            large.share_with(self.regional)
            self.collections[path.name] = large
        # The model is loaded on first need: keyword search, `show` and the
        # record pages answer without paying for torch (≈4 s of imports).
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.thesaurus = load_part(build_dir, "thesaurus.yaml", lambda: load_thesaurus(build_dir / "thesaurus.yaml"))
        # Issue 19: the legal vocabulary over the statutes held in memory (read once, query side only).
        self.planner = QueryPlanner(self.thesaurus, LegalVocabulary.from_articles(
            [(r["title"], r["text"]) for r in self.regional.records if r["kind"] == "article"]))
        self._plans: BoundedCache[QueryPlan] = BoundedCache(PLAN_CACHE)
        self._suggestions: BoundedCache[list[dict]] = BoundedCache(SUGGESTION_CACHE)  # suggest_articles
        self._citations: BoundedCache[dict | None] = BoundedCache(CITATION_CACHE)  # _paragraph_citation
        #: Built from another corpus/model than the current one: served, and said so (open() sets it).
        self.stale = False
        #: Why an older build is serving instead of `current` (one line), or None.
        self.fallback: str | None = None
        #: Set by the server: bounds the encoder's queue and each request's wait (indexer.search.budget).
        self.encoder_budget: EncoderBudget | None = None
        #: Cores one query encoding may use (the server keeps the other for everything else).
        self.encoder_threads = 1
        #: Per collection, the titles of the laws it holds (issue 19: named and missing laws), on first need.
        self._law_titles: dict[str, tuple[str, ...]] = {}
        #: Set by the server: CPU seconds a search may spend before it leaves out the reasons and
        #: highlights of a long page's rest and other collections' counts (indexer.search.budget.Cut);
        #: None (CLI): no bound.
        self.work_budget_s: float | None = None
        #: Set by the server: the lanes expensive searches run in (indexer.search.budget.Lanes); None: none.
        self.lanes: Lanes | None = None

    # -- the regional records, which pages list and browse --------------------------------------------
    @property
    def records(self) -> list[dict]:
        """The regional records, in reading order."""
        return self.regional.records

    @property
    def by_id(self) -> dict[str, dict]:
        return self.regional.by_id

    @property
    def catalog(self):
        """The regional record graph (indexer.search.catalog.Catalog)."""
        return self.regional.catalog

    # -- the model --------------------------------------------------------------------------------------
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

    @property
    def model_loaded(self) -> bool:
        """Whether the e5 model is in memory (it is loaded on first semantic need)."""
        return self._embedder is not None

    def warm(self) -> None:
        """Load now what a first question would otherwise wait for (the server's start): the e5
        model, Sudachi, the static model and the first pages of the mapped indexes (one search of
        every collection: ≈ 3 s over all laws), the legal vocabulary's synonym file (≈ 0.5 s) and the
        titles of the laws each collection holds (what a question naming a law is checked against), and
        the laws a record page's basis suggestions read (indexer.search.basis.warm_shelf)."""
        self.embedder.encode_query("地方創生")
        self.search("地方創生", mode="hybrid", filters=Filters(collection=self.available_collections()))
        if self.planner.vocabulary is not None:
            self.planner.vocabulary.warm()
        for name in self.collections:
            self.law_titles(name)
        warm_shelf(self)

    def clear_caches(self) -> None:
        """Forget per-query and per-record caches (benchmarks time a new query's search)."""
        if self._embedder is not None:
            self._embedder.clear_cache()
        self._plans.clear()
        self._suggestions.clear()
        for coll in self.collections.values():
            coll.clear_caches()

    # -- collections ------------------------------------------------------------------------------------
    def available_collections(self) -> tuple[str, ...]:
        return tuple(self.collections)

    def add_collection(self, collection: Collection, label: str) -> None:
        """Register a collection: searches may then choose it by name (shown as `label`)."""
        register_label(collection.name, label)
        self.collections[collection.name] = collection

    def chosen_collections(self, filters: Filters) -> tuple[str, ...]:
        """The collections a search covers: those asked for that this server holds, else the default.

        A collection asked for but never ingested here (全法令 on a server without it) is a state of
        the server, not the user's error: the search covers the rest, and `unavailable_collections`
        says what was left out."""
        chosen = tuple(name for name in filters.collections() if name in self.collections)
        return chosen or DEFAULT_COLLECTIONS

    def unavailable_collections(self, filters: Filters) -> list[dict]:
        """The collections asked for that this server does not hold, each with a plain note for the
        public ({name, label, message}); [] when every one asked for is here."""
        missing = [name for name in filters.collections() if name not in self.collections]
        if not missing:
            return []
        covered = "・".join(collection_labels().get(n, n) for n in self.chosen_collections(filters))
        out = []
        for name in missing:
            label = collection_labels().get(name, name)
            out.append({"name": name, "label": label,
                        "message": f"{label}はこのサーバーには収録されていません。{covered}の資料から検索した結果を表示しています。"})
        return out

    def _owner(self, rid: str) -> Collection | None:
        """The collection that holds a record: the first in canonical order (the regional one first)."""
        for coll in self.collections.values():
            if coll.record(rid) is not None:
                return coll
        return None

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
    def plan(self, query: str, fusion: dict | None = None) -> QueryPlan:
        """The query analysed once (indexer.search.plan), for rank, about and excerpt to share."""
        fusion = fusion or FUSION
        key = (query, fusion.get("expand", True), fusion.get("expand_semantic", True),
               fusion.get("legal_vocabulary", True))
        # A plan is frozen and depends on the query and the build only: a query asked again (the next
        # page, a facet clicked, a cached hybrid search) skips Sudachi.
        return self._plans.get(key, lambda: self.planner.plan(query, expand=key[1], expand_semantic=key[2],
                                                             legal_vocabulary=key[3]))

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
        # The model is opened here, in the calling thread, not in the pool, as the server does
        # (a native library's import is then never beside a search in another thread).
        # Future.result waits once and then returns the same vector to every later call.
        encoder = self.embedder
        return _encoder_pool().submit(lambda: encoder.encode_query(query)).result

    def rank(self, query: str | QueryPlan, mode: str, filters: Filters, fusion: dict | None = None, *,
             within: bool = False, count_collections: bool = False, deadline: float | None = None) -> Ranking:
        """Ranked (id, score) for the query, and per-id explanation parts.

        within=True draws the semantic candidates from inside the filter: for
        views that must show the best of a small set (one era's cells) however
        far down the whole ranking it stands. count_collections=True also ranks
        the collections not chosen, so the facets can say how many each holds; past `deadline`
        (indexer.search.budget.work_clock) those are left out (RankInfo.skipped).
        """
        fusion = fusion or FUSION
        plan = query if isinstance(query, QueryPlan) else self.plan(query, fusion)
        chosen = self.chosen_collections(filters)
        wanted = self.available_collections() if count_collections else chosen
        semantic = mode in ("hybrid", "semantic")
        needs_e5 = semantic and any(self.collections[n].uses_query_vector() for n in wanted)
        # The e5 encoding (tens of milliseconds) runs beside the keyword and static sides, which
        # need no vector; the lists that do need it come last and wait for it.
        vector = self._query_vector_later(plan.semantic_text) if needs_e5 else (lambda: None)
        lists: dict[str, list[Candidates]] = {name: [] for name in wanted}
        skipped: list[str] = []

        def keyword_side() -> None:
            for name in wanted:
                if name not in chosen and deadline is not None and work_clock() > deadline:
                    skipped.append(name)  # only counted for the facets: not worth a late answer
                    continue
                lists[name].append(self.collections[name].keyword(plan, filters, within=within,
                                                                  count_only=name not in chosen))
        if mode in ("hybrid", "keyword"):
            keyword_side()
        if semantic:
            for name in sorted(wanted, key=lambda n: self.collections[n].space == "e5"):
                if name in skipped:
                    continue
                lists[name].extend(self.collections[name].semantic(plan, filters, vector, within=within))
        if mode == "semantic" and needs_e5 and degraded_reason() is not None:
            # The encoder budget refused this request's vector: its e5 lists are empty, and a semantic
            # search would answer nothing (its page 2 "out of range"). It answers from the keyword
            # side instead, which is what the degraded note says (budget.REASONS).
            for found in lists.values():
                found.clear()
            keyword_side()
            mode = "keyword"
        selected = [c for name in chosen for c in lists[name] if c.redundant_with not in chosen]
        # Issue 19: a question about law weighs the articles more (indexer.search.fusion.law_weight).
        # Only the hybrid fusion weighs articles (and only its law reason brings the 条文 group).
        legal = self._legal_hits(selected) if mode == "hybrid" else set()
        weight, law_reason = law_weight(selected, plan.law.asks or bool(self.named_laws(plan)), legal,
                                        fusion.get("law_intent"), bool(plan.law.weak)) \
            if mode == "hybrid" else (1.0, None)
        ranked = fuse(selected, mode, fusion, legal, weight)
        if law_reason == "cue":
            ranked = interleave_articles(ranked, legal, (fusion.get("law_intent") or LAW_INTENT)["cue_articles"])
        # A collection searched alone is fused from exactly its own lists: its count is the length of
        # the ranking (count's positive weights are fuse's positive scores, weights never negative),
        # not a second pass over every candidate's weights (≈ 0.3 ms of a hybrid search's 5).
        alone = chosen[0] if len(chosen) == 1 and len(selected) == len(lists[chosen[0]]) and \
            all(fusion["weights"][c.side] >= 0 for c in selected) else None
        totals = {name: len(ranked) if name == alone else count(lists[name], mode, fusion)
                  for name in wanted if name not in skipped}
        keyword_rank: dict[str, tuple[int, float]] = {}
        semantic_rank: dict[str, tuple[int, float]] = {}
        coverage: dict[str, float] = {}
        hit_facets: dict[str, dict] = {}
        for c in selected:
            ranks = keyword_rank if c.side == "keyword" else semantic_rank
            # The first list that holds an id gives its rank; an id is once in a list (each ranks records).
            ranked_here = zip(map(itemgetter(0), c.hits), enumerate(map(itemgetter(1), c.hits), start=1))
            ranks.update(ranked_here if not ranks else ((i, r) for i, r in ranked_here if i not in ranks))
            coverage.update(c.shares if not coverage else {i: v for i, v in c.shares.items() if i not in coverage})
            for i, values in c.facets.items():
                hit_facets.setdefault(i, values)
        info = RankInfo(plan, keyword_rank=keyword_rank, semantic_rank=semantic_rank, coverage=coverage,
                        collection_totals=totals, unit_facets=hit_facets, capped=any(c.capped for c in selected),
                        legal=frozenset(legal), law_reason=law_reason, skipped=tuple(skipped))
        return Ranking(ranked, info)

    # -- issue 19: articles for questions about law, and the law not held -------------------------------
    def _legal_hits(self, lists: list[Candidates]) -> set[str]:
        """The hits that are provisions of law: the regional articles, and every unit of a large collection."""
        legal: set[str] = set()
        for c in lists:
            # A list named "<collection>:<list>" (全法令's e5 lists of the Acts) is that collection's.
            coll = self.collections.get(c.name if c.name in self.collections else c.name.split(":")[0])
            ids = [i for i, _ in c.hits]
            if isinstance(coll, LargeCollection):
                legal.update(ids)
                continue
            # Set operations, not a record lookup per hit (scripts/profile_search): a record the
            # regional collection holds is an article by its kind there, any other by its own collection's.
            legal |= self.regional.article_ids.intersection(ids)
            if coll is not None and coll is not self.regional:
                legal |= getattr(coll, "article_ids", frozenset()).intersection(
                    [i for i in ids if i not in self.regional.by_id])
        return legal

    def law_titles(self, name: str) -> tuple[str, ...]:
        """The titles of the laws collection `name` holds (read once per process)."""
        got = self._law_titles.get(name)
        if got is None:
            coll = self.collections[name]
            if isinstance(coll, LargeCollection):
                got = tuple(sorted(set(coll.titles(list(coll.documents)).values())))
            else:
                got = tuple(sorted({r["law"]["law_title"] for r in getattr(coll, "records", [])
                                    if r.get("law") and r["law"].get("law_title")}))
            self._law_titles[name] = got
        return got

    def named_laws(self, plan: QueryPlan) -> tuple[str, ...]:
        """The laws the query names: the words ending in 法 (plan.law.laws) and the regional titles
        written out in full."""
        return tuple(dict.fromkeys((*plan.law.laws, *titles_in(plan.query, self.law_titles("regional")))))

    def missing_laws(self, plan: QueryPlan, chosen: tuple[str, ...]) -> list[dict]:
        """Laws the query names that no searched collection holds: each with where it is held
        (another collection of this server) and a one-line Japanese note for the page."""
        labels = collection_labels()
        searched = "・".join(labels.get(n, n) for n in chosen)
        out = []
        for name in plan.law.laws:
            if any(find_law(name, self.law_titles(n)) for n in chosen):
                continue
            held_in = [{"collection": n, "label": labels.get(n, n), "title": t}
                       for n in self.collections if n not in chosen
                       for t in [find_law(name, self.law_titles(n))] if t]
            if held_in:
                where = "、".join(f"{h['label']}に「{h['title']}」" for h in held_in)
                note = f"「{name}」は検索した資料（{searched}）にありません。{where}があります。"
            elif "laws" in self.collections:
                note = f"「{name}」はこのサーバーのどの資料にもありません（全法令にも見当たりません）。"
            else:
                note = (f"「{name}」は検索した資料（{searched}）にありません。"
                        f"全法令（すべての法令）はこのサーバーに登録されていません。")
            out.append({"name": name, "held_in": held_in, "laws_ingested": "laws" in self.collections,
                        "note": note})
        return out

    def article_group(self, ranking: Ranking, k: int = 3) -> list[tuple[str, float]]:
        """The best articles of a ranking, for the 条文 group shown beside the results of a question
        about law (empty when the question is not about law)."""
        info = ranking.info
        if info.law_reason is None:
            return []
        return [(i, s) for i, s in ranking.hits if i in info.legal][:k]

    def search(self, query: str, *, mode: str = "hybrid", k: int = 10, offset: int = 0, filters: Filters | None = None) -> SearchResponse:
        """One page of results; in the server an expensive search (a long query, a long page) runs
        in one of few lanes (indexer.search.budget.Lanes), so cheap ones never queue behind it."""
        if self.lanes is None:
            return self._search(query, mode=mode, k=k, offset=offset, filters=filters)
        with self.lanes.admit(self.lanes.expensive(query, k)):
            return self._search(query, mode=mode, k=k, offset=offset, filters=filters)

    def _search(self, query: str, *, mode: str, k: int, offset: int, filters: Filters | None) -> SearchResponse:
        t0 = time.perf_counter()
        query = parse_query(query)
        mode = parse_mode(mode)
        if not 1 <= k <= EXPORT_MAX_K:
            raise QueryError(f"件数は1〜{EXPORT_MAX_K}の整数で指定してください。")
        if offset < 0:
            raise QueryError("開始位置は0以上の整数で指定してください。")
        filters = filters or Filters()
        plan = self.plan(query)
        if not has_searchable_word(plan):
            # Emoji, punctuation or a lone letter: nothing to match, and the semantic side would
            # still return its 40 nearest records (附則 articles). Said, not answered with noise.
            return SearchResponse(query, mode, 0, (time.perf_counter() - t0) * 1000, [], {}, filters.active(),
                                  offset, k, no_searchable_words=True,
                                  unavailable_collections=self.unavailable_collections(filters))
        # The work budget counts this thread's CPU seconds (indexer.search.budget.work_clock).
        deadline = work_clock() + self.work_budget_s if self.work_budget_s is not None else None
        ranking = self.rank(plan, mode, filters, count_collections=True, deadline=deadline)
        ranked, info = ranking.hits, ranking.info
        plan = info.plan
        cut = Cut(collections=info.skipped)
        if plan.cut_at is not None:
            cut.words_from = plan.query[plan.cut_at:]
        query_terms = plan.highlight_terms
        expansions = [{"plain": e.plain, "terms": list(e.terms)} for e in plan.expansions]
        typed = plan.typed  # a term → the query's surface form, for reasons
        needles = plan.needles  # a property of the plan: read once, not once per result
        page = ranked[offset:offset + k]
        results = []
        bodies: dict[str, list[Token]] = {}  # the page's analysed texts, for the 条文 group below
        for pos, (rid, score) in enumerate(page, start=offset + 1):
            owner = self._owner(rid)
            rec = owner.record(rid)
            why = {"fused_rank": pos, "score": round(score, 6)}
            if expansions:
                why["expansions"] = expansions
            if deadline is not None and pos - offset > EXPLAINED_FIRST and work_clock() > deadline:
                # Over the work budget: the rest of a long page without analysis (no highlights, no
                # matched words), its ranks and scores as they are; the answer says how many.
                cut.reasons += 1
                if rid in info.keyword_rank:
                    n, s = info.keyword_rank[rid]
                    why["keyword"] = {"rank": n, "bm25": round(s, 3), "coverage": round(self._coverage(rid, info), 3)}
                if rid in info.semantic_rank:
                    n, s = info.semantic_rank[rid]
                    why["semantic"] = {"rank": n, "similarity": round(s, 4)}
                snip = make_snippet(rec["text"], frozenset(), spans=[])
                results.append(result_dict(rec, snip.text, [], round(score, 6), why, None))
                continue
            body = bodies[rid] = owner.text_tokens(rid, needles)
            if rid in info.keyword_rank:
                n, s = info.keyword_rank[rid]
                terms = owner.matched_terms(rid, plan.tokens, body, plan)
                words = list(dict.fromkeys(typed[t] for field in terms.values() for t in field))
                matched_expansions = [f"{e['plain']} → {term}" for e in expansions for term in e["terms"]
                                      if owner.contains_any(rid, plan.expansion_tokens[term], body, plan)]
                why["keyword"] = {"rank": n, "bm25": round(s, 3), "terms": terms, "words": words,
                                  "expansions": matched_expansions,
                                  "coverage": round(self._coverage(rid, info), 3)}
            if rid in info.semantic_rank:
                n, s = info.semantic_rank[rid]
                why["semantic"] = {"rank": n, "similarity": round(s, 4)}
            spans = highlight_spans(rec["text"], query_terms, body, plan.bound_words)  # once: the snippet's and the 項's
            snip = make_snippet(rec["text"], query_terms, tokens=body, spans=spans)
            para = matched_paragraph(rec, spans) if rec.get("law") else None
            # A statute's citation names the 項 the query matched (issue 20).
            results.append(result_dict(rec, snip.text, snip.as_dict()["highlights"], round(score, 6), why, para,
                                       self._paragraph_citation(rec, para) if para else None))
        if cut.reasons or cut.collections:
            mark_time_cut()  # the web app sends such an answer no-store: a later one may be whole
        groups = []
        articles = self.article_group(ranking) if offset == 0 else []
        if articles:
            position = {rid: n for n, (rid, _) in enumerate(ranked, start=1)}
            group = []
            for rid, score in articles:
                rec = self.record(rid)
                # An article on the page was analysed there (全法令's units are not kept: once, not twice).
                body = bodies[rid] if rid in bodies else self.text_tokens(rid, needles)
                snip = make_snippet(rec["text"], query_terms, tokens=body, bound=plan.bound_words)
                group.append({"id": rid, "kind": rec["kind"], "title": rec["title"], "snippet": snip.text,
                              "highlights": snip.as_dict()["highlights"], "score": round(score, 6),
                              "fused_rank": position[rid], "law": rec.get("law"), "citation": rec.get("citation")})
            groups.append({"name": "articles", "label": "条文", "reason": info.law_reason, "results": group})
        chosen = self.chosen_collections(filters)
        facets = self.facet_counts(list(map(itemgetter(0), ranked)), info.unit_facets)
        facets["collection"] = {name: n for name, n in sorted(info.collection_totals.items(), key=lambda kv: -kv[1])}
        absent = self.absent_words(plan, chosen)
        return SearchResponse(query, mode, len(ranked), (time.perf_counter() - t0) * 1000, results, facets,
                              filters.active(), offset, k,
                              # Results that hold a whole concept of the query, not a fragment of a compound.
                              keyword_matches=self._keyword_matches(info),
                              absent_terms=absent,
                              absent_suggestions=self.absent_suggestions(plan, absent, chosen),
                              capped=info.capped, groups=groups, missing_laws=self.missing_laws(plan, chosen),
                              unavailable_collections=self.unavailable_collections(filters), cut=cut.as_dict())

    def _paragraph_citation(self, rec: dict, para: int) -> dict | None:
        """cite_paragraph(rec, para).as_dict(), kept (bounded): it depends on the record and the 項 only,
        and it was the dearest part of an article result's reasons (scripts/profile_search)."""
        def make() -> dict | None:
            matched = cite_paragraph(rec, para)
            return matched.as_dict() if matched else None
        got = self._citations.get((rec["id"], para), make)
        return dict(got) if got is not None else None

    def _keyword_matches(self, info: RankInfo) -> int:
        """How many keyword hits hold a whole concept of the query (coverage > 0): counted with set
        operations over the coverage the lists brought, a lookup only for a hit without one."""
        cov, ranks = info.coverage, info.keyword_rank
        if cov.keys() <= ranks.keys():  # as the lists give them: a share for each keyword hit, none ≤ 0 but 0.0
            held = len(cov) - countOf(cov.values(), 0.0)
        else:
            held = len(ranks.keys() & set(compress(cov, map((0.0).__lt__, cov.values()))))
        return held + sum(1 for i in ranks.keys() - cov.keys() if self._coverage(i, info) > 0)

    def _coverage(self, rid: str, info: RankInfo) -> float:
        if rid in info.coverage:
            return info.coverage[rid]
        owner = self._owner(rid)
        return owner.coverage(rid, info.plan.concepts) if owner is not None else 0.0

    # -- records, whichever collection holds them ---------------------------------------------------------
    def text_tokens(self, rid: str, needles: frozenset[str] = frozenset()) -> list[Token]:
        """Sudachi tokens of a record's text, or of a window of it around the first needle (for
        highlighting and reasons): asked of the collection that holds the record."""
        owner = self._owner(rid)
        return owner.text_tokens(rid, needles) if owner is not None else []

    def matched_terms(self, rid: str, tokens, body: list | None = None, plan: QueryPlan | None = None) -> dict[str, list[str]]:
        """Which query terms occur in which field of the record: the keyword side of 'why'."""
        owner = self._owner(rid)
        return owner.matched_terms(rid, tokens, body, plan) if owner is not None else {}

    def contains_any(self, rid: str, tokens, body: list | None = None, plan: QueryPlan | None = None) -> bool:
        """Whether the record holds any of the tokens' terms, in any field."""
        owner = self._owner(rid)
        return owner.contains_any(rid, tokens, body, plan) if owner is not None else False

    def excerpt(self, rid: str, plan: QueryPlan, width: int = 140) -> dict:
        """A record's snippet with the query's words highlighted: {text, highlights}."""
        rec = self.record(rid)
        return make_snippet(rec["text"], set(plan.terms), width=width, tokens=self.text_tokens(rid),
                            bound=plan.bound_words).as_dict()

    def knows(self, term: str, collections: tuple[str, ...] = ("regional",)) -> bool:
        return any(self.collections[name].knows(term) for name in collections)

    def absent_words(self, plan: QueryPlan, collections: tuple[str, ...] = ("regional",)) -> list[str]:
        """Content words of the query (as typed) that occur nowhere in the material, in any field.

        A word the thesaurus rewrote (お年寄り → 高齢者) is not reported: the reasons show the rewrite.
        """
        rewritten = [e.plain for e in plan.expansions]
        tokens = plan.tokens
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

    def absent_suggestions(self, plan: QueryPlan, absent: list[str],
                           collections: tuple[str, ...] = ("regional",)) -> list[dict]:
        """For words of the query that occur nowhere in the material (absent_words), the words the legal
        vocabulary gives for them that the searched material does hold (持ち主 → 所有者, 役所 → 役場),
        each with the query that writes it instead: a search the person can take, shown beside the
        notice. Suggestions, not expansions: the ranking never reads them (tried as expansions, they
        moved no gold set; docs/evaluation.md, 第12回)."""
        vocabulary = self.planner.vocabulary
        out: list[dict] = []
        if vocabulary is None:
            return out
        for word in absent[:ABSENT_EXAMINED]:
            tokens = tuple(t for t in plan.tokens if t.surface == word)
            # Held as the index holds it: the term's analysed forms (おそれ is the index's 恐れ), as it is searched.
            terms = [t for e in vocabulary.expand(word, tokens) for t in e.terms
                     if (forms := self.planner.c_tokens(t)) and all(self.knows(f.term, collections) for f in forms)]
            if terms:
                out.append({"word": word, "terms": [{"term": t, "query": plan.query.replace(word, t, 1)}
                                                    for t in terms[:ABSENT_SUGGESTIONS]]})
                if len(out) == ABSENT_SUGGESTIONS:
                    break
        return out

    def filtered_ids(self, filters: Filters) -> set[str] | None:
        """Ids of the regional records that pass `filters`; None when no filter is set (all pass)."""
        return self.regional.filtered_ids(filters)

    def facet_values(self, rid: str) -> dict | None:
        """A record's facet values, when its collection holds them in memory."""
        for coll in self.collections.values():
            values = coll.facet_values(rid)
            if values is not None:
                return values
        return None

    def facet_counts(self, ids: list[str], unit_facets: dict[str, dict] | None = None) -> dict[str, dict[str, int]]:
        # One Counter over every hit's (facet, value) pairs, kept per record by the collections held in
        # memory: a Counter per facet updated per hit cost more than the rest of a keyword search
        # together (scripts/profile_search).
        found: Counter = Counter()
        rest = ids
        for coll in self.collections.values():
            counter = getattr(coll, "count_facets", None)  # the collections held in memory
            if counter is not None and rest:
                rest = counter(rest, found)
        # A hit of a large collection brings its values with it (rank's unit_facets); a record of a
        # collection held in memory has them there, which win (a statute both collections hold).
        hit_facets = unit_facets or {}
        for rid in rest:
            for facet, values in hit_facets.get(rid, {}).items():
                found.update(facet_key(facet, v) for v in values)
        counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        pairs = [(*_split_facet_key(key), n) for key, n in found.items()]
        for facet, value, n in sorted(pairs, key=lambda p: (-p[2], p[1])):
            counts.setdefault(facet, {})[value] = n
        return counts

    def record(self, rid: str) -> dict | None:
        """A record of any collection: the regional catalogue first, then each large collection."""
        owner = self._owner(rid)
        return owner.record(rid) if owner is not None else None

    def about(self, query: str | QueryPlan, filters: Filters, limit: int = 3) -> list[tuple[str, float, str]]:
        """Records inside `filters` that are about `query`, best first: (id, fused score, why).

        Unlike a ranking, this may be empty: relevance is decided from what a record
        holds (a content word, or a semantic similarity over ABOUT_MIN_SIMILARITY),
        not from its place in a list. A plan made once serves every era of /compare.
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

    def judge_cells(self, theme: str | QueryPlan, ids: list[str]) -> list[CellJudgement]:
        """Each regional record of `ids` judged for the theme on its own lines (indexer.search.themes):
        about it or not, never ranked. /compare asks this of each era's cells of the comparison table."""
        plan = theme if isinstance(theme, QueryPlan) else self.plan(parse_query(theme))
        phrases = theme_phrases(plan, self.thesaurus)
        return [judge(self.by_id[rid], phrases) for rid in ids if rid in self.by_id]

    def similar(self, rid: str, k: int = 6) -> list[tuple[dict, float]]:
        """Semantically nearest records ("関連") in the record's own collection."""
        owner = self._owner(rid)
        return owner.similar(rid, k) if owner is not None else []

    def suggest_articles(self, rid: str, k: int = 3) -> list[dict]:
        """Articles that could ground a policy record (its legal basis), ranked by evidence:
        suggestions, not references (indexer.search.basis). Each is {record, score, reasons, similarity}:
        `reasons` in words (見出し・定義・名指し・仕組み・語句・意味の近さ). Drawn from 全法令 when it is
        ingested, else from the regional statutes; articles the record already cites are left out.

        Kept per record (bounded, oldest out): they depend on the record and the build only, and made
        afresh they were most of a record page's 30–40 ms of CPU (several keyword searches and a hybrid
        one). Suggestions made without their semantic side (the server's encoder budget spent) are not kept."""
        key = (rid, k)
        got = self._suggestions.peek(key)
        if got is None:
            got = [s.as_dict() for s in suggest_basis(self, rid, k)]
            if degraded_reason() is None:
                self._suggestions.put(key, got)
        return list(got)

    # -- documents -------------------------------------------------------------------------------------
    def source_view(self, doc_id: str) -> dict | None:
        """A source's reading view (indexer.corpus.reading), from the collection that holds it; None when unknown."""
        for coll in self.collections.values():
            if coll.holds_document(doc_id):
                return coll.document_view(doc_id)
        return None

    def reading_position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        """(0-based position, of, previous record, next record): in the regional reading order, or
        within its own document for a unit of a large collection."""
        owner = self._owner(rid)
        return owner.position(rid) if owner is not None else None

    # -- a record's text, citations and links ----------------------------------------------------------
    def _held(self, rid: str) -> dict:
        rec = self.record(rid)
        if rec is None:
            raise NotFound(f"記録「{rid}」は見つかりませんでした。IDを確認するか、検索から探してください。")
        return rec

    def cite(self, rid: str, start: int, end: int) -> dict:
        """The citation of the source span [start, end) of a record (indexer.corpus.citation.cite_selection):
        a statute's at its 条・項・号. NotFound for an unknown record, QueryError for a span outside its text."""
        return cite_selection(self._held(rid), start, end).as_dict()

    def text_layout(self, rid: str) -> list[dict]:
        """The record's text as its page shows it (indexer.corpus.text_layout): lines with source
        offsets, by 項 for an article, the citations in it linked where the cited article has a page."""
        known: dict[str, bool] = {}

        def held(target: str) -> bool:
            if target not in known:
                known[target] = self.record(target) is not None
            return known[target]
        return text_layout(self._held(rid), held)

    def links(self, rid: str) -> list[tuple[str, dict]]:
        """(link type, other record) of a record, in its own collection: a regional record's curated
        links and cites / cited_by; a 全法令 unit's cites / cited_by (gathered across its parts)."""
        owner = self._owner(rid)
        if owner is None:
            return []
        out = owner.links(rid)
        if owner is not self.regional:
            return out
        # A statute both collections hold is cited by laws of 全法令 too: those that are not regional.
        seen = {other["id"] for _, other in out} | {rid}
        if self.by_id[rid]["kind"] != "article":
            return out
        for coll in self.collections.values():
            if isinstance(coll, LargeCollection):
                found = coll.cited_by(rid, seen)
                seen.update(other["id"] for _, other in found)
                out += found
        return out

    @property
    def cited_by_limit(self) -> int | None:
        """How many citing units of 全法令 `links` lists at most (None without a large collection)."""
        limits = [c.cited_by_limit for c in self.collections.values() if isinstance(c, LargeCollection)]
        return min(limits) if limits else None

    def document_titles(self, doc_ids: list[str]) -> dict[str, str]:
        """Titles of documents of the large collections (the regional ones are on their records)."""
        out: dict[str, str] = {}
        for coll in self.collections.values():
            out.update(coll.titles([d for d in doc_ids if d not in out]))
        return out


_FACET_KEYS: dict[str, tuple[str, str]] = {}


def _split_facet_key(key: str) -> tuple[str, str]:
    """facet_key's (facet, value), kept: the keys are the corpus's facet values, a bounded set."""
    got = _FACET_KEYS.get(key)
    if got is None:
        facet, value = key.split("\x1f", 1)
        got = _FACET_KEYS[key] = (facet, value)
    return got


def has_searchable_word(plan: QueryPlan) -> bool:
    """Whether the query holds a word to search: a content word (analysis drops symbols, particles
    and emoji) other than a lone Latin letter (「a」, 「x y」 name nothing in this material)."""
    return any(not (len(t.term) == 1 and t.term.isascii() and t.term.isalpha()) for t in plan.tokens if t.mode == "C")


_ENCODER_POOL: ThreadPoolExecutor | None = None
_ENCODER_POOL_LOCK = threading.Lock()


def _encoder_pool() -> ThreadPoolExecutor:
    global _ENCODER_POOL
    with _ENCODER_POOL_LOCK:
        if _ENCODER_POOL is None:
            _ENCODER_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-encode")
        return _ENCODER_POOL
