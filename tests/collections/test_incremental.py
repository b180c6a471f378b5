"""Adding one law to a built 全法令 index: a new part, the rest linked; the build in service untouched."""

from __future__ import annotations

import json
import shutil

import pytest

from policykb.cli import main
from indexer.config import load_settings
from indexer.index.build import build
from indexer.index.verify import check_build, finished_builds
from indexer.search.filters import Filters


@pytest.fixture(scope="module")
def added(laws_settings, sample, tmp_path_factory):
    """A copy of the built index and corpus, then one more statute ingested and built."""
    from indexer.search.engine import SearchEngine

    root = tmp_path_factory.mktemp("incremental")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(laws_settings.corpus_dir, corpus)
    shutil.copytree(laws_settings.index_dir, index, symlinks=True)
    s = load_settings(corpus_dir=corpus, index_dir=index)
    before = SearchEngine.open(s)
    old_build = before.build_dir
    old_files = {p: p.stat().st_ino for p in old_build.rglob("*") if p.is_file()}
    assert main(["--corpus", str(corpus), "ingest", str(sample.extra_law), "--collection", "laws", "--quiet"]) == 0
    result = build(s, progress=False)
    return s, before, old_build, old_files, result


def test_only_the_new_law_is_written(added, sample):
    s, before, old_build, _, result = added
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    laws = manifest["collections"]["laws"]
    assert laws["incremental"] is True and laws["added"] == 1 and laws["removed"] == 0
    assert result.stages.get("regional") is not None  # linked, not rebuilt
    assert "validate" not in result.stages
    # The regional part and the earlier part of the laws are the same files (hard links).
    assert (result.path / "records.jsonl").samefile(old_build / "records.jsonl")
    first_part = sorted((old_build / "collections" / "laws" / "parts").iterdir())[0]
    twin = result.path / "collections" / "laws" / "parts" / first_part.name / "store.sqlite"
    assert twin.samefile(first_part / "store.sqlite")
    assert len(list((result.path / "collections" / "laws" / "parts").iterdir())) == 2


def test_new_law_is_found_and_old_build_still_serves(added, sample):
    from indexer.search.engine import SearchEngine

    s, before, old_build, old_files, result = added
    after = SearchEngine.open(s, allow_stale=False)
    assert after.build_dir == result.path
    new_doc = next(d for d in after.collections["laws"].documents if sample.extra_law_id.lower() in d)
    title = after.collections["laws"].titles([new_doc])[new_doc]
    hits = after.search(title, k=20, filters=Filters(collection=("laws",)))
    assert any(after.record(r["id"])["source"] == new_doc for r in hits.results)
    # The engine opened before the add still answers from its own, unchanged files.
    assert new_doc not in before.collections["laws"].documents
    assert before.search("施行期日", filters=Filters(collection=("laws",))).total > 0
    assert {p: p.stat().st_ino for p in old_build.rglob("*") if p.is_file()} == old_files
    for b in finished_builds(s.index_dir):
        check_build(b)


def test_the_new_act_gets_its_e5_rows_in_its_own_part(added, sample):
    """The added law is an Act: its part holds its e5 rows, the first part's rows are the same files."""
    from indexer.search.engine import SearchEngine

    s, before, old_build, _, result = added
    after = SearchEngine.open(s, allow_stale=False)
    laws = after.collections["laws"]
    new_doc = next(d for d in laws.documents if sample.extra_law_id.lower() in d)
    first, last = laws.index.parts[0], laws.index.parts[-1]
    assert last.law_ids == [new_doc] and new_doc not in first.law_ids
    twin = old_build / "collections" / "laws" / "parts" / first.path.name / "e5" / "articles" / "vectors.npy"
    assert (first.path / "e5" / "articles" / "vectors.npy").samefile(twin)
    title = laws.titles([new_doc])[new_doc]
    assert laws.nearest_laws(after.embedder.encode_query(title), 1)[0][0] == new_doc
    assert before.collections["laws"].nearest_laws(after.embedder.encode_query(title), 1)[0][0] != new_doc


def test_memory_mapped_reload_shares_the_files(added):
    """Two engines over one build map the same files: the vectors are np.memmap, the store read-only."""
    import numpy as np

    from indexer.search.engine import SearchEngine

    s, *_ = added
    a, b = SearchEngine.open(s), SearchEngine.open(s)
    # The last part's rows, behind the vector-search interface (indexer.index.ann.AnnVectorIndex).
    pa, pb = a.collections["laws"].index.parts[-1].vectors, b.collections["laws"].index.parts[-1].vectors
    assert isinstance(pa.vectors, np.memmap) and isinstance(pb.vectors, np.memmap)
    assert pa.vectors.filename == pb.vectors.filename
    q = "地方公共団体の長"
    assert [r["id"] for r in a.search(q, filters=Filters(collection=("laws",))).results] == \
        [r["id"] for r in b.search(q, filters=Filters(collection=("laws",))).results]


def test_a_new_version_replaces_the_old_one(added, sample, tmp_path):
    """A later 施行日 of a law already held: its old units leave tantivy and the vector side, the
    new text answers under the same unit ids, and the count of units stays true. (Runs last: it
    adds a third build to the index of `added`.)"""
    from indexer.search.engine import SearchEngine

    s, *_ = added
    before = SearchEngine.open(s)
    coll = before.collections["laws"]
    law_id = sample.two_versions[1].split("/")[-1].split("_")[0]
    old_doc = next(d for d in coll.documents if d.startswith(f"law-{law_id.lower()}-"))
    units = coll.document_units(old_doc)
    text = coll.document(old_doc)[1]
    marker = "（令和九年改正で加えた語句ミツバチ条項）"
    first = next(u for u in units if u["kind"] == "article")
    new_text = text.replace(first["text"], first["text"] + marker, 1)
    assert new_text != text
    path = tmp_path / f"{law_id}_20291201_511AC0000000001.md"
    path.write_text(new_text, encoding="utf-8")
    assert main(["--corpus", str(s.corpus_dir), "ingest", str(path), "--collection", "laws", "--quiet"]) == 0
    result = build(s, progress=False)
    laws = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))["collections"]["laws"]
    assert (laws["added"], laws["removed"], laws["incremental"]) == (1, 1, True)
    after = SearchEngine.open(s, allow_stale=False)
    new_coll = after.collections["laws"]
    assert old_doc not in new_coll.documents
    assert laws["units"] == new_coll.units == coll.units - len(units) + len(new_coll.document_units(
        next(d for d in new_coll.documents if d.startswith(f"law-{law_id.lower()}-2029"))))
    assert marker in after.record(first["id"])["text"]
    hits = after.search("ミツバチ条項", mode="keyword", filters=Filters(collection=("laws",)))
    assert hits.results[0]["id"] == first["id"]
    assert all(after.record(r["id"])["source"] != old_doc for r in hits.results)
    sem = after.search(first["title"], mode="semantic", k=50, filters=Filters(collection=("laws",)))
    assert all(after.record(r["id"])["source"] != old_doc for r in sem.results)
