"""One build at a time: an exclusive lock in the index directory.

The lock is an OS file lock (filelock, fcntl underneath), so it is released by
the kernel when its holder dies, even by kill -9: a crashed build never blocks
the next one. Who holds it (pid, start time) is written beside it, so a build
that has to wait can say for whom.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from indexer.errors import BuildError

LOCK_FILE = ".build.lock"
HOLDER_FILE = ".build.holder"


def holder(index_dir: Path) -> str:
    """'pid N, started at T' of the build holding the lock, as far as it wrote it down."""
    try:
        info = json.loads((index_dir / HOLDER_FILE).read_text(encoding="utf-8"))
        return f"pid {info['pid']}, {info['started_at']} 開始"
    except (OSError, ValueError, KeyError, TypeError):
        return "保持者不明"


@contextmanager
def build_lock(index_dir: Path, *, wait: bool = True, poll_s: float = 0.5) -> Iterator[None]:
    """Hold the index directory's build lock; wait for it (saying for whom) or raise BuildError."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        who = holder(index_dir)
        if not wait:
            raise BuildError(f"別の索引作成が実行中です（{who}）。終わってからもう一度実行してください。") from None
        print(f"policykb: 別の索引作成が実行中です（{who}）。終わるのを待っています…", file=sys.stderr, flush=True)
        lock.acquire(poll_interval=poll_s)
    try:
        (index_dir / HOLDER_FILE).write_text(
            json.dumps({"pid": os.getpid(), "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}), encoding="utf-8")
        yield
    finally:
        try:
            (index_dir / HOLDER_FILE).unlink()
        except OSError:
            pass
        lock.release()
