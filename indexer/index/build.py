"""Build both indexes atomically, one at a time, and only when something changed.

Layout of the index directory:
    builds/<hash>-<ns>/   records.jsonl, keyword/, vectors/, thesaurus.yaml, manifest.json, COMPLETE
    current               symlink to the build in service
    .build.lock           held by the one build running (indexer.index.lock)
A build holds the directory's lock from start to end, so two builds never
interleave and pruning never meets a build another process is writing. It is
written under a temporary name; the manifest lists every file with its size
and sha256 and `COMPLETE` is written last (indexer.index.verify); then the
directory is renamed and only then is `current` swapped (an atomic rename of a
symlink). A failed, interrupted or killed build therefore leaves the previous
index serving, and `current` only ever points at a complete build. The
previous complete build is kept beside the new one, as the fallback. The hash
covers the corpus files, the indexer's code and the model, so an unchanged
build is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer import __version__
from indexer.config import Settings
from indexer.errors import BuildError, ModelUnavailable
from indexer.index.lock import build_lock
from indexer.index.store import code_hash, content_hash, corpus_hash, current_build, model_hash, regional_hash
from indexer.index.verify import build_files, complete_builds, is_complete, write_marker


@dataclass
class BuildResult:
    path: Path
    built: bool
    seconds: float
    records: int
    #: Seconds per stage (validate, model, records, keyword index, vectors, finish), in order.
    stages: dict[str, float] = field(default_factory=dict)
    passages: int = 0  # chunks in the vector index
    embedded: int = 0  # of which the model encoded now (the rest came from the embedding cache)


#: The embedding cache, beside the builds (pruning never touches it): a rebuild embeds only new passages.
CACHE_FILE = "embeddings.sqlite"


def cache_path(index_dir: Path) -> Path:
    """The embedding cache: POLICYKB_EMBEDDING_CACHE when set (tests share the developer's cache
    this way, so a session's build of the default corpus embeds nothing already embedded), else
    <index dir>/embeddings.sqlite. Sharing is safe: rows are keyed by encoder fingerprint and text."""
    env = os.environ.get("POLICYKB_EMBEDDING_CACHE")
    return Path(env) if env else index_dir / CACHE_FILE


class _LazyEncoder:
    """The passage encoder for `encode_cached`, loading the model only when something is missing."""

    def __init__(self, model_dir: Path, fingerprint: str):
        self.model_dir = model_dir
        self.fingerprint = fingerprint
        self._embedder = None

    def encode_passages(self, texts: list[str], *, progress: bool = False):
        if self._embedder is None:
            from indexer.model.embedder import Embedder

            self._embedder = Embedder(self.model_dir)
        return self._embedder.encode_passages(texts, progress=progress)


class _Stages:
    """Per-stage progress: one line per finished stage on stderr (name, seconds, detail)."""

    def __init__(self, show: bool):
        self.show = show
        self.times: dict[str, float] = {}
        self._t = time.perf_counter()

    def done(self, name: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self._t, 2)
        self._t = now
        if self.show:
            print(f"policykb build: {name:<14} {self.times[name]:7.1f} s  {detail}".rstrip(), file=sys.stderr, flush=True)


def ensure_model(settings: Settings) -> Path:
    """The model directory, whole: the default one is (re)converted when missing or damaged (full
    checksums); any other is checked against the checksums it carries, if any, and named when bad."""
    if settings.uses_default_model:
        from indexer.model.e5_convert import ensure_default_model

        return ensure_default_model(settings.model_dir)
    if not (settings.model_dir / "modules.json").exists():
        raise ModelUnavailable(f"the configured model directory {settings.model_dir} holds no sentence-transformers model; "
                               "point POLICYKB_MODEL (or --model) at one, or unset it to use the default model")
    from indexer.model.integrity import check_model_dir

    check_model_dir(settings.model_dir, full=True)
    return settings.model_dir


def _swap_current(index_dir: Path, target: Path) -> None:
    tmp_link = index_dir / f".current-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("builds") / target.name)
    os.replace(tmp_link, index_dir / "current")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove every build but `keep`. Called with the build lock held, so no other build is being
    written; a temporary directory whose writer is still alive is left alone all the same (a build
    run by code that predates the lock)."""
    for p in (index_dir / "builds").iterdir():
        if p.name in keep:
            continue
        if p.name.startswith(".tmp-"):
            pid = p.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
                continue
        shutil.rmtree(p, ignore_errors=True)


def serving_build(index_dir: Path) -> Path | None:
    """The newest build that passes the quick check: `current` when it does, else the newest complete one."""
    cur = current_build(index_dir)
    if cur is not None and is_complete(cur):
        return cur
    complete = complete_builds(index_dir)
    return complete[0] if complete else None


def build(settings: Settings, *, force: bool = False, progress: bool = True, wait: bool = True) -> BuildResult:
    """Build when something changed. With another build running: wait for it (wait=True, saying
    whose it is) or raise BuildError naming it."""
    with build_lock(settings.index_dir, wait=wait):
        return _build_locked(settings, force=force, progress=progress)


#: Files of the regional part of a build; everything else is a collection's (collections/<name>/).
REGIONAL_PARTS = ("records.jsonl", "sources.json", "keyword", "vectors", "thesaurus.yaml")


def _manifest(build_dir: Path | None) -> dict:
    if build_dir is None:
        return {}
    try:
        return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _build_locked(settings: Settings, *, force: bool, progress: bool) -> BuildResult:
    from indexer.corpus.collections import EXTERNAL, check_registered_files, load_register

    t0 = time.perf_counter()
    stages = _Stages(progress)
    registers = {name: load_register(settings.corpus_dir, name) for name in EXTERNAL}
    registers = {name: docs for name, docs in registers.items() if docs}
    check_registered_files(settings.corpus_dir)  # an archive changed or gone since ingest: one line, stop
    ensure_model(settings)
    digest = content_hash(settings)
    regional_digest = regional_hash(settings)
    index_dir = settings.index_dir
    previous = serving_build(index_dir)
    prev_manifest = _manifest(previous)
    if not force and previous is not None and prev_manifest.get("hash") == digest:
        if current_build(index_dir) != previous:  # `current` lost or damaged: point it back at a whole build
            _swap_current(index_dir, previous)
        return BuildResult(previous, False, time.perf_counter() - t0, prev_manifest.get("records", 0))
    stages.done("model")

    (index_dir / "builds").mkdir(parents=True, exist_ok=True)
    tmp = index_dir / "builds" / f".tmp-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        reuse = not force and previous is not None and prev_manifest.get("regional_hash") == regional_digest
        if reuse:
            # The regional corpus, code and model are those of the build in service: its files are
            # immutable, so they are linked, not rebuilt (adding a law to 全法令 costs only the law).
            for name in REGIONAL_PARTS:
                if (previous / name).is_dir():
                    shutil.copytree(previous / name, tmp / name, copy_function=os.link)
                elif (previous / name).exists():
                    os.link(previous / name, tmp / name)
            n_records, n_chunks, missing = prev_manifest.get("records", 0), prev_manifest.get("chunks", 0), 0
            stages.done("regional", f"unchanged: {n_records} records linked from {previous.name}")
        else:
            n_records, n_chunks, missing = _build_regional(settings, tmp, stages, progress)
        collections_meta = {}
        for name, docs in registers.items():
            from indexer.index.collection_build import build_collection

            prev_coll = previous / "collections" / name if (previous is not None and not force) else None
            cb = build_collection(tmp / "collections" / name, name, docs, code=code_hash(settings),
                                  model_dir=settings.model_dir, model_fingerprint=model_hash(settings),
                                  static_root=index_dir / "static", previous=prev_coll, progress=progress)
            collections_meta[name] = {"documents": cb.documents, "units": cb.units, "added": cb.added,
                                      "removed": cb.removed, "incremental": cb.incremental, "stages": cb.stages}
            how = "added to" if cb.incremental else "built"
            stages.done(f"{name}", f"{how}: {cb.added} documents in, {cb.removed} out; "
                                   f"{cb.documents} documents, {cb.units} units ({cb.stages})")
        manifest = {
            "hash": digest, "regional_hash": regional_digest, "version": __version__, "records": n_records,
            "chunks": n_chunks, "collections": collections_meta,
            "model": str(settings.model_dir), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.perf_counter() - t0, 2),
            "corpus_hash": corpus_hash(settings), "model_hash": model_hash(settings),
            "files": build_files(tmp, previous),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        write_marker(tmp)  # last: until it exists, this directory is an interrupted build
        # A new name every time: the build in service is never touched.
        final = index_dir / "builds" / f"{digest}-{time.time_ns()}"
        os.rename(tmp, final)
        _swap_current(index_dir, final)
        _prune(index_dir, {final.name} | ({previous.name} if previous else set()))
        stages.done("finish")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(final, True, time.perf_counter() - t0, n_records, stages.times, n_chunks, missing)


def _build_regional(settings: Settings, tmp: Path, stages: _Stages, progress: bool) -> tuple[int, int, int]:
    """The regional collection's files into tmp: records, reading views, keyword index, e5 vectors.
    Returns (records, passages, passages embedded now)."""
    from indexer.corpus.export import facet_values, record_dict
    from indexer.corpus.loader import load_corpus
    from indexer.corpus.reading import reader_payload
    from indexer.index.documents import embedding_passages, search_doc
    from indexer.index.keyword_index import build_keyword_index
    from indexer.index.vectors import VectorIndex
    from indexer.model.cache import EmbeddingCache, model_fingerprint, text_key

    corpus = load_corpus(settings.corpus_dir)
    stages.done("validate", f"{len(corpus.records)} records from {len(corpus.sources)} sources")
    links = corpus.links_both_ways()
    records = [record_dict(r, corpus, links) for r in corpus.reading_order()]
    with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (tmp / "sources.json").write_text(json.dumps(reader_payload(corpus), ensure_ascii=False), encoding="utf-8")
    by_id = {r["id"]: r for r in records}
    docs = [search_doc(r, by_id) for r in records]
    facets = {r["id"]: facet_values(r) for r in records}
    thesaurus = settings.corpus_dir / "thesaurus.yaml"
    if thesaurus.exists():
        from indexer.text.thesaurus import load_thesaurus

        try:
            load_thesaurus(thesaurus)  # fail the build, not a query, on a malformed file
        except ValueError as exc:
            raise BuildError(f"{thesaurus}: {exc}; the index in service is unchanged") from exc
        shutil.copy(thesaurus, tmp / "thesaurus.yaml")
    stages.done("records", f"{len(records)} records exported")
    build_keyword_index(tmp / "keyword", docs, facets)
    stages.done("keyword index", f"{len(docs)} documents")
    owners, passages = [], []
    for rec, d in zip(records, docs):
        for chunk in embedding_passages(rec, d):
            owners.append(d.id)
            passages.append(chunk)
    encoder = _LazyEncoder(settings.model_dir, model_fingerprint(settings.model_dir))
    with EmbeddingCache(cache_path(settings.index_dir)) as cache:
        missing = len(set(passages)) - len(cache.get_many(encoder.fingerprint, [text_key(t) for t in set(passages)]))
        if progress:
            print(f"policykb build: embedding {missing} new passages of {len(passages)} (the rest cached)",
                  file=sys.stderr, flush=True)
        vectors = cache.encode_cached(encoder, passages, progress=progress)
    VectorIndex(vectors, owners).save(tmp / "vectors")
    stages.done("vectors", f"{len(passages)} passages, {missing} embedded now")
    return len(records), len(passages), missing
