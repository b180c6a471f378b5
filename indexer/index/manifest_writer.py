"""Sealing a build: the list of every file it wrote (size, sha256) and the COMPLETE marker, written last.

The checks that read them are indexer.index.verify (the design is described there).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.index.verify import MANIFEST, MARKER
from indexer.model.integrity import sha256_file

# tantivy's lock files are rewritten by whoever opens the index: not content.
_VOLATILE_PREFIX = ".tantivy-"


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
