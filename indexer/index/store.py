"""The index directory as the query side sees it: which build is current, and whether it is stale.

Layout:
    builds/<hash>-<ns>/   records.jsonl, keyword/, vectors/, thesaurus.yaml, manifest.json
    current               symlink to the build in service

The staleness hash covers the corpus files, the model, and every module of the
packages that shape what is indexed (corpus, text, index, model, laws, ingest),
found by a glob rather than a hand-kept list, so that a change to any of them
marks the index stale. Query-only code (search, evaluation, the web app) is left
out: changing a snippet or a page never forces a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from indexer import __version__
from indexer.config import Settings

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: Subpackages of indexer/ whose code decides what goes into an index.
BUILD_SIDE = ("corpus", "text", "index", "model", "laws", "ingest")
MODEL_CONFIG_FILES = ("policykb_model.json", "modules.json", "config.json", "config_sentence_transformers.json")


def build_side_modules(root: Path = PACKAGE_ROOT) -> list[Path]:
    """Every Python module of the build-side subpackages, in a stable order."""
    return sorted(p for sub in BUILD_SIDE for p in (root / sub).rglob("*.py"))


def _hash_files(h: "hashlib._Hash", paths: list[Path], root: Path) -> None:
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())


def _corpus_files(corpus: Path, *, collections: bool = True) -> list[Path]:
    """The corpus files a build reads; with collections=False, without the registers of external
    collections (corpus/collections/*.jsonl), i.e. what the regional collection is built from."""
    return [p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".yaml", ".txt", ".md", ".pdf", ".jsonl")
            and (collections or p.relative_to(corpus).parts[0] != "collections")]


def _hash_model(h: "hashlib._Hash", model: Path) -> None:
    for name in MODEL_CONFIG_FILES:
        if (model / name).exists():
            h.update((model / name).read_bytes())
    h.update(str(model.resolve()).encode())


def content_hash(settings: Settings, *, package_root: Path = PACKAGE_ROOT) -> str:
    """What an index built now from these settings would be: corpus + build-side code + model."""
    h = hashlib.sha256(__version__.encode())
    _hash_files(h, _corpus_files(settings.corpus_dir), settings.corpus_dir)
    _hash_files(h, build_side_modules(package_root), package_root)
    _hash_model(h, settings.model_dir)
    return h.hexdigest()[:16]


def code_hash(settings: Settings, *, package_root: Path = PACKAGE_ROOT) -> str:
    """Build-side code and model, without the corpus: a collection index made by the same code and
    model can be added to instead of rebuilt."""
    h = hashlib.sha256(__version__.encode())
    _hash_files(h, build_side_modules(package_root), package_root)
    _hash_model(h, settings.model_dir)
    return h.hexdigest()[:16]


def regional_hash(settings: Settings) -> str:
    """What the regional part of a build depends on: the corpus without external registers, code, model."""
    h = hashlib.sha256(code_hash(settings).encode())
    _hash_files(h, _corpus_files(settings.corpus_dir, collections=False), settings.corpus_dir)
    return h.hexdigest()[:16]


def corpus_hash(settings: Settings) -> str:
    """The corpus alone (for /healthz and the manifest: which corpus a build came from)."""
    h = hashlib.sha256()
    _hash_files(h, _corpus_files(settings.corpus_dir), settings.corpus_dir)
    return h.hexdigest()[:16]


def model_hash(settings: Settings) -> str:
    """The model's configuration and location, as content_hash counts it."""
    h = hashlib.sha256()
    _hash_model(h, settings.model_dir)
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
