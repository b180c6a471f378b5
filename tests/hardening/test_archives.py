"""Issue 22, probe 2: archives are bounded — per member, per archive, and in what waits for the workers.

The archives are made here (an 11 KB .tar.xz of a 50 MB member of zeros is the probe of the issue);
each is ingested by the real `policykb ingest`, as a process where its memory is the measurement.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile

import indexer.corpus.files as files
from indexer.corpus.collections import load_register
from indexer.limits import MAX_TEXT_BYTES, MB
from tests.hardening.conftest import ROOT, snapshot

PEAK_RSS = """
import resource, subprocess, sys
p = subprocess.run([sys.executable, "-m", "policykb", *sys.argv[1:]], capture_output=True, text=True)
print(p.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.stderr.write(p.stderr)
"""


def _tar(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def ingest_measured(corpus, archive) -> tuple[int, int, str]:
    """(exit status, peak RSS in MB of the ingest and its workers, stderr)."""
    p = subprocess.run([sys.executable, "-c", PEAK_RSS, "--corpus", str(corpus), "ingest", str(archive), "--quiet"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    code, rss = p.stdout.split()
    return int(code), int(rss), p.stderr


def test_a_member_over_the_limit_is_refused_from_its_header(corpus, tmp_path):
    bomb = tmp_path / "bomb.tar.xz"
    _tar(bomb, {"laws/zeros.md": bytes(50 * MB), "laws/ok.md": "# 計画\n\n地域の計画を定める。\n".encode()})
    assert bomb.stat().st_size < 20_000
    code, rss, err = ingest_measured(corpus, bomb)
    assert code == 0, err
    assert f"{bomb}!laws/zeros.md: 50 MB, larger than the limit of {MAX_TEXT_BYTES // MB} MB; skipped" in err
    assert [d.member for d in load_register(corpus, "laws")] == ["laws/ok.md"]
    print(f"peak RSS with a 50 MB member: {rss} MB")
    assert rss < 400, f"{rss} MB: the member was read"


def test_members_with_nul_bytes_or_not_utf8_are_refused_before_being_read_whole(corpus, tmp_path):
    archive = tmp_path / "mixed.tar.xz"
    _tar(archive, {"laws/nul.md": b"\x00" * (2 * MB), "laws/sjis.md": "第一条　地域".encode("cp932") * 1000,
                   "laws/ok.md": "# 計画\n\n地域の計画を定める。\n".encode()})
    code, _, err = ingest_measured(corpus, archive)
    assert code == 0
    assert f"{archive}!laws/nul.md: binary data (NUL bytes); skipped" in err
    assert f"{archive}!laws/sjis.md: not UTF-8 text (byte " in err
    assert [d.member for d in load_register(corpus, "laws")] == ["laws/ok.md"]


def test_many_large_members_wait_for_the_workers(corpus, tmp_path):
    """Thirty members of 2 MB each: before, the reader queued them all (RSS 757 MB)."""
    archive = tmp_path / "thirty.tar.xz"
    line = ("地域の交通について定める" * 60_000)[:700_000]  # 2.1 MB of UTF-8, one line
    _tar(archive, {f"laws/{n:02d}.md": (line + "\n").encode() for n in range(30)})
    code, rss, err = ingest_measured(corpus, archive)
    assert code == 0, err
    assert len(load_register(corpus, "laws")) == 30
    print(f"peak RSS with thirty 2 MB members: {rss} MB")
    assert rss < 450, f"{rss} MB: the members piled up"


def test_an_archive_over_its_total_limit_stops_and_writes_nothing(policykb, corpus, tmp_path, monkeypatch):
    # The real limit is 2 GB; the same check at 1 MB keeps the probe small.
    monkeypatch.setattr(files, "MAX_ARCHIVE_BYTES", 1 * MB)
    archive = tmp_path / "total.tar.xz"
    _tar(archive, {f"laws/{n}.md": ("# 計画\n\n" + "地域" * 150_000).encode() for n in range(3)})
    before = snapshot(corpus)
    r = policykb("--corpus", corpus, "ingest", archive, "--quiet")
    assert r.code == 2
    assert r.err.strip() == f"policykb: {archive}: more than 1.0 MB of files unpacked; refused (limit MAX_ARCHIVE_BYTES)"
    assert snapshot(corpus) == before


def test_a_folder_file_over_the_limit_is_refused_by_size(policykb, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_TEXT_BYTES", 1 * MB)
    d = tmp_path / "d"
    d.mkdir()
    (d / "big.md").write_bytes(("地域" * 200_000).encode())
    (d / "ok.md").write_text("# 計画\n\n地域の計画を定める。\n", encoding="utf-8")
    r = policykb("--corpus", corpus, "ingest", d, "--quiet")
    assert r.code == 0
    assert "big.md: 1.1 MB, larger than the limit of 1.0 MB; refused" in r.err
    assert [d.member for d in load_register(corpus, "laws")] == ["ok.md"]
    assert json.loads((corpus / "collections" / "laws.files.json").read_text(encoding="utf-8"))
