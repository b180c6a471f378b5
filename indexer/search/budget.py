"""The semantic encoder behind a bounded queue, with a time budget per request.

Encoding a new query is the one expensive step of a search (15–50 ms for a
short query, hundreds for a 1,000-character one, and CPU-bound). Left
unbounded, a few clients sending new long queries starve everyone else. In the
server every encoding therefore goes through one `EncoderBudget`:

  - a query already encoded is answered from the embedder's cache, no queue;
  - at most `max_pending` encodings are queued or running; past that, the
    request does not wait at all (reason "queue_full");
  - a request waits at most `budget_s` for its encoding (reason "time_budget");
    the encoding still finishes in the background and lands in the cache, so
    asking again soon gets the full answer.
Either way the semantic side is skipped and the answer is the keyword side's;
the request is marked degraded (`degraded_reason()`), which the web app turns
into `degraded: true` in JSON, a note on the page, and `Cache-Control: no-store`.
The CLI has no budget: it waits for the model.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable

import numpy as np

from indexer.search.plan import MAX_QUERY_WORDS

#: Why this request's semantic side was skipped (per thread/request), or None.
_degraded: ContextVar[str | None] = ContextVar("policykb_degraded", default=None)

REASONS = {
    "queue_full": "意味検索の処理が混み合っているため、キーワード検索の結果のみを表示しています。",
    "time_budget": "意味検索が制限時間内に終わらなかったため、キーワード検索の結果のみを表示しています。",
}


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
    from the work budget: a search that has spent `SearchEngine.work_budget_s` (the server's) gives
    its remaining results without highlights and matched words, and leaves out the counts of the
    collections it was not asked to search. Like the encoder's budget, so that a request of many
    words cannot hold the process's one interpreter for long while cheap requests wait.
    """

    words_from: str = ""            # the query from the first word the cap left out ("": nothing)
    reasons: int = 0                # results of the page given without highlights and matched words
    collections: tuple[str, ...] = ()  # collections whose count was left out

    def as_dict(self) -> dict:
        out: dict = {}
        if self.words_from:
            out.update(max_words=MAX_QUERY_WORDS, words_from=self.words_from, chars=len(self.words_from))
        if self.reasons:
            out["reasons"] = self.reasons
        if self.collections:
            out["collections"] = list(self.collections)
        return out


def degraded_reason() -> str | None:
    """'queue_full' or 'time_budget' when this request's semantic side was skipped."""
    return _degraded.get()


class EncoderBudget:
    def __init__(self, budget_s: float = 0.5, max_pending: int = 2, workers: int = 1):
        # The cores one encoding may use are the encoder's own setting (SearchEngine.encoder_threads).
        self.budget_s = budget_s
        self.max_pending = max_pending
        self._slots = threading.BoundedSemaphore(max_pending)
        # One worker: torch already spreads one encoding over the cores; two at once only
        # share them, and a second worker would let queued work pile onto the CPU.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="policykb-encoder")

    def submit(self, fn: Callable[[], object]) -> Future | None:
        """Run fn on the encoder worker if a slot is free (None when the queue is full)."""
        if not self._slots.acquire(blocking=False):
            return None

        def run():
            try:
                return fn()
            finally:
                self._slots.release()

        try:
            return self._pool.submit(run)
        except BaseException:
            self._slots.release()
            raise

    def encode(self, embedder, text: str) -> np.ndarray | None:
        """The query's vector, or None (and the request marked degraded) when over the budget."""
        return self.start(embedder, text)()

    def start(self, embedder, text: str) -> Callable[[], np.ndarray | None]:
        """Start encoding now; the returned function waits for the vector (what is left of the budget)
        and gives None, marking the request degraded, when over the budget. Call it in the request's
        own thread: the reason is set there."""
        hit = embedder.cached(text)
        if hit is not None:
            return lambda: hit
        fut = self.submit(lambda: embedder.encode_query(text))
        deadline = time.monotonic() + self.budget_s
        result: list = []

        def wait() -> np.ndarray | None:
            if result:
                return result[0]
            if fut is None:
                _degraded.set("queue_full")
                result.append(None)
                return None
            try:
                result.append(fut.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                # Not started yet: drop it, the CPU is better spent elsewhere. Started: it finishes
                # and is cached, for the next time the same query comes.
                if fut.cancel():
                    self._slots.release()
                _degraded.set("time_budget")
                result.append(None)
            return result[0]
        return wait

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
