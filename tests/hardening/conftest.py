"""Fixtures of the hardening probes (issue 22): temporary corpora, the CLI run for real, a real server.

`policykb` runs in-process through `policykb.cli.main` (real argument parsing, real exit codes and
stderr) except where a probe could hang or must be measured as a process (a device, a FIFO,
the memory of an archive bomb): those run as a subprocess with a timeout.

`small_site` is a real corpus of two ingested documents (one a single 60,000-character line),
built into a real index and served by `webapp.serve.make_server` — the server `policykb serve`
runs, with its waitress limits — on a free port in a background thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from policykb.cli import main

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture()
def policykb(capsys):
    """policykb(*args) → Run(code, out, err), in-process."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def run_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m policykb ARGS` as a process; raises TimeoutExpired when it does not end."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    return subprocess.run([sys.executable, "-m", "policykb", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` and its bytes: "nothing written" is this, unchanged."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} \
        if folder.exists() else {}


@pytest.fixture()
def corpus(tmp_path) -> Path:
    c = tmp_path / "corpus"
    (c / "sources").mkdir(parents=True)
    (c / "records").mkdir()
    return c


#: The long document: one line of 60,000 characters with neither 。 nor a line break.
LONG_LINE = ("地域交通の再編と担い手の確保" * 4300)[:60_000]


@dataclass
class Site:
    base: str
    corpus: Path
    record_ids: list[str]
    source_ids: list[str]
    app: object


@pytest.fixture(scope="session")
def small_site(tmp_path_factory):
    from indexer.config import DEFAULT_INDEX_DIR, load_settings
    from indexer.index.build import build
    from indexer.ingest.add import ingest_file
    from indexer.search.engine import SearchEngine
    from webapp import create_app
    from webapp.serve import make_server, waitress_options

    root = tmp_path_factory.mktemp("site")
    corpus = root / "corpus"
    (corpus / "sources").mkdir(parents=True)
    (corpus / "records").mkdir()
    docs = root / "in"
    docs.mkdir()
    (docs / "big.txt").write_text(LONG_LINE + "\n", encoding="utf-8")
    (docs / "kotsu.md").write_text("# 地域交通の計画\n\n地域公共交通の計画を市町村が定める。\n\n"
                                   "## 担い手\n\n運転者の確保に努める。\n", encoding="utf-8")
    for p in sorted(docs.iterdir()):
        ingest_file(p, corpus)
    os.environ.setdefault("POLICYKB_EMBEDDING_CACHE", str(DEFAULT_INDEX_DIR / "embeddings.sqlite"))
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index")
    build(settings, progress=False)
    engine = SearchEngine.open(settings)
    app = create_app({"ENGINE": engine, "BASE_URL": ""})
    server = make_server(app, host="127.0.0.1", port=0, ident="policykb-test", **waitress_options(4))
    thread = threading.Thread(target=server.run, name="policykb-hardening-server", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.effective_port}", corpus, [r["id"] for r in engine.records],
                   sorted({r["source"] for r in engine.records if r.get("source")}), app)
    finally:
        server.close()
        thread.join(timeout=5)
