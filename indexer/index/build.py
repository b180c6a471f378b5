"""Build both indexes atomically, and only when something changed.

Layout of the index directory:
    builds/<hash>-<ns>/   records.jsonl, keyword/, vectors/, manifest.json
    current          symlink to the build in service
A build is written under a temporary name, renamed, and only then is `current`
swapped (an atomic rename of a symlink), so a failed or interrupted build
leaves the previous index serving. The hash covers the corpus files, the
indexer's code and the model, so an unchanged build is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from indexer import __version__
from indexer.config import Settings
from indexer.errors import BuildError, ModelUnavailable
from indexer.index.store import content_hash, current_build, manifest_hash


@dataclass
class BuildResult:
    path: Path
    built: bool
    seconds: float
    records: int


def ensure_model(settings: Settings) -> Path:
    if settings.uses_default_model:
        from indexer.model.e5_convert import ensure_default_model

        return ensure_default_model(settings.model_dir)
    if not (settings.model_dir / "modules.json").exists():
        raise ModelUnavailable(f"the configured model directory {settings.model_dir} holds no sentence-transformers model; "
                               "point POLICYKB_MODEL (or --model) at one, or unset it to use the default model")
    return settings.model_dir


def _swap_current(index_dir: Path, target: Path) -> None:
    tmp_link = index_dir / f".current-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("builds") / target.name)
    os.replace(tmp_link, index_dir / "current")


def _prune(index_dir: Path, keep: set[str]) -> None:
    for p in (index_dir / "builds").iterdir():
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def build(settings: Settings, *, force: bool = False, progress: bool = True) -> BuildResult:
    from indexer.corpus.loader import load_corpus
    from indexer.index.documents import search_doc
    from indexer.corpus.export import facet_values, record_dict
    from indexer.index.keyword_index import build_keyword_index
    from indexer.index.vectors import VectorIndex, chunk_passage
    from indexer.model.embedder import Embedder

    t0 = time.perf_counter()
    steps = tqdm(total=5, desc="policykb build", unit="step", disable=not progress)
    steps.set_postfix_str("validate")
    corpus = load_corpus(settings.corpus_dir)
    steps.update()
    steps.set_postfix_str("model")
    ensure_model(settings)
    digest = content_hash(settings)
    index_dir = settings.index_dir
    previous = current_build(index_dir)
    if not force and previous is not None and manifest_hash(previous) == digest:
        steps.close()
        return BuildResult(previous, False, time.perf_counter() - t0, len(corpus.records))
    steps.update()

    (index_dir / "builds").mkdir(parents=True, exist_ok=True)
    tmp = index_dir / "builds" / f".tmp-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        links = corpus.links_both_ways()
        records = [record_dict(r, corpus, links) for r in corpus.reading_order()]
        with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
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
        steps.set_postfix_str("keyword index")
        build_keyword_index(tmp / "keyword", docs, facets)
        steps.update()
        steps.set_postfix_str("vectors")
        embedder = Embedder(settings.model_dir)
        owners, passages = [], []
        for d in docs:
            for chunk in chunk_passage(d.title, d.passage()):
                owners.append(d.id)
                passages.append(chunk)
        vectors = embedder.encode_passages(passages, progress=progress)
        VectorIndex(vectors, owners).save(tmp / "vectors")
        steps.update()
        manifest = {
            "hash": digest, "version": __version__, "records": len(records), "chunks": len(passages),
            "model": str(settings.model_dir), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.perf_counter() - t0, 2),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        # A new name every time: the build in service is never touched.
        final = index_dir / "builds" / f"{digest}-{time.time_ns()}"
        os.rename(tmp, final)
        _swap_current(index_dir, final)
        _prune(index_dir, {final.name} | ({previous.name} if previous else set()))
        steps.update()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        steps.close()
    return BuildResult(final, True, time.perf_counter() - t0, len(records))
