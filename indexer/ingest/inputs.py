"""What a path given to `policykb ingest` is, decided before anything is read from it.

A folder or an archive goes to the laws collection (indexer.ingest.collection), a single file
to corpus/sources/ (indexer.ingest.add). A symbolic link is refused unless the operator asked to
follow links; a device, FIFO or socket always: `ingest /dev/zero` would read for ever, and a FIFO
would wait for a writer. Each refusal is an IngestError, one line naming the path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from indexer.corpus.files import RefusedFile, is_archive
from indexer.ingest.errors import IngestError, RefusedInput


def input_kind(path: Path, *, follow_symlinks: bool = False) -> str:
    """'folder', 'archive' or 'file' for a path ingest may read; IngestError otherwise."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        raise RefusedInput(path, "no such file or folder") from None
    except OSError as exc:
        raise IngestError(path, exc.strerror or str(exc)) from None
    if stat.S_ISLNK(st.st_mode):
        raise RefusedInput(path, "a symbolic link; refused (--follow-symlinks reads what it points to)")
    if stat.S_ISDIR(st.st_mode):
        return "folder"
    try:
        return "archive" if is_archive(path, follow_symlinks=follow_symlinks) else "file"
    except RefusedFile as exc:
        raise RefusedInput(path, exc.reason) from None
