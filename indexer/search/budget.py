"""The semantic encoder behind a bounded queue, with a time budget per request.

Encoding a new query is the one expensive step of a search (15–50 ms for a
short query, hundreds for a 1,000-character one, and CPU-bound). Left
unbounded, a few clients sending new long queries starve everyone else. In the
server every encoding therefore goes through one `EncoderBudget`:

  - a query already encoded is answered from the embedder's cache, no queue;
  - at most `max_pending` encodings are queued or running; past that, the
    request does not wait at all (reason "queue_full");
  - an expensive search (one in a lane, see Lanes below) encodes on a worker of its own, with one
    place: the others' encodings never queue behind a long query's;
  - a request waits at most `budget_s` for its encoding (reason "time_budget");
    the encoding still finishes in the background and lands in the cache, so
    asking again soon gets the full answer.
Either way the semantic side is skipped and the answer is the keyword side's;
the request is marked degraded (`degraded_reason()`), which the web app turns
into `degraded: true` in JSON, a note on the page, and `Cache-Control: no-store`.
The CLI has no budget: it waits for the model.

Two more bounds, for the keyword side and the Python work of a search (issue 18):

  - the work budget (`SearchEngine.work_budget_s`, the server's) is counted in CPU seconds of the
    request's own thread (`work_clock`), not in wall time: on a loaded machine a request that waits
    for a core or for the interpreter has done no work, and a wall-clock budget cut the reasons of
    ordinary first requests there. The first EXPLAINED_FIRST results of a page (the page a person
    reads) are always explained; the budget only trims the rest of a long page or an export.
  - `Lanes`: admission control. A search that is expensive by its shape (a long query, a long page)
    runs only in one of few lanes; other searches never wait for a lane. Python runs one thread at a
    time, so eight long queries running at once took turns on the interpreter with every cheap
    request (a cheap keyword search waited 0.3–1.9 s beside eight clients of new 1,000-character
    queries: scripts/bench_http --scenario expensive); in one lane they wait for each other instead.
    A request that finds every lane and every waiting place taken, or waits longer than `wait_s`,
    is answered 503 with a Japanese message (`Busy`), never queued without bound. A search keeps its
    lane while it waits for its encoder: giving it back meanwhile let the next long query's Python run
    beside the cheap requests all the time, and the encoder, already busy, answered none of them in
    time (bench_http at load ≈ 10: 128 long queries answered, all without the semantic side, against
    66 answered, 42 of them whole, when the lane is kept).
"""

from __future__ import annotations

import fcntl
import gc
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from indexer.errors import PolicykbError
from indexer.search.plan import MAX_QUERY_WORDS

#: Results at the top of a page that are explained (highlights, matched words) whatever the work
#: budget: the default page, what a person reads. The budget trims only a longer page or an export.
EXPLAINED_FIRST = 10
#: A query longer than this many characters is expensive (Lanes): the longest gold query has 60, a
#: question typed by a person rarely passes 100, a pasted paragraph does.
LONG_QUERY_CHARS = 100
#: A page longer than this is expensive (Lanes): the CSV export's 1,000 rows, each explained.
LONG_PAGE = 100


_BLAS_LIMITED = False


def one_blas_thread() -> None:
    """Let numpy's BLAS use one thread in this process (once; threadpoolctl). The server does
    (webapp.serve): its other core answers other requests.

    The regional vector search's product (indexer.index.vectors) is small (5,637 rows × 384): on one
    thread it takes 0.25 ms, on OpenBLAS's default two 1.2 ms (its threads synchronise), and 13 ms
    when the other core is busy, as it is in a server answering other requests."""
    global _BLAS_LIMITED
    if not _BLAS_LIMITED:
        threadpool_limits(1, user_api="blas")
        _BLAS_LIMITED = True


def freeze_heap() -> int:
    """Move every object the process holds now (the opened engine: its records, indexes' tables,
    plans of the warm-up search) out of the cyclic garbage collector's reach, once the server has
    opened and warmed it; the number of objects frozen. The server does (webapp.serve).

    Those objects live as long as the process and are never garbage, yet every full (generation 2)
    collection walked all of them: under 8 clients on /api/search such a collection came every few
    seconds and held the interpreter for 125–140 ms of CPU, stalling every request in flight (the
    slowest requests of scripts/bench_http, one of them 141 ms of CPU for a 5 ms search). Frozen,
    a full collection walks only what requests created since (≈ 20 ms). With 全法令 open one full
    collection took 145–170 ms of CPU and set the keyword p99 over all laws (scripts/bench_scale:
    three in 333 searches, 0.17–0.97 s each in wall time); frozen, 0.3 ms. Forked workers keep the
    frozen pages shared (a collection no longer writes to them). Collected first, so that no garbage
    of the start is kept for ever."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def work_clock() -> float:
    """Seconds of CPU this thread has used: what the work budget counts (time waiting for a core or
    for the interpreter is not work; tantivy's search runs in the calling thread and counts)."""
    return time.thread_time()

#: Why this request's semantic side was skipped (per thread/request), or None.
_degraded: ContextVar[str | None] = ContextVar("policykb_degraded", default=None)

REASONS = {
    "queue_full": "意味検索の処理が混み合っているため、キーワード検索の結果のみを表示しています。",
    "time_budget": "意味検索が制限時間内に終わらなかったため、キーワード検索の結果のみを表示しています。",
}


#: The Lanes whose lane this request runs in (per thread/request), or None: its encoding goes to the
#: expensive searches' own encoder worker (EncoderBudget.submit).
_held_lane: ContextVar["Lanes | None"] = ContextVar("policykb_held_lane", default=None)

#: Whether this request's work budget cut anything (per thread/request): the answer is then not stored.
_time_cut: ContextVar[bool] = ContextVar("policykb_time_cut", default=False)


def start_request() -> None:
    _degraded.set(None)
    _time_cut.set(False)


def mark_time_cut() -> None:
    _time_cut.set(True)


def time_cut() -> bool:
    """Whether this request's work budget (SearchEngine.work_budget_s) left something out."""
    return _time_cut.get()


@dataclass
class Cut:
    """What the bounds on one search's work left out, said in the answer (JSON `cut`, a note on the page).

    The word cap (indexer.search.plan.MAX_QUERY_WORDS) is the same for every request; the rest comes
    from the work budget: a search that has spent `SearchEngine.work_budget_s` of CPU (the server's)
    gives the rest of a long page, past its first EXPLAINED_FIRST results, without highlights and
    matched words, and leaves out the counts of the
    collections it was not asked to search. Like the encoder's budget, so that a request of many
    words cannot hold the process's one interpreter for long while cheap requests wait.
    """

    words_from: str = ""            # the query from the first word the cap left out ("": nothing)
    reasons: int = 0                # results past the page's first EXPLAINED_FIRST given without highlights and matched words
    collections: tuple[str, ...] = ()  # collections whose count was left out

    def as_dict(self) -> dict:
        out: dict = {}
        if self.words_from:
            out.update(max_words=MAX_QUERY_WORDS, words_from=self.words_from, chars=len(self.words_from))
        if self.reasons:
            # The first EXPLAINED_FIRST results of the page are always explained: the cut is after them.
            out.update(reasons=self.reasons, explained_first=EXPLAINED_FIRST)
        if self.collections:
            out["collections"] = list(self.collections)
        return out


def degraded_reason() -> str | None:
    """'queue_full' or 'time_budget' when this request's semantic side was skipped."""
    return _degraded.get()


@dataclass(eq=False)
class _Flight:
    """One encoding queued or running, and how many requests wait for it (EncoderBudget.start)."""

    future: Future
    expensive: bool
    waiters: int = 0


class EncoderBudget:
    def __init__(self, budget_s: float = 0.5, max_pending: int = 2, workers: int = 1, expensive_pending: int = 1):
        # The cores one encoding may use are the encoder's own setting (SearchEngine.encoder_threads).
        self.budget_s = budget_s
        self.max_pending = max_pending
        self._slots = threading.BoundedSemaphore(max_pending)
        # One worker: torch already spreads one encoding over the cores; two at once only
        # share them, and a second worker would let queued work pile onto the CPU.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="policykb-encoder")
        # Expensive searches (those in a lane, Lanes) encode on a worker of their own: a record page
        # or a short new query then never waits behind a long query's encoding (a record page's basis
        # suggestions encode its title; behind the long queries they waited up to the whole budget).
        # The lane lets one expensive search run at a time, so one place is enough.
        self._expensive_slots = threading.BoundedSemaphore(expensive_pending)
        self._expensive_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-encoder-expensive")
        # Encodings queued or running, by (encoder, text): a request for the same text waits for that one.
        # Reentrant: cancelling a future runs its done callback (_landed) in the cancelling thread.
        self._pending: dict[tuple[int, str], _Flight] = {}
        self._pending_lock = threading.RLock()

    def submit(self, fn: Callable[[], object], *, expensive: bool = False) -> Future | None:
        """Run fn on the encoder worker if a slot is free (None when the queue is full); an expensive
        search's (expensive=True) on the expensive searches' worker."""
        slots, pool = (self._expensive_slots, self._expensive_pool) if expensive else (self._slots, self._pool)
        if not slots.acquire(blocking=False):
            return None

        def run():
            try:
                return fn()
            finally:
                slots.release()

        try:
            return pool.submit(run)
        except BaseException:
            slots.release()
            raise

    def encode(self, embedder, text: str) -> np.ndarray | None:
        """The query's vector, or None (and the request marked degraded) when over the budget."""
        return self.start(embedder, text)()

    def start(self, embedder, text: str) -> Callable[[], np.ndarray | None]:
        """Start encoding now; the returned function waits for the vector (what is left of the budget)
        and gives None, marking the request degraded, when over the budget. Call it in the request's
        own thread: the reason is set there.

        A text already being encoded for another request is not encoded again: this request waits
        for that encoding (single flight), needing no place in the queue. Under 8 clients of the gold
        mix, nearly every request slower than 250 ms was waiting for an encoder (scripts/bench_http):
        the same new query asked again while its first encoding queued took another place or was
        refused (degraded), and its encoding was done twice."""
        hit = embedder.cached(text)
        if hit is not None:
            return lambda: hit
        expensive = _held_lane.get() is not None  # this request runs in an expensive search's lane
        key = (id(embedder), text)
        new = False
        with self._pending_lock:
            flight = self._pending.get(key)
            if flight is None:
                fut = self.submit(lambda: embedder.encode_query(text), expensive=expensive)
                if fut is not None:
                    flight = self._pending[key] = _Flight(fut, expensive)
                    new = True
            if flight is not None:
                flight.waiters += 1
        if new:  # outside the lock: a future already done runs the callback at once
            flight.future.add_done_callback(lambda _f, key=key, flight=flight: self._landed(key, flight))
        deadline = time.monotonic() + self.budget_s
        result: list = []

        def wait() -> np.ndarray | None:
            if result:
                return result[0]
            if flight is None:
                _degraded.set("queue_full")
                result.append(None)
                return None
            try:
                result.append(flight.future.result(timeout=max(0.0, deadline - time.monotonic())))
            except (FutureTimeout, CancelledError):
                # Not started yet and nobody else waits for it: drop it, the CPU is better spent
                # elsewhere. Started: it finishes and is cached, for the next time the same query comes.
                with self._pending_lock:
                    flight.waiters -= 1
                    if flight.waiters == 0 and flight.future.cancel():
                        (self._expensive_slots if flight.expensive else self._slots).release()
                _degraded.set("time_budget")
                result.append(None)
            else:
                with self._pending_lock:
                    flight.waiters -= 1
            return result[0]
        return wait

    def _landed(self, key: tuple[int, str], flight: "_Flight") -> None:
        with self._pending_lock:
            if self._pending.get(key) is flight:
                del self._pending[key]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._expensive_pool.shutdown(wait=False, cancel_futures=True)


class Busy(PolicykbError):
    """An expensive search found no lane free in time (Lanes): 503, said in Japanese."""

    status = 503
    title = "混み合っています"


BUSY_MESSAGE = ("長い検索語や多くの件数を求める検索が混み合っています。しばらくしてから再度お試しください"
                "（短い検索語の検索はこのまま行えます）。")


class Lanes:
    """Admission control for expensive searches: `lanes` run at once, `waiting` more may wait.

    A search is expensive by its shape, known before any work (`expensive`). A cheap search passes
    straight through; an expensive one takes a lane, waiting at most `wait_s`. Waiting costs a server
    thread and no CPU; the number waiting is bounded so that expensive requests can never hold every
    thread of the server (webapp.serve sets it below the thread count).
    """

    def __init__(self, lanes: int = 1, waiting: int = 8, wait_s: float = 5.0, shared: "SharedLanes | None" = None):
        self.lanes = lanes
        self.wait_s = wait_s
        self.shared = shared
        self._running = threading.Semaphore(lanes)
        self._admitted = threading.BoundedSemaphore(lanes + waiting)  # running or waiting

    @staticmethod
    def expensive(query: str, k: int) -> bool:
        return len(query) > LONG_QUERY_CHARS or k > LONG_PAGE

    @contextmanager
    def admit(self, expensive: bool) -> Iterator[None]:
        """Run the body in a lane when `expensive` (raises Busy when none frees in time), else at once."""
        if not expensive:
            yield
            return
        if not self._admitted.acquire(blocking=False):
            raise Busy(BUSY_MESSAGE)
        try:
            deadline = time.monotonic() + self.wait_s
            if not self._running.acquire(timeout=self.wait_s):
                raise Busy(BUSY_MESSAGE)
            try:
                held = self.shared.acquire(deadline) if self.shared is not None else None
                if self.shared is not None and held is None:
                    raise Busy(BUSY_MESSAGE)
                token = _held_lane.set(self)
                try:
                    yield
                finally:
                    _held_lane.reset(token)
                    if held is not None:
                        self.shared.release(held)
            finally:
                self._running.release()
        finally:
            self._admitted.release()


class SharedLanes:
    """Lanes shared by the worker processes of one server: `lanes` lock files in `directory`.

    Each worker holds its own engine, so without this every worker ran its own expensive search and
    two workers on two cores left the cheap requests no core of their own. A lane is an flock on one
    file, opened by the process that takes it (a descriptor inherited across fork would share the
    lock), so the kernel gives it back when its holder dies: a killed worker never keeps a lane.
    """

    POLL_S = 0.005  # flock has no timeout: a waiting search looks again this often

    def __init__(self, directory: Path, lanes: int):
        self.paths = [Path(directory) / f"lane-{i}" for i in range(lanes)]

    def acquire(self, deadline: float) -> int | None:
        """The descriptor of a lane taken before `deadline` (time.monotonic), else None; -1 when the
        lock files cannot be opened (no descriptor left, the directory gone): the search then runs in
        its process's own lane only, as with one worker, rather than fail."""
        while True:
            for path in self.paths:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                except OSError:
                    return -1
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.POLL_S)

    @staticmethod
    def release(fd: int) -> None:
        if fd >= 0:
            os.close(fd)  # closing the only descriptor of its open file releases the flock
