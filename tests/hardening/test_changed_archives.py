"""Issue 22, probe 6: an archive registered in 全法令 that changes or goes missing is noticed.

On a copy of the sample cut from the e-Gov archive (tests/collections/conftest.py), registered in a
temporary corpus: `policykb build` stops with one line naming the archive (it checks before it
decides it is up to date, so no earlier build is needed to show it), and `policykb verify` lists
it. A file only touched (same bytes) is not reported; ingesting the new archive again replaces
what was registered from it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from indexer.corpus.collections import load_register, registered_file_problems
from tests.collections.conftest import sample  # noqa: F401  (the session's sample archive)


@pytest.fixture()
def registered(policykb, corpus, tmp_path, sample):  # noqa: F811
    archive = tmp_path / "laws.tar.xz"
    shutil.copy(sample.archive, archive)
    r = policykb("--corpus", corpus, "ingest", archive, "--quiet")
    assert r.code == 0, r.err
    return archive


def test_a_touched_archive_is_not_a_change(corpus, registered):
    st = registered.stat()
    os.utime(registered, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert registered_file_problems(corpus) == []


def test_a_replaced_archive_stops_the_build_and_fails_verify(policykb, corpus, tmp_path, registered):
    registered.write_bytes(registered.read_bytes()[:-4096] + bytes(4096))
    r = policykb("--corpus", corpus, "--index-dir", tmp_path / "index", "build", "--quiet")
    assert r.code == 1
    assert r.err.strip() == (f"policykb: {registered}: changed since it was ingested (size {registered.stat().st_size:,} → "
                             f"{registered.stat().st_size:,} bytes, sha256 differs); run `policykb ingest` on it again "
                             "(or restore it)")
    assert not (tmp_path / "index" / "builds").exists()  # stopped before any work
    r = policykb("--corpus", corpus, "--index-dir", tmp_path / "index", "verify")
    assert r.code == 1
    assert f"changed: {registered}: changed since it was ingested" in r.out


def test_a_deleted_archive_stops_the_build(policykb, corpus, tmp_path, registered):
    registered.unlink()
    r = policykb("--corpus", corpus, "--index-dir", tmp_path / "index", "build", "--quiet")
    assert r.code == 1
    assert r.err.strip() == f"policykb: {registered}: registered but missing; run `policykb ingest` on it again (or restore it)"


def test_ingesting_the_changed_archive_again_replaces_its_entries(policykb, corpus, tmp_path, registered, sample):  # noqa: F811
    before = {d.member for d in load_register(corpus, "laws")}
    # A new edition: the same archive without its first law.
    import io
    import tarfile

    first = sorted(sample.members)[0]
    with tarfile.open(sample.archive, "r|*") as src, tarfile.open(registered, "w:xz") as dst:
        for m in src:
            if m.isfile() and m.name != first:
                dst.addfile(m, io.BytesIO(src.extractfile(m).read()))
    assert registered_file_problems(corpus)
    r = policykb("--corpus", corpus, "ingest", registered, "--quiet")
    assert r.code == 0, r.err
    assert registered_file_problems(corpus) == []
    docs = load_register(corpus, "laws")
    assert {d.member for d in docs} == before - {first}
    assert len({d.id for d in docs}) == len(docs)
