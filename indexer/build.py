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

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from indexer import __version__
from indexer.config import Settings

CODE_FILES = ("thesaurus.py", "analysis.py", "documents.py", "keyword_index.py", "semantic_index.py", "build.py",
              "export.py", "schema.py", "citation.py", "corpus.py")


@dataclass
class BuildResult:
    path: Path
    built: bool
    seconds: float
    records: int


def _hash_files(h: "hashlib._Hash", paths: list[Path], root: Path) -> None:
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())


def content_hash(settings: Settings) -> str:
    h = hashlib.sha256(__version__.encode())
    corpus = settings.corpus_dir
    _hash_files(h, [p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".yaml", ".txt")], corpus)
    here = Path(__file__).parent
    _hash_files(h, [here / f for f in CODE_FILES], here)
    model = settings.model_dir
    for name in ("policykb_model.json", "modules.json", "config.json", "config_sentence_transformers.json"):
        if (model / name).exists():
            h.update((model / name).read_bytes())
    h.update(str(model.resolve()).encode())
    return h.hexdigest()[:16]


def manifest_hash(build_dir: Path) -> str | None:
    try:
        return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["hash"]
    except (OSError, ValueError, KeyError):
        return None


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    if not link.exists():
        return None
    return link.resolve()


def ensure_model(settings: Settings) -> Path:
    if settings.uses_default_model:
        from indexer.e5_convert import ensure_default_model

        return ensure_default_model(settings.model_dir)
    if not (settings.model_dir / "modules.json").exists():
        raise FileNotFoundError(f"the configured model directory {settings.model_dir} holds no sentence-transformers model")
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
    from indexer.corpus import load_corpus
    from indexer.documents import search_doc
    from indexer.export import facet_values, record_dict
    from indexer.keyword_index import build_keyword_index
    from indexer.semantic_index import Embedder, VectorIndex, chunk_passage

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
        neighbours = corpus.neighbours()
        records = [record_dict(r, corpus, neighbours) for r in corpus.reading_order()]
        with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        by_id = {r["id"]: r for r in records}
        docs = [search_doc(r, by_id) for r in records]
        facets = {r["id"]: facet_values(r) for r in records}
        thesaurus = settings.corpus_dir / "thesaurus.yaml"
        if thesaurus.exists():
            from indexer.thesaurus import load_thesaurus

            load_thesaurus(thesaurus)  # fail the build, not a query, on a malformed file
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
