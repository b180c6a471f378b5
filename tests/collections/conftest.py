"""A small law archive cut from the real e-Gov archive, and a corpus + index holding it as 全法令.

The sample (made once per session, ≈ 15 s to stream the 40 MB archive): every 400th law of the
archive in name order, both versions of one law held twice, the smallest of the regional
statutes (so one document belongs to both collections), a text the statute parser rejects, a
file that is not UTF-8 and a file that is not text. One statute of about 30,000 characters is
kept out of the archive, as the law a test adds later.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.conftest import made_once, shared_dir

REPO = Path(__file__).resolve().parents[2]
ARCHIVE = REPO.parent / "shared" / "data" / "egov-laws.tar.xz"
EVERY = 400


@dataclass(frozen=True)
class Sample:
    archive: Path
    members: list[str]           # text members of the sample
    two_versions: tuple[str, str]  # (older, newer) member names of one law
    regional_member: str
    rejected_member: str         # a text the statute parser cannot structure
    extra_law: Path              # a statute outside the sample, ~30,000 characters
    extra_law_id: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), default=str, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Sample":
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(Path(d["archive"]), d["members"], tuple(d["two_versions"]), d["regional_member"],
                   d["rejected_member"], Path(d["extra_law"]), d["extra_law_id"])


def _law_id(name: str) -> str:
    return Path(name).name.split("_")[0]


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Sample:
    """Cut once per run (by the first of the test processes that needs it)."""
    out = shared_dir(tmp_path_factory, "archive")
    with made_once(out) as needed:
        if needed:
            _cut_sample(out).save(out / "sample.json")
    return Sample.load(out / "sample.json")


def _cut_sample(out: Path) -> Sample:
    assert ARCHIVE.exists(), f"{ARCHIVE} is missing: the collection tests cut their sample from it"
    from indexer.corpus.sources import load_sources
    from indexer.laws import StatuteParseError, parse_statute

    regional_sha = {s.sha256 for s in load_sources(REPO / "corpus" / "sources").values()}
    texts: dict[str, bytes] = {}
    infos: dict[str, tarfile.TarInfo] = {}
    with tarfile.open(ARCHIVE, "r|*") as tar:
        for m in tar:
            if m.isfile():
                texts[m.name] = tar.extractfile(m).read()
                infos[m.name] = m
    names = sorted(texts)
    import hashlib

    by_id: dict[str, list[str]] = {}
    for n in names:
        by_id.setdefault(_law_id(n), []).append(n)
    pick = set(names[::EVERY])
    two = sorted(next(v for v in by_id.values() if len(v) == 2 and len(texts[v[0]]) < 60_000))
    pick |= set(two)
    regional = min((n for n in names if hashlib.sha256(texts[n]).hexdigest() in regional_sha), key=lambda n: len(texts[n]))
    pick.add(regional)
    rejected = None
    # 1.3 % of the archive is rejected now (scripts/count_law_parse): search all of it, in order.
    for n in names:
        try:
            parse_statute(texts[n].decode("utf-8"))
        except StatuteParseError:
            rejected = n
            break
    assert rejected, "no rejected text found in the archive sample"
    pick.add(rejected)
    extra = next(n for n in names[7::EVERY] if n not in pick and 25_000 < len(texts[n].decode("utf-8")) < 40_000
                 and "AC" in _law_id(n) and _parses(texts[n]))
    archive = out / "sample-laws.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        for n in sorted(pick):
            tar.addfile(infos[n], io.BytesIO(texts[n]))
        for name, data in (("egov-laws/999/broken.md", "第一条　".encode("utf-8") + b"\xff\xfe bad bytes"),
                           ("egov-laws/999/figure.xml", b"<xml/>")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    extra_path = out / Path(extra).name
    extra_path.write_bytes(texts[extra])
    return Sample(archive, sorted(pick), (two[0], two[1]), regional, rejected, extra_path, _law_id(extra))


def _parses(data: bytes) -> bool:
    from indexer.laws import StatuteParseError, parse_statute

    try:
        parse_statute(data.decode("utf-8"))
        return True
    except (StatuteParseError, UnicodeDecodeError):
        return False


@pytest.fixture(scope="session")
def laws_settings(tmp_path_factory, sample, settings):
    """The repository's corpus copied, the sample registered as 全法令, and built.

    The index directory starts as hard links to the session's build of the same regional corpus
    (tests/conftest.py `settings`), so the build links the regional part, as it does for any
    index whose regional corpus, code and model are unchanged, and builds only 全法令.
    """
    from indexer.config import load_settings
    from indexer.index.build import build
    from indexer.ingest.collection import ingest_collection

    root = shared_dir(tmp_path_factory, "laws")
    corpus, index_dir = root / "corpus", root / "index"
    with made_once(root) as needed:
        if needed:
            for part in (corpus, index_dir):  # what a failed attempt of an earlier process left
                shutil.rmtree(part, ignore_errors=True)
            # Every file the regional hash reads (README.md too), without registers of external collections.
            shutil.copytree(settings.corpus_dir, corpus, ignore=shutil.ignore_patterns("collections"))
            ingest_collection(sample.archive, corpus, progress=False)
            # Builds are immutable once finished, so links are safe; the lock and the cache are not shared.
            shutil.copytree(settings.index_dir, index_dir, symlinks=True, copy_function=os.link,
                            ignore=shutil.ignore_patterns(".build.*", "*.sqlite*"))
            result = build(load_settings(corpus_dir=corpus, index_dir=index_dir), progress=False)
            assert "regional" in result.stages, "the regional part was rebuilt, not linked: its hash differs"
    return load_settings(corpus_dir=corpus, index_dir=index_dir)


@pytest.fixture(scope="session")
def laws_engine(laws_settings):
    from indexer.search.engine import SearchEngine

    return SearchEngine.open(laws_settings, allow_stale=False)
