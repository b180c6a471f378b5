"""One interface for the builders of a collection's files: the regional material, 全法令, a future 例規集.

The build (indexer.index.build) owns every stage collections share: the lock, skipping an
unchanged build, the temporary directory, linking a collection whose digest did not change from
the build in service (`link_paths`), the manifest and its marker, the swap of `current`, pruning.
A builder owns only its collection's files:

  paths()       where they sit in a build directory
  digest()      what they depend on (inputs, the code that writes them, the model): equal
                digests mean equal files, so the build links them instead of writing them
  build(out)    write them from nothing
  add(out, previous)   write them by adding a part to the previous build's files; None when this
                builder cannot (the build then calls build)

`kind` names the builder's writer modules in indexer.index.fingerprint.WRITERS: their import
closure is the code its digest and the staleness hash cover.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Built:
    """What a builder wrote, for the build's result and its manifest."""

    records: int                 # records (regional) or units (a large collection)
    passages: int = 0            # rows of its vector index
    embedded: int = 0            # of which encoded now (the rest came from a cache)
    meta: dict = field(default_factory=dict)  # the collection's entry in the manifest


class Stages:
    """Per-stage progress: one line per finished stage on stderr (name, seconds, detail)."""

    def __init__(self, show: bool):
        self.show = show
        self.times: dict[str, float] = {}
        self._t = time.perf_counter()

    def done(self, name: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self._t, 2)
        self._t = now
        if self.show:
            print(f"policykb build: {name:<14} {self.times[name]:7.1f} s  {detail}".rstrip(), file=sys.stderr, flush=True)


def link_paths(previous: Path, out: Path, paths: tuple[str, ...]) -> None:
    """Hard-link files and directories of a previous build into `out`: a build's files are immutable,
    so linking is copying. tantivy's lock files are not content and are left behind."""
    for rel in paths:
        src, dst = previous / rel, out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, copy_function=os.link, ignore=shutil.ignore_patterns(".tantivy-*"))
        elif src.exists():
            os.link(src, dst)


class CollectionBuilder(ABC):
    #: The collection's name: its key in the manifest, its stage in the progress lines.
    name: str
    #: The builder's kind: its writer modules in indexer.index.fingerprint.WRITERS.
    kind: str

    @abstractmethod
    def paths(self) -> tuple[str, ...]:
        """Its files and directories, relative to a build directory."""

    @abstractmethod
    def digest(self) -> str:
        """Inputs + writer code + model: the files are the same whenever this is."""

    @abstractmethod
    def build(self, out: Path, stages: Stages) -> Built:
        """Write the collection's files into the build directory `out`, from nothing."""

    def add(self, out: Path, previous: Path, stages: Stages) -> Built | None:
        """Write them into `out` by adding a part to those of the build `previous`; None: not possible."""
        return None
