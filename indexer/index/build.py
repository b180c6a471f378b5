"""Build every collection's files atomically, one build at a time, and only when something changed.

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
covers the corpus files, the code that shapes the indexes and the model
(indexer.index.digests), so an unchanged build is skipped.

These are the stages every collection shares; each collection's own files are its builder's
(indexer.index.builder: RegionalBuilder, LargeCollectionBuilder). A collection whose digest is
that of the build in service is hard-linked from it, one that can take a part is added to, the
rest are written whole.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer import __version__
from indexer.config import Settings
from indexer.corpus.collections import EXTERNAL, check_registered_files, load_register
from indexer.errors import ModelUnavailable
from indexer.index.builder import Built, CollectionBuilder, Stages, link_paths
from indexer.index.collection_build import LargeCollectionBuilder
from indexer.index.digests import content_hash, corpus_hash, model_hash
from indexer.index.lock import build_lock
from indexer.index.manifest_writer import build_files, write_marker
from indexer.index.regional_build import RegionalBuilder
from indexer.index.store import current_build
from indexer.index.verify import complete_builds, is_complete
from indexer.model.e5_convert import ensure_default_model
from indexer.model.integrity import check_model_dir
from indexer.model.query_encoder import export_query_graph, graph_supported

#: The collection whose files sit at the root of a build (records.jsonl, keyword/, vectors/…).
REGIONAL = RegionalBuilder.name


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


def ensure_model(settings: Settings) -> Path:
    """The model directory, whole: the default one is (re)converted when missing or damaged (full
    checksums); any other is checked against the checksums it carries, if any, and named when bad."""
    if settings.uses_default_model:
        return ensure_default_model(settings.model_dir)
    if not (settings.model_dir / "modules.json").exists():
        raise ModelUnavailable(f"the configured model directory {settings.model_dir} holds no sentence-transformers model; "
                               "point POLICYKB_MODEL (or --model) at one, or unset it to use the default model")
    check_model_dir(settings.model_dir, full=True)
    return settings.model_dir


def prepare_model(settings: Settings) -> Path:
    """The model directory, whole (ensure_model), and its query graph for ONNX Runtime exported beside it."""
    model_dir = ensure_model(settings)
    if export_query_graph(settings.model_dir, settings.index_dir) is None and graph_supported(settings.model_dir):
        print("policykb build: 警告: 検索語の ONNX グラフを書き出せる場所がありません。検索語は torch で符号化します。",
              file=sys.stderr)
    return model_dir


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


def _manifest(build_dir: Path | None) -> dict:
    if build_dir is None:
        return {}
    try:
        return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def builders(settings: Settings, *, progress: bool = True) -> list[CollectionBuilder]:
    """Every collection's builder: the regional one, then one per external collection with a register."""
    found: list[CollectionBuilder] = [RegionalBuilder(settings, progress=progress)]
    for name in EXTERNAL:
        docs = load_register(settings.corpus_dir, name)
        if docs:
            found.append(LargeCollectionBuilder(settings, name, docs, progress=progress))
    return found


def write_collection(builder: CollectionBuilder, tmp: Path, previous: Path | None, prev_manifest: dict,
                      stages: Stages, *, force: bool) -> tuple[str, Built]:
    """One collection's files into tmp, the cheapest way its digest allows: linked from the build in
    service when unchanged, else a part added to its files, else written whole."""
    digest = builder.digest()
    if not force and previous is not None:
        if prev_manifest.get("digests", {}).get(builder.name) == digest:
            link_paths(previous, tmp, builder.paths())
            linked = _linked(builder.name, prev_manifest)
            stages.done(builder.name, f"unchanged: {linked.records} records linked from {previous.name}")
            return digest, linked
        added = builder.add(tmp, previous, stages)
        if added is not None:
            return digest, added
    return digest, builder.build(tmp, stages)


def _linked(name: str, prev_manifest: dict) -> Built:
    """An unchanged collection's entry, as the previous build's manifest recorded it."""
    if name == REGIONAL:
        records, chunks = prev_manifest.get("records", 0), prev_manifest.get("chunks", 0)
        return Built(records, chunks, 0, {"records": records, "chunks": chunks})
    meta = {**prev_manifest.get("collections", {}).get(name, {}), "added": 0, "removed": 0, "linked": True}
    return Built(meta.get("units", 0), 0, 0, meta)


def _build_locked(settings: Settings, *, force: bool, progress: bool) -> BuildResult:
    t0 = time.perf_counter()
    stages = Stages(progress)
    found = builders(settings, progress=progress)
    check_registered_files(settings.corpus_dir)  # an archive changed or gone since ingest: one line, stop
    prepare_model(settings)
    digest = content_hash(settings)
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
        digests: dict[str, str] = {}
        written: dict[str, Built] = {}
        for builder in found:
            digests[builder.name], written[builder.name] = write_collection(builder, tmp, previous, prev_manifest,
                                                                             stages, force=force)
        regional = written[REGIONAL]
        manifest = {
            "hash": digest, "digests": digests, "version": __version__, "records": regional.records,
            "chunks": regional.passages,
            "collections": {name: built.meta for name, built in written.items() if name != REGIONAL},
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
    return BuildResult(final, True, time.perf_counter() - t0, regional.records, stages.times, regional.passages,
                       regional.embedded)
