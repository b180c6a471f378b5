"""Reliability (issue 8): one build at a time, builds that prove they are whole, damaged files and
models named in one line with a fallback to the previous whole build, stale served rather than
refused, conditional requests, the encoder's budget and the connection limit.

Each test reproduces the mechanism of a failure found by probing: two real `policykb build`
processes at once, each damaged file of an index, a damaged model, a reached connection limit,
a full encoder queue. Timings are measured in scripts/bench_http, not asserted here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from policykb.cli import main
from indexer.config import load_settings
from indexer.errors import BuildError, IndexUnavailable, ModelUnavailable
from indexer.index.lock import build_lock
from indexer.index.store import current_build
from indexer.search import Filters
from indexer.index.verify import MARKER, check_build, complete_builds, finished_builds

REPO = Path(__file__).resolve().parents[2]
QUERY = "交通空白"


def _env(corpus: Path, index_dir: Path, **extra: str) -> dict:
    env = dict(os.environ, POLICYKB_CORPUS=str(corpus), POLICYKB_INDEX_DIR=str(index_dir), **extra)
    env.pop("POLICYKB_MODEL", None)
    return env


def _cli(env: dict, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykb", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.fixture(scope="module")
def twice_built(tmp_path_factory, settings):
    """Two `policykb build --force` processes started 2 s apart over a copy of the corpus.

    After the session's build (`settings`), so the run's embedding cache holds every passage and
    the two builds test the lock, not the encoder.

    Yields (corpus, index_dir, (proc1, out1, err1), (proc2, out2, err2)). The result, two whole
    builds with `current` on the newer, is the base every damage test copies.
    """
    root = tmp_path_factory.mktemp("reliability")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    index_dir = root / "index"
    env = _env(corpus, index_dir)
    first = _cli(env, "build", "--force", "--quiet")
    time.sleep(2)
    second = _cli(env, "build", "--force", "--quiet")
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        results.append((proc.returncode, out, err))
    return corpus, index_dir, results[0], results[1]


def test_two_builds_at_once_run_one_after_the_other_and_a_whole_index_is_served(twice_built):
    corpus, index_dir, (rc1, out1, err1), (rc2, out2, err2) = twice_built
    assert rc1 == 0 and rc2 == 0, (err1, err2)
    assert "別の索引作成が実行中です（pid" in err2 and "待っています" in err2  # names the holder
    builds = finished_builds(index_dir)
    assert len(builds) == 2 and complete_builds(index_dir) == builds  # the newer and its fallback
    assert not [p for p in (index_dir / "builds").iterdir() if p.name.startswith(".")]
    assert current_build(index_dir) == builds[0].resolve()
    for b in builds:
        check_build(b, full=True)
    # A real server process over the result answers searches.
    server = _cli(_env(corpus, index_dir), "serve", "--port", "0")
    try:
        line = server.stdout.readline()
        assert "serving http://" in line, server.stderr.read() if server.poll() is not None else line
        base = line.split("serving ")[1].split("/ ")[0]
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as r:
            health = json.load(r)
        # (not `stale`: build-side code edited while the test runs would make it true)
        assert health["build"] == builds[0].name and health["model_loaded"] is True
        with urllib.request.urlopen(f"{base}/api/search?q=%E4%BA%A4%E9%80%9A%E7%A9%BA%E7%99%BD", timeout=30) as r:
            assert json.load(r)["results"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_second_build_with_no_wait_exits_naming_the_holder(tmp_path, capsys):
    index_dir = tmp_path / "index"
    with build_lock(index_dir):
        assert main(["--index-dir", str(index_dir), "build", "--no-wait", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}" in err and err.count("\n") == 1


def test_the_lock_names_its_holder_to_a_library_caller(tmp_path):
    from indexer.index.build import build

    with build_lock(tmp_path):
        with pytest.raises(BuildError, match=f"pid {os.getpid()}"):
            build(load_settings(index_dir=tmp_path), wait=False, progress=False)


# -- damaged builds ---------------------------------------------------------------------------

def _truncate(p: Path, size: int | None = None) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2 if size is None else size])


def _segment(build: Path, ext: str) -> Path:
    return next((build / "keyword").glob(f"*.{ext}"))


def _same_size_garbage(p: Path) -> None:
    """Damage that keeps the size: slips past the quick check, caught on opening."""
    n = p.stat().st_size
    p.write_bytes((b"::: [not yaml\n" * n)[:n])


DAMAGE = {
    "records.jsonl truncated": lambda b: _truncate(b / "records.jsonl"),
    "records.jsonl missing": lambda b: (b / "records.jsonl").unlink(),
    "tantivy meta.json garbage": lambda b: (b / "keyword" / "meta.json").write_text("{garbage"),
    ".store truncated": lambda b: _truncate(_segment(b, "store")),
    ".term truncated": lambda b: _truncate(_segment(b, "term")),
    ".idx emptied": lambda b: _truncate(_segment(b, "idx"), 0),
    "keyword/ missing": lambda b: shutil.rmtree(b / "keyword"),
    "terms.json truncated": lambda b: _truncate(b / "keyword" / "terms.json"),
    "vectors.npy truncated": lambda b: _truncate(b / "vectors" / "vectors.npy"),
    "thesaurus.yaml bad yaml": lambda b: (b / "thesaurus.yaml").write_text("a: [unclosed\n"),
    "thesaurus.yaml bad yaml, same size": lambda b: _same_size_garbage(b / "thesaurus.yaml"),
    "marker missing (interrupted build)": lambda b: (b / MARKER).unlink(),
}
NAMED = {"keyword/ missing": "keyword/", "marker missing (interrupted build)": MARKER,
         ".store truncated": ".store", ".term truncated": ".term", ".idx emptied": ".idx",
         "tantivy meta.json garbage": "meta.json"}


@pytest.fixture()
def damaged_copy(twice_built, tmp_path):
    """A copy of the twice-built index directory (with its older whole build) to damage."""
    corpus, index_dir, *_ = twice_built
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy, symlinks=True)
    return corpus, copy


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_build_is_one_line_from_search_and_serve_and_the_older_whole_build_serves(case, damaged_copy,
                                                                                             capsys):
    from indexer.search.engine import SearchEngine

    corpus, index_dir = damaged_copy
    newer, older = finished_builds(index_dir)
    DAMAGE[case](newer)
    expect = NAMED.get(case, case.split()[0])
    settings = load_settings(corpus_dir=corpus, index_dir=index_dir)

    # With an older whole build: the service falls back to it and says why.
    engine = SearchEngine.open(settings)
    assert engine.build_dir == older.resolve()
    assert expect in engine.fallback and newer.name in engine.fallback
    assert engine.search(QUERY, mode="keyword").results

    # Without one: search and serve each print one line naming the file and the fix, no traceback.
    shutil.rmtree(older)
    base = ["--corpus", str(corpus), "--index-dir", str(index_dir)]
    for argv in (base + ["search", QUERY, "--mode", "keyword"], base + ["serve", "--port", "0"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert expect in err and "policykb build" in err, err


def test_verify_checks_every_checksum(damaged_copy, capsys):
    corpus, index_dir = damaged_copy
    base = ["--corpus", str(corpus), "--index-dir", str(index_dir)]
    assert main(base + ["verify"]) == 0
    assert capsys.readouterr().out.count("ok") == 3  # two builds and the model
    newer = finished_builds(index_dir)[0]
    _same_size_garbage(newer / "records.jsonl")  # the quick check cannot see this one
    check_build(newer)
    assert main(base + ["verify"]) == 1
    out = capsys.readouterr()
    assert "records.jsonl" in out.out and "チェックサム" in out.out and "current" in out.err


def test_build_repairs_current_when_its_build_is_damaged(damaged_copy):
    """`policykb build` never takes a damaged `current` for up to date (the issue's 「nothing to do」)."""
    from indexer.index.build import build

    corpus, index_dir = damaged_copy
    newer, older = finished_builds(index_dir)
    _truncate(newer / "vectors" / "vectors.npy")
    shutil.rmtree(older)
    result = build(load_settings(corpus_dir=corpus, index_dir=index_dir), progress=False)
    assert result.built and current_build(index_dir) == result.path.resolve()
    check_build(result.path, full=True)
    assert not newer.exists()  # the damaged build is pruned once a whole one serves


def test_a_build_killed_midway_leaves_the_previous_build_serving(damaged_copy):
    from indexer.search.engine import SearchEngine

    corpus, index_dir = damaged_copy
    before = current_build(index_dir)
    proc = _cli(_env(corpus, index_dir), "build", "--force", "--quiet")
    deadline = time.time() + 300
    while not any(p.name.startswith(".tmp-") and (p / "records.jsonl").exists()
                  for p in (index_dir / "builds").iterdir()):
        assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    assert current_build(index_dir) == before
    assert SearchEngine.open(load_settings(corpus_dir=corpus, index_dir=index_dir)).build_dir == before
    with build_lock(index_dir, wait=False):  # the kernel released the dead build's lock
        pass


# -- stale is not down ----------------------------------------------------------------------

@pytest.fixture()
def stale_settings(twice_built, tmp_path):
    corpus, index_dir, *_ = twice_built
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    with (changed / "records" / "50-pillars.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    return load_settings(corpus_dir=changed, index_dir=index_dir)


def test_a_stale_index_is_served_and_says_so(stale_settings):
    from indexer.search.engine import SearchEngine
    from webapp import create_app

    engine = SearchEngine.open(stale_settings)
    assert engine.stale and engine.fallback is None
    with pytest.raises(IndexUnavailable):
        SearchEngine.open(stale_settings, allow_stale=False)
    client = create_app({"ENGINE": engine, "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": QUERY, "mode": "keyword"}).get_json()
    assert data["stale"] is True and data["results"]
    page = client.get("/search", query_string={"q": QUERY, "mode": "keyword"}).get_data(as_text=True)
    assert "索引は現在のコーパスより前に作られたもの" in page
    health = client.get("/healthz").get_json()
    assert health["stale"] is True and health["build"] == engine.build_dir.name
    assert health["corpus_hash"] and health["model_hash"]


def test_the_cli_warns_on_stderr_for_a_stale_index(stale_settings):
    proc = _cli(_env(stale_settings.corpus_dir, stale_settings.index_dir), "search", QUERY, "--mode", "keyword")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "件" in out
    assert "警告" in err and "policykb build" in err and err.count("\n") == 1, err


# -- the model directory --------------------------------------------------------------------

def _model_copy(tmp_path: Path) -> Path:
    """Hard links to the real model's files: cheap, and each file to damage is replaced, never written through."""
    from indexer.config import DEFAULT_MODEL_DIR

    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, copy, copy_function=os.link)
    return copy


def _replace(p: Path, data: bytes) -> None:
    p.unlink()  # break the hard link first
    p.write_bytes(data)


MODEL_DAMAGE = {
    "model.safetensors": lambda p: _replace_head(p, 1000),
    "config.json": lambda p: _replace(p, b"{garbage"),
    "tokenizer.json": lambda p: _replace(p, b"garbage"),
}


def _replace_head(p: Path, n: int) -> None:
    with open(p, "rb") as fh:
        head = fh.read(n)
    _replace(p, head)


@pytest.mark.parametrize("name", list(MODEL_DAMAGE))
def test_a_damaged_model_is_named_in_one_line(name, twice_built, tmp_path, capsys):
    corpus, index_dir, *_ = twice_built
    model = _model_copy(tmp_path)
    MODEL_DAMAGE[name](model / name)
    base = ["--corpus", str(corpus), "--index-dir", str(index_dir), "--model", str(model)]
    for argv in (base + ["search", QUERY], base + ["serve", "--port", "0"], base + ["build", "--force", "--quiet"]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        lines = [ln for ln in err.splitlines() if not ln.startswith("policykb: 警告")]  # the stale warning
        assert len(lines) == 1 and "Traceback" not in err, err
        assert name in lines[0] and "置き直して" in lines[0], err


def test_a_damaged_default_model_is_reconverted(tmp_path):
    from indexer.model.e5_convert import ensure_default_model, is_up_to_date

    model = _model_copy(tmp_path)
    assert is_up_to_date(model)
    _replace_head(model / "model.safetensors", 4096)
    assert not is_up_to_date(model)
    ensure_default_model(model)  # what `policykb build` calls for the default model
    assert is_up_to_date(model)


def test_a_missing_model_is_called_missing(twice_built, tmp_path, capsys):
    corpus, index_dir, *_ = twice_built
    argv = ["--corpus", str(corpus), "--index-dir", str(index_dir), "--model", str(tmp_path / "none"), "search", QUERY]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "埋め込みモデルがありません" in err and "一致しません" not in err


# -- the web side ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rel_engine(twice_built):
    from indexer.search.engine import SearchEngine

    corpus, index_dir, *_ = twice_built
    return SearchEngine.open(load_settings(corpus_dir=corpus, index_dir=index_dir))


@pytest.fixture()
def rel_client(rel_engine):
    from webapp import create_app

    rel_engine.encoder_budget = None
    yield create_app({"ENGINE": rel_engine, "TESTING": True}).test_client()
    rel_engine.encoder_budget = None


def test_dynamic_responses_carry_an_etag_and_answer_304(rel_client):
    url = f"/search?q={QUERY}&mode=keyword"
    first = rel_client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = rel_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    other = rel_client.get(url + "&k=20")
    assert other.headers["ETag"] != etag
    assert rel_client.get(url + "&k=20", headers={"If-None-Match": etag}).status_code == 200
    bad = rel_client.get("/search?k=1000&q=a")
    assert bad.status_code == 400 and "ETag" not in bad.headers
    assert rel_client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_a_full_encoder_queue_answers_from_the_keyword_side_and_says_so(rel_client, rel_engine):
    from indexer.search.budget import EncoderBudget

    rel_engine.embedder.encode_query("地方創生")  # loaded: the budget is for encoding, not loading
    budget = rel_engine.encoder_budget = EncoderBudget(budget_s=5.0, max_pending=1)
    release = threading.Event()
    assert budget.submit(release.wait) is not None  # the one slot is taken
    try:
        q = f"{QUERY}の解消に向けた新しい取組 {time.time_ns()}"  # never encoded before
        resp = rel_client.get("/api/search", query_string={"q": q})
        data = resp.get_json()
        assert data["degraded"] is True and "混み合って" in data["degraded_reason"]
        assert resp.headers["Cache-Control"] == "no-store" and "ETag" not in resp.headers
        kw = {i for i, _ in rel_engine.rank(q, "keyword", Filters()).hits}
        assert data["results"] and {r["id"] for r in data["results"]} <= kw
        assert not any("semantic" in r["why"] for r in data["results"])
        page = rel_client.get("/search", query_string={"q": q}).get_data(as_text=True)
        assert "キーワード検索の結果のみ" in page
    finally:
        release.set()


def test_a_semantic_search_refused_by_the_encoder_answers_from_keywords_on_every_page(rel_client, rel_engine):
    # Was: 0 results, and page 2 an HTTP 400 「ページは1〜1の範囲で…全0件」 under load.
    from indexer.search.budget import EncoderBudget

    rel_engine.embedder.encode_query("地方創生")
    budget = rel_engine.encoder_budget = EncoderBudget(budget_s=5.0, max_pending=1)
    release = threading.Event()
    assert budget.submit(release.wait) is not None
    try:
        q = f"{QUERY} 地域 {time.time_ns()}"
        kw = [i for i, _ in rel_engine.rank(q, "keyword", Filters()).hits]
        assert len(kw) > 10
        first = rel_client.get("/api/search", query_string={"q": q, "mode": "semantic", "k": 10}).get_json()
        assert first["degraded"] is True and first["total"] == len(kw)
        assert [r["id"] for r in first["results"]] == kw[:10]
        second = rel_client.get("/api/search", query_string={"q": q, "mode": "semantic", "k": 10, "page": 2})
        assert second.status_code == 200 and [r["id"] for r in second.get_json()["results"]] == kw[10:20]
    finally:
        release.set()


def test_an_encoding_over_the_time_budget_is_skipped_and_finishes_for_next_time(rel_client, rel_engine):
    from indexer.search.budget import EncoderBudget

    rel_engine.embedder.encode_query("地方創生")
    rel_engine.encoder_budget = EncoderBudget(budget_s=0.0, max_pending=2)
    params = {"q": "長い問い合わせ" * 100 + str(time.time_ns())}
    data = rel_client.get("/api/search", query_string=params).get_json()
    assert data["degraded"] is True and "制限時間" in data["degraded_reason"]
    # The encoding went on in the background and was cached: the same query is soon answered whole.
    deadline = time.time() + 30
    while "degraded" in (data := rel_client.get("/api/search", query_string=params).get_json()):
        assert time.time() < deadline
        time.sleep(0.2)
    assert any("semantic" in r["why"] for r in data["results"])


def test_urls_never_come_from_the_host_header(rel_engine):
    from webapp import create_app

    client = create_app({"ENGINE": rel_engine, "TESTING": True}).test_client()
    for path in (f"/search.csv?q={QUERY}&mode=keyword", "/targets.csv"):
        body = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in body and ",/records/" in body
    redirect = client.get("//search", headers={"Host": "evil.example"})
    assert "evil.example" not in redirect.headers.get("Location", "")
    configured = create_app({"ENGINE": rel_engine, "TESTING": True, "BASE_URL": "https://kb.example.go.jp/"})
    body = configured.test_client().get("/targets.csv", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert ",https://kb.example.go.jp/records/" in body and "evil.example" not in body


def test_more_slow_connections_than_waitress_default_do_not_lock_a_client_out(rel_engine):
    """150 idle connections (waitress's default limit is 100): a normal client is still answered."""
    from waitress.server import create_server

    from webapp import create_app
    from webapp.serve import waitress_options

    server = create_server(create_app({"ENGINE": rel_engine}), host="127.0.0.1", port=0, **waitress_options(4))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    idle = []
    try:
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", server.effective_port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
            idle.append(s)
        time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{server.effective_port}/healthz", timeout=5) as r:
            assert json.load(r)["status"] == "ok"
    finally:
        for s in idle:
            s.close()
        server.close()
        thread.join(timeout=5)
