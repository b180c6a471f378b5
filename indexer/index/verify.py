"""Builds that prove they are whole: the file list, the completion marker, and the checks.

A build records every file it wrote (path, size, sha256) in `manifest.json`,
then writes `COMPLETE` last; `COMPLETE` holds the sha256 of the manifest, so a
manifest edited or cut short after the fact is caught too. A directory without
a valid marker is an interrupted build and is never served.

The writing side (the file list, the marker) is indexer.index.manifest_writer; this module checks.

Two levels of checking:
  - quick (every open): marker, manifest, and each file's presence and size.
    Milliseconds; catches truncation, deletion and an interrupted build.
  - full (`policykb verify`): the quick check plus every sha256, which catches
    damage that keeps a file's size.
Whatever slips past the quick check (same-size garbage) still fails when the
engine opens the build, and is reported the same way (see `damaged`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from indexer.errors import IndexUnavailable
from indexer.model.integrity import sha256_file

MARKER = "COMPLETE"
MANIFEST = "manifest.json"
#: Files a servable build cannot do without, checked even if a manifest forgot them.
REQUIRED = ("records.jsonl", "keyword/meta.json", "keyword/terms.json", "vectors/vectors.npy", "vectors/owners.json")


class BuildDamaged(IndexUnavailable):
    """One build is incomplete or damaged; the message names the file and the fix."""

    def __init__(self, build_dir: Path, path: str, reason: str):
        self.build_dir = build_dir
        self.path = path
        super().__init__(f"索引 {build_dir.name} の {path} が{reason}。"
                         "`policykb build --force` で作り直してください。")


def is_complete(build_dir: Path) -> bool:
    try:
        check_build(build_dir)
    except BuildDamaged:
        return False
    return True


def check_build(build_dir: Path, *, full: bool = False) -> dict:
    """Raise BuildDamaged naming the first bad file; return the manifest when the build is whole."""
    try:
        marker = json.loads((build_dir / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildDamaged(build_dir, MARKER, "ありません（作成が途中で止まった索引です）") from None
    except (OSError, ValueError):
        raise BuildDamaged(build_dir, MARKER, "読めません") from None
    try:
        manifest_bytes = (build_dir / MANIFEST).read_bytes()
    except OSError:
        raise BuildDamaged(build_dir, MANIFEST, "ありません") from None
    if not isinstance(marker, dict) or marker.get("manifest_sha256") != hashlib.sha256(manifest_bytes).hexdigest():
        raise BuildDamaged(build_dir, MANIFEST, "完了時の内容と一致しません")
    try:
        manifest = json.loads(manifest_bytes)
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise BuildDamaged(build_dir, MANIFEST, "壊れています") from None
    for rel in REQUIRED:
        if rel not in files:
            raise BuildDamaged(build_dir, rel, "索引の目録にありません")
    for rel, meta in files.items():
        p = build_dir / rel
        try:
            size = p.stat().st_size
        except OSError:
            raise BuildDamaged(build_dir, rel, "ありません") from None
        if size != meta["size"]:
            raise BuildDamaged(build_dir, rel, f"壊れています（{size}バイト、作成時は{meta['size']}バイト）")
        if full and sha256_file(p) != meta["sha256"]:
            raise BuildDamaged(build_dir, rel, "壊れています（チェックサムが作成時と異なります）")
    return manifest


def build_time(build_dir: Path) -> int:
    """The ns timestamp a build's name ends with (builds/<hash>-<ns>); 0 for anything else."""
    tail = build_dir.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def finished_builds(index_dir: Path) -> list[Path]:
    """Renamed (non-temporary) builds, newest first; whole or not."""
    builds = index_dir / "builds"
    if not builds.is_dir():
        return []
    return sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=build_time, reverse=True)


def complete_builds(index_dir: Path) -> list[Path]:
    """Builds that pass the quick check, newest first."""
    return [p for p in finished_builds(index_dir) if is_complete(p)]


def load_part(build_dir: Path, rel: str, load):
    """`load()` one part of a build; any failure becomes BuildDamaged naming that part."""
    try:
        return load()
    except IndexUnavailable:
        raise
    except Exception as exc:  # tantivy, numpy, yaml and json each fail in their own way
        reason = " ".join(str(exc).split())[:160]
        raise BuildDamaged(build_dir, rel, f"読めません（{type(exc).__name__}: {reason}）") from exc


def serving_candidates(index_dir: Path) -> list[Path]:
    """`current` first (what the last build put in service), then every other build, newest first."""
    cur = index_dir / "current"
    first = [cur.resolve()] if cur.is_symlink() or cur.exists() else []
    return first + [p.resolve() for p in finished_builds(index_dir) if p.resolve() not in first]
