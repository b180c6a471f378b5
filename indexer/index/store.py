"""The index directory as the query side sees it: which build is current, and whether it is stale.

Layout:
    builds/<hash>-<ns>/   records.jsonl, keyword/, vectors/, thesaurus.yaml, manifest.json
    current               symlink to the build in service

Whether a build is stale: its manifest's hash against `content_hash` of the settings now
(indexer.index.digests, which says what the hash covers).
"""

from __future__ import annotations

import json
from pathlib import Path

from indexer.index.digests import (
    build_side_modules,
    code_hash,
    content_hash,
    corpus_hash,
    model_hash,
    regional_hash,
)

__all__ = ["build_side_modules", "code_hash", "content_hash", "corpus_hash", "current_build", "manifest_hash",
           "model_hash", "regional_hash"]


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
