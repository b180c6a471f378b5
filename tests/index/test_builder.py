"""The builder interface: a collection other than the two of today is one more CollectionBuilder,
and the shared stage (indexer.index.build.write_collection) links it, adds to it or builds it by
its digest alone. Real files and hard links, no index build."""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer.index.build import write_collection
from indexer.index.builder import Built, CollectionBuilder, Stages


class NotesBuilder(CollectionBuilder):
    """A toy third collection: one text file under collections/notes/."""

    name = "notes"
    kind = "collection"

    def __init__(self, text: str, *, can_add: bool = False):
        self.text = text
        self.can_add = can_add
        self.calls: list[str] = []

    def paths(self) -> tuple[str, ...]:
        return ("collections/notes",)

    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def build(self, out: Path, stages: Stages) -> Built:
        self.calls.append("build")
        (out / "collections" / "notes").mkdir(parents=True)
        (out / "collections" / "notes" / "notes.txt").write_text(self.text, encoding="utf-8")
        stages.done(self.name, "built")
        return Built(1, meta={"units": 1})

    def add(self, out: Path, previous: Path, stages: Stages) -> Built | None:
        if not self.can_add:
            return None
        self.calls.append("add")
        old = (previous / "collections" / "notes" / "notes.txt").read_text(encoding="utf-8")
        (out / "collections" / "notes").mkdir(parents=True)
        (out / "collections" / "notes" / "notes.txt").write_text(old + self.text, encoding="utf-8")
        return Built(2, meta={"units": 2, "incremental": True})


def _write(tmp_path: Path, name: str, builder: CollectionBuilder, previous: Path | None = None,
           manifest: dict | None = None, *, force: bool = False) -> tuple[Path, str, Built, Stages]:
    out = tmp_path / name
    out.mkdir()
    stages = Stages(show=False)
    digest, built = write_collection(builder, out, previous, manifest or {}, stages, force=force)
    return out, digest, built, stages


def test_an_unchanged_collection_is_linked_a_changed_one_rebuilt(tmp_path):
    first, digest, built, _ = _write(tmp_path, "b1", NotesBuilder("第一版"))
    assert built.meta == {"units": 1}
    manifest = {"digests": {"notes": digest}, "collections": {"notes": built.meta}}

    same = NotesBuilder("第一版")
    second, digest2, built2, stages = _write(tmp_path, "b2", same, first, manifest)
    assert same.calls == [] and digest2 == digest
    assert (second / "collections/notes/notes.txt").samefile(first / "collections/notes/notes.txt")
    assert built2.meta["linked"] is True and built2.records == 1 and "notes" in stages.times

    changed = NotesBuilder("第二版")
    third, digest3, _, _ = _write(tmp_path, "b3", changed, first, manifest)
    assert changed.calls == ["build"] and digest3 != digest
    assert (third / "collections/notes/notes.txt").read_text(encoding="utf-8") == "第二版"
    assert not (third / "collections/notes/notes.txt").samefile(first / "collections/notes/notes.txt")


def test_a_builder_that_can_add_a_part_is_asked_first_unless_forced(tmp_path):
    first, digest, built, _ = _write(tmp_path, "b1", NotesBuilder("第一条"))
    manifest = {"digests": {"notes": digest}}
    adder = NotesBuilder("第二条", can_add=True)
    second, _, built2, _ = _write(tmp_path, "b2", adder, first, manifest)
    assert adder.calls == ["add"] and built2.meta["incremental"] is True
    assert (second / "collections/notes/notes.txt").read_text(encoding="utf-8") == "第一条第二条"
    forced = NotesBuilder("第一条", can_add=True)
    _write(tmp_path, "b3", forced, first, manifest, force=True)
    assert forced.calls == ["build"]  # --force: written whole, never linked or added to
