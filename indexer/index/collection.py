"""The index of a large collection (全法令), read-only and memory-mapped, shared by worker processes.

Layout of `<build>/collections/<name>/` (written by indexer.index.collection_build; the part
store's tables in indexer.index.collection_store):
  units/              tantivy: one document per unit (article, 別表, passage), analysed like the
                      regional keyword index; stores only id, kind and document, so a hit costs
                      one small doc-store read
  parts/<n>/store.sqlite   the unit records (JSON, zlib), the documents (metadata, text, zlib) and
                      the part's citations (citing unit → cited unit), opened read-only and immutable
  parts/<n>/vectors/  static-model vectors of the part's passages (indexer.index.ann layout, rows
                      owned by unit ordinals), exact below 200,000 rows, usearch HNSW above
  parts/<n>/e5/       e5 vectors of the part's Acts: their articles' heading passages and one per Act
                      (indexer.index.law_vectors), for law-level routing and 全法令's e5 list
  collection.json     the documents held (id → sha256), documents removed since their part was
                      written, the parts, the encoder fingerprint
Parts exist so that adding a law writes one small part and hard-links the rest: every file of a
build is immutable, and tantivy writes new segment files and an atomically renamed meta.json.

Nothing here holds per-unit Python objects for the whole collection: a worker's memory is the
mapped pages it touches plus a small record cache (the regional index keeps every record in
memory; at 0.6 million units that would be gigabytes per worker).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import NamedTuple

import numpy as np
import tantivy

from indexer.corpus.collections import ExternalDoc, derive
from indexer.corpus.loader import Corpus
from indexer.corpus.reading import source_view
from indexer.index.ann import AnnVectorIndex
from indexer.index.collection_store import DEFINITIONS_FILE, E5_DIR, open_store, unpack
from indexer.index.keyword_format import register_analyzer
from indexer.index.keyword_index import TEXT_FIELDS, term_clauses, text_query
from indexer.lru import BoundedCache
from indexer.model.static_encoder import StaticEncoder
from indexer.text.analysis import Token

#: Facets a unit of a large collection has; a filter on any other (pillar, era…) matches none of it.
UNIT_FACETS = ("kind", "document")
RECORD_CACHE = 2048
#: The citing units a page lists at most (地方自治法's articles are cited by hundreds of laws).
CITED_BY_MAX = 200
#: Concepts asked in one tantivy query (as bits of a constant score; f32 holds 2**24 exactly).
CONCEPT_BITS = 20


def unit_fields(rec: dict) -> dict[str, str]:
    """A unit's searchable fields, as indexer.index.documents.search_doc makes them for derived records."""
    ctx = [rec.get("source_title") or "", " ＞ ".join(rec.get("heading_path") or [])]
    return {"title": rec.get("title", ""), "body": rec.get("text", ""),
            "context": "\n".join(c for c in dict.fromkeys(ctx) if c)}


class UnitHit(NamedTuple):
    """One unit found, by the keyword or the semantic side (the same shape for both)."""

    id: str
    score: float              # BM25, or cosine similarity in the static model's space
    facets: dict[str, list]   # its facet values (kind, document), read with the hit
    share: float = 0.0        # keyword: share of the query's concepts the unit holds


class _Part:
    def __init__(self, path: Path):
        self.path = path
        self.store = open_store(path / "store.sqlite")
        self.lock = threading.Lock()
        # Static-model rows owned by unit ordinals: exact or HNSW behind one interface (VectorSearch).
        self.vectors = AnnVectorIndex.load(path / "vectors")
        # e5 rows of the Acts (indexer.index.law_vectors): the articles' heading passages, owned by
        # unit ordinals, each row's law (an index into law_ids), and one row per Act. None when the
        # part holds no Act (or was written before these existed).
        e5 = path / E5_DIR
        self.e5_articles = AnnVectorIndex.load(e5 / "articles") if (e5 / "meta.json").exists() else None
        self.e5_laws = AnnVectorIndex.load(e5 / "laws") if self.e5_articles is not None else None
        self.e5_row_law = np.load(e5 / "articles" / "laws.npy", mmap_mode="r") if self.e5_articles is not None else None
        self.law_ids: list[str] = list(self.e5_laws.owners) if self.e5_laws is not None else []

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.lock:  # one connection per part, shared by the server's threads
            return self.store.execute(sql, args).fetchall()

    def nearest(self, vec: np.ndarray, want: int) -> list[tuple[int, float]]:
        """(unit ordinal, similarity) of the best rows, several per unit possible."""
        return self.vectors.nearest(vec, want)


class CollectionIndex:
    """Search, records and documents of one large collection, over mapped files."""

    def __init__(self, path: Path):
        self.path = path
        self.meta = json.loads((path / "collection.json").read_text(encoding="utf-8"))
        self.name = self.meta["name"]
        self.index = tantivy.Index.open(str(path / "units"))
        register_analyzer(self.index)
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.parts = [_Part(path / "parts" / p) for p in self.meta["parts"]]
        self.removed = set(self.meta.get("removed", []))
        self.documents: dict[str, str] = self.meta["documents"]  # id → sha256: ≈ 9,000 entries
        self._encoder = None
        self._encoder_lock = threading.Lock()
        self._cache: BoundedCache[dict] = BoundedCache(RECORD_CACHE)
        self._definitions_lock = threading.Lock()
        self._definitions: tuple[dict[str, list[list[str]]], bool] | None = None

    # -- counts ---------------------------------------------------------------
    @property
    def units(self) -> int:
        return int(self.searcher.num_docs)

    # -- keyword ----------------------------------------------------------------
    def keyword(self, tokens: list[Token], extra: list[Token], concepts: list[frozenset[str]],
                facets: dict[str, tuple], limit: int, bound: tuple[tuple[str, str], ...] = ()) -> list[UnitHit]:
        """Units by BM25 with the share of the query's concepts each holds, best first.

        The share is asked of tantivy (one query over the hits, _concept_masks), not computed from
        per-unit term sets held in memory.
        """
        # Phrase clauses that match nothing are left out (text_query): the same hits, half tantivy's time.
        text = text_query(self.schema, tokens, extra, searcher=self.searcher, bound=bound)
        if text is None:
            return []
        clauses = term_clauses(self.schema, facets)
        # Without a facet the text query alone, not inside a one-clause Must: the same hits and scores,
        # and tantivy's search p95 9.5 → 8.3 ms over the 111 statute questions (phrases left out).
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *clauses]) if clauses else text
        hits = self.searcher.search(query, limit=limit, count=False).hits
        if not hits:
            return []
        docs = [self.searcher.doc(address) for _, address in hits]
        ids = [d["id"][0] for d in docs]
        masks = self._concept_masks(ids, [(a.segment_ord, a.doc) for _, a in hits], concepts)
        out = []
        for (score, _), doc, rid in zip(hits, docs, ids):
            share = masks.get(rid, 0).bit_count() / len(concepts) if concepts else 0.0
            out.append(UnitHit(rid, float(score), {"kind": doc["kind"], "document": doc["document"]}, share))
        return out

    def _concept_masks(self, ids: list[str], addresses: list[tuple[int, int]],
                       concepts: list[frozenset[str]]) -> dict[str, int]:
        """Per unit id, the concepts it holds as bits (bit n: concept n), asked of tantivy among `ids`.

        One query per CONCEPT_BITS concepts, not one per concept: each concept is a Should clause with
        a constant score of 2**n, and the id set a Must clause scoring 0, so a hit's score is exactly
        the sum of its concepts' bits (integers below 2**24 are exact in tantivy's f32 scores).
        """
        among = tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, "id", ids), 0.0)
        id_at = dict(zip(addresses, ids))  # the same searcher: a hit's address names its unit
        masks: dict[str, int] = {}
        for first in range(0, len(concepts), CONCEPT_BITS):
            clauses = [(tantivy.Occur.Must, among)]
            for n, concept in enumerate(concepts[first:first + CONCEPT_BITS]):
                opts = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, f"{f}_c", t.replace(" ", "_")))
                        for f in TEXT_FIELDS for t in concept]
                clauses.append((tantivy.Occur.Should,
                                tantivy.Query.const_score_query(tantivy.Query.boolean_query(opts), float(1 << n))))
            found = self.searcher.search(tantivy.Query.boolean_query(clauses), limit=len(ids), count=False).hits
            for score, address in found:
                if score > 0:
                    rid = id_at[(address.segment_ord, address.doc)]
                    masks[rid] = masks.get(rid, 0) | (int(round(score)) << first)
        return masks

    def knows(self, term: str) -> bool:
        """Whether any unit holds the term (as a C-mode or A-mode word) in any field."""
        t = term.replace(" ", "_")
        return any(self.searcher.doc_freq(f"{f}_{m}", t) > 0 for f in TEXT_FIELDS for m in "ac")

    # -- semantic ---------------------------------------------------------------
    @property
    def encoder(self):
        if self._encoder is None:
            with self._encoder_lock:
                if self._encoder is None:
                    self._encoder = StaticEncoder.shared(self.path / "static")
        return self._encoder

    def semantic(self, query: str, k: int, facets: dict[str, tuple]) -> list[UnitHit]:
        """Units by cosine similarity in the static model's space, best first, one per unit."""
        vec = np.asarray(self.encoder.encode_query(query), dtype=np.float32)
        want = k * 8 * (4 if facets else 1)
        pairs = [(n, o, s) for n, part in enumerate(self.parts) for o, s in part.nearest(vec, want)]
        return self._unit_hits(pairs, k, facets)

    # -- e5 over the main Acts (indexer.index.law_vectors) --------------------------------------------
    @property
    def has_e5(self) -> bool:
        """Whether any part holds e5 vectors of Acts."""
        return any(p.e5_articles is not None and len(p.e5_articles.vectors) for p in self.parts)

    def nearest_laws(self, vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(document id, cosine) of the `k` Acts whose law vector (title, 第一条, chapter titles) is
        nearest to an e5 vector (a query's "query: " vector, or a passage's), best first."""
        vec = np.asarray(vec, dtype=np.float32)
        best: dict[str, float] = {}
        for part in self.parts:
            if part.e5_laws is None or not part.law_ids:
                continue
            sims = np.asarray(part.e5_laws.vectors @ vec, dtype=np.float32)
            for i in np.argsort(-sims)[:k + len(self.removed)].tolist():
                doc = part.law_ids[i]
                if doc not in self.removed:
                    best[doc] = float(sims[i])  # a later part holds the newer text of a re-added law
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def law_vector(self, doc_id: str) -> np.ndarray | None:
        """The e5 vector of an Act (unit length), or None when the document is not an Act held."""
        if doc_id in self.removed:
            return None
        for part in reversed(self.parts):
            if doc_id in part.law_ids:
                return np.asarray(part.e5_laws.vectors[part.law_ids.index(doc_id)], dtype=np.float32)
        return None

    def e5_articles(self, vec: np.ndarray, k: int, facets: dict[str, tuple],
                    laws: list[str] | None = None) -> list[UnitHit]:
        """Articles of Acts by e5 similarity of their heading passage, best first, one hit per unit.
        `laws` (document ids): only the articles of those laws, searched exactly (the second stage
        of law-level routing); else the whole collection (HNSW when large)."""
        vec = np.asarray(vec, dtype=np.float32)
        pairs: list[tuple[int, int, float]] = []
        for n, part in enumerate(self.parts):
            if part.e5_articles is None or not len(part.e5_articles.vectors):
                continue
            if laws is None:
                pairs += [(n, o, s) for o, s in part.e5_articles.nearest(vec, k * 2 * (4 if facets else 1))]
                continue
            wanted = [part.law_ids.index(d) for d in laws if d in part.law_ids]
            if not wanted:
                continue
            rows = np.flatnonzero(np.isin(part.e5_row_law, wanted))
            sims = np.asarray(part.e5_articles.vectors[rows] @ vec, dtype=np.float32)
            top = np.argsort(-sims)[:k * 2]
            owners = np.asarray(part.e5_articles.owners[rows[top]]).tolist()
            pairs += [(n, o, float(s)) for o, s in zip(owners, sims[top].tolist())]
        return self._unit_hits(pairs, k, facets)

    def _unit_hits(self, pairs: list[tuple[int, int, float]], k: int, facets: dict[str, tuple]) -> list[UnitHit]:
        """(part, unit ordinal, similarity) → the best `k` units inside the facets, one hit per unit."""
        best: dict[tuple[int, int], float] = {}
        for n, ordinal, sim in pairs:
            if sim > best.get((n, ordinal), -2.0):
                best[(n, ordinal)] = sim
        out: list[UnitHit] = []
        for (n, ordinal), sim in sorted(best.items(), key=lambda kv: -kv[1]):
            row = self.parts[n].query("SELECT id, kind, document FROM units WHERE ord = ?", (ordinal,))
            if not row:
                continue
            rid, kind, doc = row[0]
            if doc in self.removed or ("kind" in facets and kind not in facets["kind"]) or \
                    ("document" in facets and doc not in facets["document"]):
                continue
            out.append(UnitHit(rid, sim, {"kind": [kind], "document": [doc]}))
            if len(out) == k:
                break
        return out

    # -- records and documents ----------------------------------------------------
    def record(self, rid: str) -> dict | None:
        rec = self._cache.peek(rid)
        if rec is not None:
            return rec
        for part in reversed(self.parts):  # a later part holds the newer text of a re-added law
            row = part.query("SELECT document, record FROM units WHERE id = ?", (rid,))
            if row and row[0][0] not in self.removed:
                rec = json.loads(unpack(row[0][1]))
                self._cache.put(rid, rec)
                return rec
        return None

    def cited_by(self, rid: str, limit: int = CITED_BY_MAX) -> list[str]:
        """Ids of the units that cite `rid`, gathered across parts (the `links` tables), in the order
        their parts wrote them; a unit of a document taken out since is left out."""
        out: dict[str, None] = {}
        for part in self.parts:
            try:
                rows = part.query("SELECT source, document FROM links WHERE target = ? ORDER BY rowid", (rid,))
            except sqlite3.OperationalError:  # a part written before stores held links: it names none
                continue
            for source, doc in rows:
                if doc not in self.removed:
                    out.setdefault(source, None)
                    if len(out) >= limit:
                        return list(out)
        return list(out)

    def clear_cache(self) -> None:
        """Forget the cached unit records (benchmarks time a new query's reads)."""
        self._cache.clear()

    def document(self, doc_id: str) -> tuple[dict, str] | None:
        """(metadata, text) of a held document."""
        for part in reversed(self.parts):
            row = part.query("SELECT meta, text FROM documents WHERE id = ?", (doc_id,))
            if row:
                return json.loads(row[0][0]), unpack(row[0][1])
        return None

    def document_units(self, doc_id: str) -> list[dict]:
        """Every unit record of a document, in reading order."""
        for part in reversed(self.parts):
            rows = part.query("SELECT record FROM units WHERE document = ? ORDER BY ord", (doc_id,))
            if rows:
                return [json.loads(unpack(r[0])) for r in rows]
        return []

    def definitions(self) -> dict[str, list[list[str]]] | None:
        """The statutory definitions of the Acts held: document id → [[term, body, form, article], ...]
        (indexer.index.law_definitions), read once; None when no part was built with them."""
        with self._definitions_lock:
            if self._definitions is None:
                found: dict[str, list[list[str]]] = {}
                stored = False
                for part in self.parts:  # a later part holds the newer text of a re-added law
                    path = part.path / DEFINITIONS_FILE
                    if path.exists():
                        stored = True
                        found.update(json.loads(path.read_text(encoding="utf-8")))
                self._definitions = ({d: v for d, v in found.items() if d not in self.removed}, stored)
        got, stored = self._definitions
        return got if stored else None

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in self.parts:
            for i in range(0, len(doc_ids), 500):
                chunk = doc_ids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for did, title in part.query(f"SELECT id, title FROM documents WHERE id IN ({marks})", tuple(chunk)):
                    out[did] = title
        return out

    def document_view(self, doc_id: str) -> dict | None:
        """A document's reading view (indexer.corpus.reading), made on demand from its stored text:
        the regional build writes its views into sources.json; 9,000 laws' views are not kept."""
        held = self.document(doc_id)
        if held is None:
            return None
        meta, text = held
        doc = ExternalDoc(**{k: v for k, v in meta.items() if k in ExternalDoc.__dataclass_fields__})
        src, records, _ = derive(doc, text)
        return source_view(Corpus(sources={src.id: src}, records=records), src).as_dict()

    def position(self, rid: str) -> tuple[int, int, dict | None, dict | None] | None:
        """(0-based position, units in its document, previous unit, next unit) in reading order."""
        rec = self.record(rid)
        if rec is None:
            return None
        units = self.document_units(rec["source"])
        ids = [u["id"] for u in units]
        if rid not in ids:
            return None
        n = ids.index(rid)
        return n, len(ids), units[n - 1] if n > 0 else None, units[n + 1] if n + 1 < len(units) else None
