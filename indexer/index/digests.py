"""The digests that say whether a build is current: corpus + the code that shapes an index + model.

The staleness hash covers the corpus files, the model, and exactly the modules that shape
what is indexed: the import closure of every builder's writer modules
(indexer.index.fingerprint), so that a change to any of them marks the index stale, while
query-only code (snippets, the readers, verification, search, evaluation, the web app) is left
out: changing a snippet or a page never forces a rebuild. Each builder's own digest
(indexer.index.builder) covers its inputs and its own writers' closure only, so a change to the
regional writer leaves 全法令 linked, not rebuilt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer import __version__
from indexer.config import Settings
from indexer.index.fingerprint import PACKAGE_ROOT, WRITERS, hash_modules, writer_modules

MODEL_CONFIG_FILES = ("policykb_model.json", "modules.json", "config.json", "config_sentence_transformers.json")


def build_side_modules(root: Path = PACKAGE_ROOT) -> list[Path]:
    """Every module that shapes an index (all builders' writers and what they import), in a stable order."""
    return writer_modules(root=root)


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
    hash_modules(h, build_side_modules(package_root), package_root)
    _hash_model(h, settings.model_dir)
    return h.hexdigest()[:16]


def code_hash(settings: Settings, kind: str | None = None, *, package_root: Path = PACKAGE_ROOT) -> str:
    """The code that shapes one kind of builder's files (all kinds when None) and the model, without
    the corpus: a collection index made by the same code and model can be added to instead of rebuilt."""
    h = hashlib.sha256(__version__.encode())
    hash_modules(h, writer_modules(tuple(WRITERS) if kind is None else (kind,), package_root), package_root)
    _hash_model(h, settings.model_dir)
    return h.hexdigest()[:16]


def regional_hash(settings: Settings, *, package_root: Path = PACKAGE_ROOT) -> str:
    """What the regional part of a build depends on: the corpus without external registers, its code, model."""
    h = hashlib.sha256(code_hash(settings, "regional", package_root=package_root).encode())
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
