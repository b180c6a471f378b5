"""`policykb ingest ARCHIVE`: streamed, registered by path and sha256, bad files reported, never fatal."""

from __future__ import annotations

import json
import shutil

from policykb.cli import main
from indexer.corpus.collections import load_register, register_path
from indexer.corpus.files import stamps_path


def test_archive_is_registered_not_copied(sample, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "sources").mkdir(parents=True)
    assert main(["--corpus", str(corpus), "ingest", str(sample.archive), "--quiet"]) == 0
    out, err = capsys.readouterr()
    docs = load_register(corpus, "laws")
    # Every text member is registered, by the archive's path, the member and its sha256; no copy in corpus/.
    assert sorted(d.member for d in docs) == sample.members
    assert {d.path for d in docs} == {str(sample.archive.resolve())}
    assert all(len(d.sha256) == 64 for d in docs)
    # Beside the register, only the archive's stamp (size, mtime, sha256) that lets a build notice a change.
    register = register_path(corpus, "laws")
    assert sorted(p.name for p in corpus.rglob("*") if p.is_file()) == sorted([register.name, stamps_path(register).name])
    assert list(json.loads(stamps_path(register).read_text(encoding="utf-8"))) == [str(sample.archive.resolve())]
    # The bad files are named with their reason on stderr, and the run went on.
    assert "broken.md: not UTF-8 text" in err and "figure.xml: not a text file" in err
    rejected = next(d for d in docs if d.member == sample.rejected_member)
    assert rejected.form == "passages" and rejected.passages > 0 and rejected.problem.startswith("line ")
    assert f"{sample.rejected_member}: line " in err
    # The summary counts laws, articles and passages.
    structured = [d for d in docs if d.form == "statute" and d.status == "current"]
    assert f"{sum(d.articles for d in structured)} articles" in out
    assert f"{len(structured)} structured" in out


def test_one_current_version_per_law(sample, tmp_path):
    corpus = tmp_path / "corpus"
    main(["--corpus", str(corpus), "ingest", str(sample.archive), "--quiet"])
    docs = {d.member: d for d in load_register(corpus, "laws")}
    older, newer = (docs[m] for m in sample.two_versions)
    assert older.law_id == newer.law_id and older.effective < newer.effective
    assert (older.status, newer.status) == ("version", "current")
    assert newer.versions == [older.id]
    current_ids = [d.law_key for d in docs.values() if d.status == "current"]
    assert len(current_ids) == len(set(current_ids))


def test_regional_statute_belongs_to_both(sample, tmp_path):
    from tests.collections.conftest import REPO

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus" / "sources", corpus / "sources")
    main(["--corpus", str(corpus), "ingest", str(sample.archive), "--quiet"])
    doc = next(d for d in load_register(corpus, "laws") if d.member == sample.regional_member)
    meta = next(p for p in (corpus / "sources").glob("*.yaml") if doc.regional and doc.regional in p.read_text(encoding="utf-8"))
    assert doc.sha256 in meta.read_text(encoding="utf-8")


def test_ingest_again_adds_nothing(sample, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    main(["--corpus", str(corpus), "ingest", str(sample.archive), "--quiet"])
    before = register_path(corpus, "laws").read_bytes()
    capsys.readouterr()
    assert main(["--corpus", str(corpus), "ingest", str(sample.archive), "--quiet"]) == 0
    assert "0 new" in capsys.readouterr().out
    assert register_path(corpus, "laws").read_bytes() == before


def test_missing_archive_is_one_line_and_changes_nothing(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    assert main(["--corpus", str(corpus), "ingest", str(tmp_path / "nope.tar.xz"), "--collection", "laws"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nope.tar.xz" in err
    assert not register_path(corpus, "laws").exists()


def test_changed_archive_is_named_at_build(sample, tmp_path):
    """The register describes bytes: a file changed since ingest is refused by name, not indexed."""
    from indexer.corpus.collections import read_texts
    from indexer.errors import CorpusError

    corpus = tmp_path / "corpus"
    single = tmp_path / sample.extra_law.name
    single.write_bytes(sample.extra_law.read_bytes())
    main(["--corpus", str(corpus), "ingest", str(single), "--collection", "laws", "--quiet"])
    single.write_text(single.read_text(encoding="utf-8") + "\n追記", encoding="utf-8")
    docs = load_register(corpus, "laws")
    try:
        list(read_texts(docs))
    except CorpusError as exc:
        assert single.name in str(exc) and "sha256" in str(exc)
    else:
        raise AssertionError("a changed file was read without complaint")
    json.loads(register_path(corpus, "laws").read_text(encoding="utf-8").splitlines()[0])
