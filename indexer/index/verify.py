"""Builds that prove they are whole: the file list, the completion marker, and the checks.

A build records every file it wrote (path, size, sha256) in `manifest.json`,
then writes `COMPLETE` last; `COMPLETE` holds the sha256 of the manifest, so a
manifest edited or cut short after the fact is caught too. A directory without
a valid marker is an interrupted build and is never served.

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
import os
from pathlib import Path

from indexer.errors import IndexUnavailable
from indexer.model.integrity import sha256_file

MARKER = "COMPLETE"
MANIFEST = "manifest.json"
#: Files a servable build cannot do without, checked even if a manifest forgot them.
REQUIRED = ("records.jsonl", "keyword/meta.json", "keyword/terms.json", "vectors/vectors.npy", "vectors/owners.json")
# tantivy's lock files are rewritten by whoever opens the index: not content.
_VOLATILE_PREFIX = ".tantivy-"


class BuildDamaged(IndexUnavailable):
    """One build is incomplete or damaged; the message names the file and the fix."""

    def __init__(self, build_dir: Path, path: str, reason: str):
        self.build_dir = build_dir
        self.path = path
        super().__init__(f"索引 {build_dir.name} の {path} が{reason}。"
                         "`policykb build --force` で作り直してください。")


def build_files(build_dir: Path, previous: Path | None = None) -> dict[str, dict]:
    """Every content file under build_dir (not the manifest, the marker or lock files): size and sha256.

    A file hard-linked from `previous` (same inode: an immutable file a build reused) takes its
    checksum from that build's manifest instead of being read again: adding one law to the
    2 GB index of all laws must not re-hash it all.
    """
    known: dict[str, dict] = {}
    if previous is not None:
        try:
            known = json.loads((previous / MANIFEST).read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError):
            known = {}
    out: dict[str, dict] = {}
    for p in sorted(build_dir.rglob("*")):
        rel = p.relative_to(build_dir).as_posix()
        if not p.is_file() or rel in (MANIFEST, MARKER) or p.name.startswith(_VOLATILE_PREFIX):
            continue
        st = p.stat()
        old = known.get(rel)
        if old and st.st_nlink > 1 and (previous / rel).exists() and os.path.samefile(p, previous / rel) \
                and old.get("size") == st.st_size:
            out[rel] = old
            continue
        out[rel] = {"size": st.st_size, "sha256": sha256_file(p)}
    return out


def fsync_tree(root: Path) -> None:
    """Flush every file and directory under root, so a marker never outlives its files on power loss."""
    for p in [*root.rglob("*"), root]:
        flags = os.O_RDONLY | (os.O_DIRECTORY if p.is_dir() else 0)
        fd = os.open(p, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_marker(build_dir: Path) -> None:
    """The last write of a build: the manifest's sha256, flushed together with everything before it."""
    fsync_tree(build_dir)
    marker = build_dir / MARKER
    marker.write_text(json.dumps({"manifest_sha256": sha256_file(build_dir / MANIFEST)}) + "\n", encoding="utf-8")
    fd = os.open(marker, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
