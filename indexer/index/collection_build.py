"""Building the index of a large collection (全法令) from its register, fully or by adding a part.

Stages, each timed:
1. units: the texts are streamed from the archive (indexer.corpus.collections.read_texts) to a
   pool of 2 processes that parse each law into records (the same derivation as the regional
   statutes, indexer.corpus.derived) and analyse them with Sudachi (the costly step: one
   tokenize in mode C split into A units, about 230,000 characters per CPU second with the parsing
   and the record export); the main process writes tantivy and the part's SQLite
   store as results come back, and spools the passages to embed.
2. static model: distilled once from the collection's own passages (indexer.model.static_encoder)
   and kept beside the builds (`<index>/static/`), so rebuilds and added laws reuse it; a token
   first seen in a law added later has no vector of its own (a zero row: it adds nothing).
3. vectors: the spooled passages through the static model, then usearch HNSW over them.
4. e5 acts: a short heading passage of every article of the main Acts (法律, ids with AC) and one
   passage per Act, through e5 and the embedding cache (indexer.index.law_vectors): e5 where the
   budget allows it, for the laws questions are mostly about.

Definitions: the terms every Act's main provisions define and what defines them, read in the workers
beside the units (indexer.index.law_definitions; a regex pass, a small part of the units stage), one
file per part, so that a measure's legal basis reads them without reading laws whole.

References: each law's citations are resolved against every current law of the register
(`law_names`: title and 法令番号 → law id; a title two laws share names neither), so a law cites
any other law of 全法令, not only the 21 regional statutes. A unit's record carries its own
`cites` links and the spans of its citations (`law.references`, linked in its text on the page);
each part's store holds them as a `links` table too, so a unit's `cited_by` is gathered across
parts by the reader. A law added later in a new part is a known law for that part only: the laws
of earlier parts that cite it gain those links at the next full build.

Why not e5 for every passage: at 10–25 passages a second, 0.6 million passages take 7–17 hours
on two cores; the regional collection keeps its e5 vectors (README, 全法令規模への拡張), and the Acts'
articles get short e5 passages of their own (stage 4).

Adding: with the previous build's collection made by the same code, model and static model, its
files are hard-linked (all immutable) and only documents not yet held are written, as a new part;
documents no longer current are deleted from tantivy and listed as removed for the vector side.
Past MAX_PARTS parts, or when a third of the units were removed, a full build runs instead.

`LargeCollectionBuilder` is this build behind the interface every collection's builder has
(indexer.index.builder): the build links the whole collection when its digest (register, code,
model) is that of the build in service, else adds a part, else builds it whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import tantivy
from tqdm import tqdm

from indexer.config import Settings
from indexer.corpus.collections import ExternalDoc, derive, read_texts, register_path
from indexer.corpus.export import record_dict
from indexer.corpus.loader import Corpus
from indexer.corpus.derived import article_record_id
from indexer.corpus.references import statute_citations
from indexer.index.builder import Built, CollectionBuilder, Stages
from indexer.index.collection_store import new_store, open_store, pack
from indexer.index.digests import code_hash, model_hash
from indexer.index.documents import embedding_passages, search_doc
from indexer.index.keyword_format import register_analyzer, unit_schema
from indexer.index.keyword_writer import analysed_fields
from indexer.index.law_vectors import TokenBudget, heading_passage, is_act, law_passage, write_e5_part
from indexer.index.law_definitions import act_definitions, write_definitions
from indexer.index.vector_writer import save_graph
from indexer.index.passage_encoding import LazyPassageEncoder, cache_path
from indexer.model.cache import EmbeddingCache, model_fingerprint
from indexer.model.static_distill import MARKER, distill_static
from indexer.model.static_encoder import StaticEncoder
from indexer.corpus.files import bounded_imap
from indexer.laws import Statute, parse_statute, resolve_references
from indexer.limits import MAX_BYTES_IN_FLIGHT

#: The layout's version, written into collection.json.
FORMAT = 1
MAX_PARTS = 8
POOL = 2
ENCODE_BATCH = 4096


@dataclass
class CollectionBuild:
    path: Path
    documents: int
    units: int
    passages: int
    added: int            # documents written now
    removed: int          # documents taken out now
    incremental: bool
    stages: dict[str, float] = field(default_factory=dict)


#: (law names → law id, law id → law key) of the register, set before the worker pool forks
#: (`law_names`): every worker reads the same two maps without one being sent per law.
_LAWS: tuple[dict[str, str], dict[str, str]] = ({}, {})


def law_names(docs: list[ExternalDoc]) -> tuple[dict[str, str], dict[str, str]]:
    """(title or 法令番号 → law id, law id → law key) of the current statutes of a register; a title
    that two laws carry names neither (a citation of it stays text rather than risk the wrong one)."""
    by_title: dict[str, set[str]] = {}
    known: dict[str, str] = {}
    key_of: dict[str, str] = {}
    for d in docs:
        if d.status != "current" or d.form != "statute" or not d.law_id:
            continue
        key_of[d.law_id] = d.law_key or d.law_id.lower()
        by_title.setdefault(d.title, set()).add(d.law_id)
        if d.law_number:
            known.setdefault(d.law_number, d.law_id)
    known.update({t: next(iter(ids)) for t, ids in by_title.items() if len(ids) == 1 and t})
    return known, key_of


def _parsed(doc: ExternalDoc, text: str) -> Statute | None:
    if doc.form != "statute":
        return None
    try:
        return parse_statute(text)
    except ValueError:  # derive says why, and holds the text as passages
        return None


def _citations(doc: ExternalDoc, statute: Statute | None, records: list, problem: str | None) -> dict[str, list[tuple[str, str]]]:
    """Set each article's `law.references` (citations of any law of the register, indexer.corpus.references)
    and return its `cites` links: record id → [("cites", cited record id)], the cited article outside it."""
    known, key_of = _LAWS
    if statute is None or problem is not None or not known or not records:
        return {}
    law_key = doc.law_key or doc.id
    by_id = {r.id: r for r in records}
    links: dict[str, list[tuple[str, str]]] = {}
    for source_key, cites in statute_citations(resolve_references(statute, known), key_of).items():
        rec = by_id.get(article_record_id(law_key, source_key))
        if rec is None or rec.law is None:
            continue
        rec.law.references = cites
        targets = dict.fromkeys(c.target for c in cites if c.target != rec.id)
        links[rec.id] = [("cites", t) for t in targets]
    return links


def units_of(item: tuple[ExternalDoc, str]) -> tuple[str, bytes, list[tuple], str | None, str | None, list]:
    """(document id, its text compressed, units, problem, the law's e5 passage, its definitions) for one
    law. Runs in a worker process. Definitions (indexer.index.definitions_store) are read for Acts only.

    A unit is (id, kind, record JSON compressed, {field_mode: joined terms}, [passages to embed],
    [ids of the articles it cites], its e5 heading passage or None). The e5 passages are made for
    the articles of the main Acts only (indexer.index.law_vectors).
    """
    doc, text = item
    statute = _parsed(doc, text)
    src, records, problem = derive(doc, text, statute)
    links = _citations(doc, statute, records, problem)
    corpus = Corpus(sources={src.id: src}, records=records)
    out = []
    dicts = []
    for rec in records:
        d = record_dict(rec, corpus, links)
        sdoc = search_doc(d, {})
        fields, _ = analysed_fields(sdoc)
        out.append((d["id"], d["kind"], pack(json.dumps(d, ensure_ascii=False, separators=(",", ":"))), fields,
                    embedding_passages(d, sdoc), [t for _, t in links.get(d["id"], [])], heading_passage(d)))
        dicts.append(d)
    law = law_passage(doc.title, doc.law_id, dicts) if statute is not None and problem is None else None
    definitions = act_definitions(dicts) if statute is not None and is_act(doc.law_id) else []
    return doc.id, pack(text), out, problem, law, definitions


def _reusable(previous: Path | None, code: str) -> dict | None:
    if previous is None or not (previous / "collection.json").exists():
        return None
    meta = json.loads((previous / "collection.json").read_text(encoding="utf-8"))
    if meta.get("code") != code or len(meta.get("parts", [])) >= MAX_PARTS:
        return None
    return meta


def ensure_static(static_root: Path, model_dir: Path, model_fingerprint: str, passages_file: Path,
                  progress: bool) -> Path:
    """The static model for this e5 model: distilled once, from the spooled passages, then reused."""
    target = static_root / model_fingerprint.replace(":", "-").replace("/", "-")
    if (target / MARKER).exists():
        return target
    tmp = static_root / f".tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)

    def texts():
        with passages_file.open(encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    if progress:
        print("policykb build: distilling the static model from the collection's passages (once)",
              file=sys.stderr, flush=True)
    distill_static(model_dir, tmp, texts=texts())
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def build_collection(out: Path, name: str, docs: list[ExternalDoc], *, code: str, model_dir: Path,
                     model_fingerprint: str, static_root: Path, previous: Path | None = None,
                     progress: bool = True, pool: int = POOL, e5: "ActVectors | None" = None) -> CollectionBuild:
    """Write the collection's index into `out` (which must not exist); with `e5`, the part also gets
    e5 vectors of its Acts' articles and of each Act (indexer.index.law_vectors)."""
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    current = [d for d in docs if d.status == "current"]
    wanted = {d.id: d.sha256 for d in current}
    prev = _reusable(previous, code)
    held: dict[str, str] = dict(prev["documents"]) if prev else {}
    to_remove = [i for i, sha in held.items() if wanted.get(i) != sha]
    to_add = [d for d in current if held.get(d.id) != d.sha256]
    if prev and prev.get("units") and (len(to_remove) + len(prev.get("removed", []))) * 3 > len(held):
        prev, held, to_remove, to_add = None, {}, [], current  # mostly replaced: start afresh
    out.mkdir(parents=True)
    parts: list[str] = []
    removed: list[str] = []
    if prev:
        # Every file is immutable, so hard links serve; tantivy's lock files are not shared, and
        # collection.json is written anew.
        shutil.copytree(previous, out, copy_function=os.link, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".tantivy-*", "collection.json"))
        parts = list(prev["parts"])
        removed = sorted(set(prev.get("removed", [])) | set(to_remove))
        index = tantivy.Index.open(str(out / "units"))
    else:
        (out / "units").mkdir(parents=True)
        index = tantivy.Index(unit_schema(), path=str(out / "units"))
    register_analyzer(index)
    part_name = f"{len(parts):03d}-{time.time_ns()}"
    part_dir = out / "parts" / part_name
    (part_dir / "vectors").mkdir(parents=True)
    store = new_store(part_dir / "store.sqlite")
    spool = Path(tempfile.mkstemp(prefix="policykb-passages-", suffix=".jsonl")[1])
    owners: list[int] = []
    e5_articles: list[tuple[int, str, str]] = []  # (unit ordinal, document, heading passage) of the Acts
    e5_laws: list[tuple[str, str]] = []           # (document, law passage) of the Acts
    definitions: dict[str, list[list[str]]] = {}  # document → its definitions, the Acts'
    units = passages = 0
    problems: list[str] = []
    bar = None
    if progress:
        bar = tqdm(total=sum(d.chars for d in to_add), desc=f"policykb build: {name}", unit=" chars",
                   unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                   mininterval=0.2 if sys.stderr.isatty() else 30)
    global _LAWS
    _LAWS = law_names(docs)  # before the pool forks: the workers inherit it
    try:
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        for doc_id in to_remove:
            writer.delete_documents_by_term("document", doc_id)
        by_id = {d.id: d for d in to_add}
        with spool.open("w", encoding="utf-8") as sp, get_context("fork").Pool(pool) as workers:
            # At most MAX_BYTES_IN_FLIGHT of text waits for the workers (the reader is faster than they are).
            for doc_id, packed_text, doc_units, problem, law_text, law_definitions in bounded_imap(
                    workers.imap_unordered, units_of, read_texts(to_add), key=lambda item: item[0].id,
                    size=lambda item: 4 * len(item[1]), result_key=lambda r: r[0], budget=MAX_BYTES_IN_FLIGHT):
                doc = by_id[doc_id]
                if problem:
                    problems.append(problem)
                meta = {k: v for k, v in doc.__dict__.items()}
                store.execute("INSERT INTO documents VALUES (?, ?, ?, ?)",
                              (doc.id, doc.title, json.dumps(meta, ensure_ascii=False), packed_text))
                if law_text:
                    e5_laws.append((doc.id, law_text))
                if law_definitions:
                    definitions[doc.id] = law_definitions
                for rid, kind, record, fields, chunks, cited, heading in doc_units:
                    ordinal = units
                    units += 1
                    if heading:
                        e5_articles.append((ordinal, doc.id, heading))
                    store.execute("INSERT INTO units VALUES (?, ?, ?, ?, ?)", (ordinal, rid, kind, doc.id, record))
                    store.executemany("INSERT INTO links VALUES (?, ?, ?)", [(rid, t, doc.id) for t in cited])
                    writer.add_document(tantivy.Document(id=rid, kind=kind, document=doc.id, **fields))
                    for chunk in chunks:
                        sp.write(json.dumps(chunk, ensure_ascii=False) + "\n")
                        owners.append(ordinal)
                        passages += 1
                if bar is not None:
                    bar.update(doc.chars)
        writer.commit()
        writer.wait_merging_threads()
        stages["definitions stored"] = write_definitions(part_dir, definitions)
        store.execute("CREATE INDEX units_id ON units(id)")
        store.execute("CREATE INDEX units_document ON units(document)")
        store.execute("CREATE INDEX links_target ON links(target)")
        store.commit()
        store.close()
        if bar is not None:
            bar.close()
        stages["units"] = round(time.perf_counter() - t0, 2)

        t = time.perf_counter()
        if prev:
            static_dir = out / "static"
        else:
            static_dir = ensure_static(static_root, model_dir, model_fingerprint, spool, progress)
            shutil.copytree(static_dir, out / "static")
        encoder = StaticEncoder.shared(out / "static")
        stages["static model"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        rows = np.lib.format.open_memmap(part_dir / "vectors" / "vectors.npy", mode="w+", dtype=np.float32,
                                         shape=(passages, encoder.dim))
        with spool.open(encoding="utf-8") as sp:
            batch: list[str] = []
            n = 0
            for line in sp:
                batch.append(json.loads(line))
                if len(batch) == ENCODE_BATCH:
                    rows[n:n + len(batch)] = encoder.encode_passages(batch)
                    n += len(batch)
                    batch = []
            if batch:
                rows[n:n + len(batch)] = encoder.encode_passages(batch)
        rows.flush()
        np.save(part_dir / "vectors" / "owners.npy", np.asarray(owners, dtype=np.int32))
        stages["embed"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        save_graph(part_dir / "vectors", rows, fingerprint=encoder.fingerprint, threads=POOL)
        del rows
        stages["ann"] = round(time.perf_counter() - t, 2)
        if e5 is not None:
            t = time.perf_counter()
            e5_meta = e5.write(part_dir, e5_articles, e5_laws, progress)
            stages["e5 acts"] = round(time.perf_counter() - t, 2)
            stages["e5 embedded"] = e5_meta["embedded"]
    finally:
        spool.unlink(missing_ok=True)
    parts.append(part_name)
    documents = {i: s for i, s in held.items() if i not in to_remove}
    documents.update({d.id: d.sha256 for d in to_add})
    total_units = (prev.get("units", 0) - _units_of(out, prev["parts"], to_remove) if prev else 0) + units
    meta = {"format": FORMAT, "name": name, "code": code, "documents": documents, "removed": removed,
            "parts": parts, "units": total_units, "static": encoder.fingerprint, "problems": problems[:200]}
    (out / "collection.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return CollectionBuild(out, len(documents), total_units, passages, len(to_add), len(to_remove), bool(prev), stages)


@dataclass
class ActVectors:
    """What the e5 stage of a part needs: the passage encoder (loaded only if the cache lacks a
    passage), the embedding cache's path, and the model (its tokenizer cuts the passages)."""

    encoder: object
    cache: Path
    model_dir: Path

    def write(self, part_dir: Path, articles: list[tuple[int, str, str]], laws: list[tuple[str, str]],
              progress: bool) -> dict:
        with EmbeddingCache(self.cache) as cache:
            try:
                return write_e5_part(part_dir, articles, laws, encoder=self.encoder, cache=cache,
                                     budget=TokenBudget(self.model_dir), progress=progress)
            finally:
                close = getattr(self.encoder, "close", None)
                if close is not None:
                    close()


def _units_of(out: Path, parts: list[str], doc_ids: list[str]) -> int:
    """Units the given documents hold in the earlier parts (what a removal takes out of the count)."""
    if not doc_ids:
        return 0
    n = 0
    for part in parts:
        con = open_store(out / "parts" / part / "store.sqlite")
        try:
            for i in range(0, len(doc_ids), 500):
                chunk = doc_ids[i:i + 500]
                n += con.execute(f"SELECT count(*) FROM units WHERE document IN ({','.join('?' * len(chunk))})",
                                 chunk).fetchone()[0]
        finally:
            con.close()
    return n


def collection_hash(settings: Settings, name: str) -> str:
    """What a large collection's files depend on: its register, the collection writers' code, the model."""
    h = hashlib.sha256(code_hash(settings, "collection").encode())
    h.update(name.encode())
    register = register_path(settings.corpus_dir, name)
    if register.exists():
        h.update(register.read_bytes())
    return h.hexdigest()[:16]


class LargeCollectionBuilder(CollectionBuilder):
    """A collection held in a register (全法令): `collections/<name>/`, built whole or by adding a part."""

    kind = "collection"

    def __init__(self, settings: Settings, name: str, docs: list[ExternalDoc], *, progress: bool = True):
        self.settings = settings
        self.name = name
        self.docs = docs
        self.progress = progress

    def paths(self) -> tuple[str, ...]:
        return (f"collections/{self.name}",)

    def digest(self) -> str:
        return collection_hash(self.settings, self.name)

    def build(self, out: Path, stages: Stages) -> Built:
        return self._write(out, None, stages)

    def add(self, out: Path, previous: Path, stages: Stages) -> Built | None:
        # build_collection itself falls back to a full build when the previous files were made by
        # other code, hold MAX_PARTS parts, or would lose a third of their units.
        held = previous / self.paths()[0]
        return self._write(out, held, stages) if held.is_dir() else None

    def _write(self, out: Path, previous: Path | None, stages: Stages) -> Built:
        e5 = ActVectors(LazyPassageEncoder(self.settings, model_fingerprint(self.settings.model_dir)),
                        cache_path(self.settings.index_dir), self.settings.model_dir)
        cb = build_collection(out / self.paths()[0], self.name, self.docs, code=code_hash(self.settings, "collection"),
                              model_dir=self.settings.model_dir, model_fingerprint=model_hash(self.settings),
                              static_root=self.settings.index_dir / "static", previous=previous,
                              progress=self.progress, e5=e5)
        how = "added to" if cb.incremental else "built"
        stages.done(self.name, f"{how}: {cb.added} documents in, {cb.removed} out; "
                               f"{cb.documents} documents, {cb.units} units ({cb.stages})")
        meta = {"documents": cb.documents, "units": cb.units, "added": cb.added, "removed": cb.removed,
                "incremental": cb.incremental, "stages": cb.stages}
        return Built(cb.units, cb.passages, cb.passages, meta)
