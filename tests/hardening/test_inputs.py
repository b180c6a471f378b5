"""Issue 22, probes 1, 5 and 7: what ingest reads, and one line for every damaged or odd input.

Each probe runs the real `policykb ingest` on a temporary corpus and checks the exit status, that
stderr is one line naming the file and the reason, and that the corpus is byte-for-byte as before
when the input is refused.
"""

from __future__ import annotations

import io
import os
import tarfile

import pytest
import yaml

from indexer.corpus.collections import load_register
from indexer.corpus.loader import load_corpus
from tests.hardening.conftest import run_process, snapshot
from tests.ingest.conftest import STATUTE_MD

PASSWD = "/etc/passwd"


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


def registered_text(corpus) -> str:
    """Everything ingest wrote, as text: a local file's content must not be in it."""
    return "".join(b.decode("utf-8", "replace") for b in snapshot(corpus).values())


@pytest.mark.skipif(not os.path.exists(PASSWD), reason="needs /etc/passwd as the local file to protect")
def test_symlinks_are_refused_by_default(policykb, corpus, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "passwd.md").symlink_to(PASSWD)
    (folder / "etc").symlink_to("/etc", target_is_directory=True)
    (folder / "real.md").write_text("# 地域の計画\n\n計画を定める。\n", encoding="utf-8")
    single = tmp_path / "law.md"
    single.symlink_to(PASSWD)

    r = policykb("--corpus", corpus, "ingest", folder, "--quiet")
    assert r.code == 0  # a folder's bad file never stops the run: it is named and skipped
    assert "passwd.md: a symbolic link; refused" in r.err and "/etc: a symbolic link; refused" in r.err
    docs = load_register(corpus, "laws")
    assert [d.member for d in docs] == ["real.md"]
    assert "root:" not in registered_text(corpus)

    before = snapshot(corpus)
    r = policykb("--corpus", corpus, "ingest", single)
    assert r.code == 2
    assert one_line(r.err) == f"policykb: {single}: a symbolic link; refused (--follow-symlinks reads what it points to)"
    r = policykb("--corpus", corpus, "ingest", "--collection", "laws", single)
    assert r.code == 2 and "a symbolic link; refused" in one_line(r.err)
    assert snapshot(corpus) == before


def test_follow_symlinks_stays_inside_the_folder(policykb, corpus, tmp_path):
    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "plan.md").write_text("# 計画\n\n交通の計画を定める。\n", encoding="utf-8")
    (folder / "alias.md").symlink_to(folder / "sub" / "plan.md")    # inside: followed
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # inside, a loop: walked once
    outside = tmp_path / "secret.md"
    outside.write_text("# 秘密\n\nここは読まれてはならない。\n", encoding="utf-8")
    (folder / "secret.md").symlink_to(outside)                      # outside: refused
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)  # outside: refused

    r = policykb("--corpus", corpus, "ingest", folder, "--follow-symlinks", "--quiet")
    assert r.code == 0
    assert "secret.md: a symbolic link pointing outside the folder; refused" in r.err
    assert "up: a symbolic link pointing outside the folder; refused" in r.err
    assert sorted(d.member for d in load_register(corpus, "laws")) == ["alias.md", "sub/plan.md"]
    assert "読まれてはならない" not in registered_text(corpus)


def test_a_named_symlink_is_read_with_follow_symlinks(policykb, corpus, tmp_path):
    target = tmp_path / "plan.md"
    target.write_text("# 地域の計画\n\n地域の計画を定める。\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    r = policykb("--corpus", corpus, "ingest", link, "--follow-symlinks")
    assert r.code == 0, r.err
    assert (corpus / "sources" / "link.md").read_bytes() == target.read_bytes()
    assert not (corpus / "sources" / "link.md").is_symlink()


@pytest.mark.parametrize("collection", [[], ["--collection", "laws"]])
def test_devices_and_fifos_are_refused_without_reading(corpus, tmp_path, collection):
    fifo = tmp_path / "law.md"
    os.mkfifo(fifo)
    before = snapshot(corpus)
    for path, what in (("/dev/zero", "a device"), (fifo, "a FIFO")):
        # A read of /dev/zero never ends, and opening a FIFO waits for a writer: the timeout is the probe.
        p = run_process("--corpus", corpus, "ingest", *collection, path, timeout=60)
        assert p.returncode == 2
        assert one_line(p.stderr) == f"policykb: {path}: {what}, not a regular file; refused"
    assert snapshot(corpus) == before


def _tar(path, members: dict[str, bytes], mode: str) -> None:
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.xz", "w:xz"), (".tar.gz", "w:gz")])
def test_a_truncated_archive_is_one_line_and_writes_nothing(policykb, corpus, tmp_path, suffix, mode):
    whole = tmp_path / f"whole{suffix}"
    _tar(whole, {f"laws/{n:03d}.md": ("第一条　この法律は、地域について定める。\n" * 400).encode() for n in range(20)}, mode)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    before = snapshot(corpus)
    r = policykb("--corpus", corpus, "ingest", cut, "--quiet")
    assert r.code == 2
    line = one_line(r.err)
    assert line.startswith(f"policykb: {cut}: damaged or truncated archive (") and line.endswith("; refused")
    assert snapshot(corpus) == before


@pytest.mark.parametrize("option,value", [("--effective", "notadate"), ("--effective", "2024-02-30"),
                                          ("--date", "2024/04/01"), ("--date", "令和6年")])
def test_a_bad_date_is_one_line_and_writes_nothing(policykb, corpus, option, value):
    before = snapshot(corpus)
    r = policykb("--corpus", corpus, "ingest", STATUTE_MD, option, value)
    assert r.code == 2
    assert one_line(r.err) == f"policykb: {STATUTE_MD}: option cannot be used ({option} '{value}' is not a date written YYYY-MM-DD)"
    assert snapshot(corpus) == before


def test_odd_names_never_overwrite_and_leave_a_valid_corpus(policykb, corpus, tmp_path):
    """Names that once gave a traceback after a partial write: a twin `<stem>.utf8.md` beside a
    Shift_JIS `<stem>.md`, a leading dot, a line break, a .yaml or .txt-named original."""
    d = tmp_path / "in"
    d.mkdir()
    text = "# 地域の計画\n\n地域の計画を定める。{}\n"
    files = {
        "x.md": text.format("一").encode("cp932"),       # Shift_JIS: gets x.utf8.txt beside it
        "x.utf8.md": text.format("二").encode(),
        "x.utf8.txt": text.format("三").encode(),
        ".hidden.md": text.format("四").encode(),
        "line\nbreak.md": text.format("五").encode(),
        "notes.yaml": text.format("六").encode(),
        "..md": text.format("七").encode(),
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    written: list[bytes] = []
    for name in files:
        before = snapshot(corpus)
        r = policykb("--corpus", corpus, "ingest", d / name)
        assert r.code == 0, r.err
        assert "Traceback" not in r.err
        after = snapshot(corpus)
        assert all(after[k] == v for k, v in before.items() if not k.endswith(".yaml")), "a file was overwritten"
        written.append(files[name])
    names = [p.name for p in (corpus / "sources").iterdir()]
    assert not any(n.startswith(".") or "\n" in n for n in names), names
    corpus_obj = load_corpus(corpus)
    assert len(corpus_obj.sources) == len(files)
    for src in corpus_obj.sources.values():  # each source's file is its own, whole
        assert src.verify_checksum()


def test_a_statute_held_under_its_law_id_is_recognised_whatever_its_name(policykb, corpus, tmp_path):
    """まち・ひと・しごと創生法 held as law-426ac0000000136-20210901; a Shift_JIS copy under another name
    was added as law-h26-136. It is now refused; with a newer 施行日 it is a new version of the same law."""
    r = policykb("--corpus", corpus, "ingest", STATUTE_MD)
    assert r.code == 0, r.err
    held = "law-426ac0000000136-20210901"
    copy = tmp_path / "sousei-sjis.txt"
    copy.write_bytes(STATUTE_MD.read_text(encoding="utf-8").encode("cp932"))
    before = snapshot(corpus)
    r = policykb("--corpus", corpus, "ingest", copy)
    assert r.code == 2
    assert held in one_line(r.err) and "same 法令番号" in r.err
    assert snapshot(corpus) == before

    changed = tmp_path / "sousei-new.md"
    changed.write_text(STATUTE_MD.read_text(encoding="utf-8").replace("（目的）", "（目的等）", 1), encoding="utf-8")
    r = policykb("--corpus", corpus, "ingest", changed)
    assert r.code == 2 and "--effective YYYY-MM-DD" in one_line(r.err)
    assert snapshot(corpus) == before

    r = policykb("--corpus", corpus, "ingest", changed, "--effective", "2026-04-01")
    assert r.code == 0, r.err
    metas = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (corpus / "sources").glob("*.yaml")]
    ids = sorted(m["id"] for m in metas)
    assert ids == [held, "law-426ac0000000136-20260401"]
    old = next(m for m in metas if m["id"] == held)
    assert old["superseded_by"] == "law-426ac0000000136-20260401"
    assert {m["law_id"] for m in metas} == {"426AC0000000136"}
