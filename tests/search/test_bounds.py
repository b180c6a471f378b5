"""Bounded cost per request: the cap on a query's words and the work budget of a search (issue 18)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from indexer.search.budget import (EXPLAINED_FIRST, LONG_PAGE, LONG_QUERY_CHARS, Busy, EncoderBudget, Lanes,
                                   SharedLanes, degraded_reason, start_request, work_clock)
from indexer.search.plan import ANALYSE_FIRST, MAX_QUERY_WORDS, QueryPlanner, analyse_capped, cap_tokens
from indexer.text.analysis import analyze
from indexer.text.thesaurus import load_thesaurus
from tests.fresh_python import last_line

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "queries.jsonl"


def gold_words() -> list[str]:
    return [w for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
            for w in json.loads(line)["query"].split()]


def long_query(chars: int = 990) -> str:
    """Gold query words joined until `chars`, as scripts/bench_http's expensive clients send."""
    out, words = "", gold_words()
    i = 0
    while len(out) < chars:
        out += words[i % len(words)] + " "
        i += 1
    return out[:chars]


def distinct_c_terms(tokens) -> list[str]:
    return list(dict.fromkeys(t.term for t in sorted(tokens, key=lambda t: t.start) if t.mode == "C"))


def test_a_query_within_the_cap_is_analysed_whole_and_nothing_is_cut():
    q = "近所を走っていた路線バスが廃止されて、お年寄りが病院に行けない"
    tokens, cut_at = analyse_capped(q)
    assert cut_at is None
    assert tokens == tuple(analyze(q))


def test_every_gold_query_is_within_the_cap():
    """The cap leaves today's answers alone: no gold query has as many different words."""
    planner = QueryPlanner(load_thesaurus(ROOT / "corpus" / "thesaurus.yaml"))
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.strip():
            assert planner.plan(json.loads(line)["query"]).cut_at is None


def test_the_cap_keeps_the_first_words_and_says_where_the_rest_begins():
    q = long_query()
    full = tuple(analyze(q))
    words = distinct_c_terms(full)
    assert len(words) > MAX_QUERY_WORDS
    kept, cut_at = cap_tokens(full)
    assert distinct_c_terms(kept) == words[:MAX_QUERY_WORDS]
    # The first word left out begins at the cut, and no token kept reaches past it.
    first_out = next(t for t in sorted(full, key=lambda t: t.start)
                     if t.mode == "C" and t.term == words[MAX_QUERY_WORDS])
    assert first_out.start == cut_at
    assert all(t.end <= cut_at for t in kept)


def test_a_long_query_is_analysed_on_its_head_with_the_same_words_kept():
    q = long_query()
    assert len(q) > ANALYSE_FIRST
    head_tokens, head_cut = analyse_capped(q)
    full_tokens, full_cut = cap_tokens(tuple(analyze(q)))
    assert head_cut == full_cut
    assert [(t.term, t.start, t.mode) for t in head_tokens] == [(t.term, t.start, t.mode) for t in full_tokens]


def test_the_plan_of_a_capped_query_searches_only_the_words_kept():
    planner = QueryPlanner(load_thesaurus(ROOT / "corpus" / "thesaurus.yaml"))
    q = long_query() + " お年寄り"  # a thesaurus phrase past the cap is not expanded
    plan = planner.plan(q)
    assert plan.cut_at is not None and 0 < plan.cut_at < len(q)
    assert len({t.term for t in plan.tokens if t.mode == "C"}) == MAX_QUERY_WORDS
    assert plan.semantic_text.startswith(q[:plan.cut_at].rstrip())
    assert "お年寄り" not in plan.semantic_text and all(e.plain != "お年寄り" for e in plan.expansions)


def test_the_engine_answer_says_which_part_of_the_query_was_left_out(engine):
    q = long_query()
    r = engine.search(q, mode="keyword")
    plan = engine.plan(q)
    assert r.cut["max_words"] == MAX_QUERY_WORDS
    assert r.cut["words_from"] == q[plan.cut_at:] and r.cut["chars"] == len(q) - plan.cut_at
    assert "reasons" not in r.cut  # no work budget outside the server
    assert engine.search("交通空白", mode="keyword").cut == {}


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_past_the_work_budget_a_long_page_comes_without_analysis_after_its_first_results(engine, monkeypatch, mode):
    whole = engine.search("交通", mode=mode, k=30)
    assert len(whole.results) == 30
    monkeypatch.setattr(engine, "work_budget_s", 0.0)
    cut = engine.search("交通", mode=mode, k=30)
    # The same ranking, scores and counts; only the analysis of the results past the first 10 is left out.
    assert [r["id"] for r in cut.results] == [r["id"] for r in whole.results]
    assert [r["score"] for r in cut.results] == [r["score"] for r in whole.results]
    assert cut.total == whole.total and cut.facets == whole.facets
    assert cut.cut == {"reasons": 30 - EXPLAINED_FIRST, "explained_first": EXPLAINED_FIRST}
    assert cut.results[:EXPLAINED_FIRST] == whole.results[:EXPLAINED_FIRST]
    assert any(r["highlights"] for r in whole.results[EXPLAINED_FIRST:])
    for r in cut.results[EXPLAINED_FIRST:]:
        assert r["highlights"] == []
        if "keyword" in r["why"]:
            assert "words" not in r["why"]["keyword"] and "rank" in r["why"]["keyword"]
    monkeypatch.setattr(engine, "work_budget_s", 60.0)
    assert engine.search("交通", mode=mode, k=30).results == whole.results


def test_the_page_a_person_reads_is_never_cut_by_the_work_budget(engine, monkeypatch):
    """Whatever the budget, the first 10 results of a page keep their highlights and matched words:
    a loaded machine's first request once came without them."""
    whole = engine.search("交通空白", mode="keyword", offset=10)
    monkeypatch.setattr(engine, "work_budget_s", 0.0)
    cut = engine.search("交通空白", mode="keyword", offset=10)
    assert cut.cut == {} and cut.results == whole.results and cut.results


def test_the_work_budget_counts_the_request_s_own_cpu_not_waiting():
    """A thread that waits (for a core, for the interpreter, for the encoder) spends no budget."""
    t0, w0 = time.perf_counter(), work_clock()
    threading.Event().wait(0.2)
    assert time.perf_counter() - t0 >= 0.2 and work_clock() - w0 < 0.05


def test_only_a_long_query_or_a_long_page_is_expensive():
    assert Lanes.expensive(long_query(), 10) and Lanes.expensive("交通", 1000)
    assert not Lanes.expensive("交通空白", 10) and not Lanes.expensive("x" * LONG_QUERY_CHARS, LONG_PAGE)
    # No gold query waits for a lane.
    assert not any(Lanes.expensive(json.loads(line)["query"], 10)
                   for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip())


class HeldLane:
    """An expensive search in flight: a thread holding the lane until released."""

    def __init__(self, lanes: Lanes):
        self.entered, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, args=(lanes,), daemon=True)
        self.thread.start()
        assert self.entered.wait(5)

    def _run(self, lanes: Lanes) -> None:
        with lanes.admit(True):
            self.entered.set()
            self.release.wait(30)

    def done(self) -> None:
        self.release.set()
        self.thread.join(5)


def test_a_cheap_search_is_answered_while_an_expensive_one_holds_the_lane(engine, monkeypatch):
    lanes = Lanes(1, waiting=1, wait_s=0.05)
    monkeypatch.setattr(engine, "lanes", lanes)
    held = HeldLane(lanes)
    try:
        cheap = engine.search("交通空白", mode="keyword")
        assert cheap.results and cheap.cut == {}
        # Another expensive one waits for the lane, then is refused with a Japanese message (503).
        with pytest.raises(Busy) as refused:
            engine.search(long_query(), mode="keyword")
        assert refused.value.status == 503 and "混み合っています" in refused.value.message
    finally:
        held.done()
    # The lane free again, the same long query is answered.
    assert engine.search(long_query(), mode="keyword").results


def test_an_expensive_search_past_the_waiting_places_is_refused_at_once():
    lanes = Lanes(1, waiting=0, wait_s=60)
    held = HeldLane(lanes)
    outcome: list[BaseException] = []

    def expensive() -> None:
        try:
            with lanes.admit(True):
                pass
        except Busy as exc:
            outcome.append(exc)
    try:
        t = threading.Thread(target=expensive, daemon=True)
        t.start()
        t.join(5)  # not the 60 s a waiting place would allow
        assert not t.is_alive() and len(outcome) == 1
    finally:
        held.done()
    with lanes.admit(True):  # its place came back
        pass


HOLD_A_SHARED_LANE = """
import sys, time
from pathlib import Path
from indexer.search.budget import SharedLanes
fd = SharedLanes(Path(sys.argv[1]), 1).acquire(time.monotonic() + 10)
print("held" if fd is not None else "none", flush=True)
time.sleep(120)
"""


def test_a_lane_shared_by_worker_processes_is_taken_once_and_freed_when_its_holder_dies(tmp_path):
    """Another process (a worker of the same server) holds the one lane: this one's expensive search
    is refused after its wait, a cheap one is not; killed, the holder's lane is free at once."""
    other = subprocess.Popen([sys.executable, "-c", HOLD_A_SHARED_LANE, str(tmp_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        lanes = Lanes(1, waiting=1, wait_s=0.2, shared=SharedLanes(tmp_path, 1))
        with lanes.admit(False):  # a cheap search never asks for a lane
            pass
        t0 = time.monotonic()
        with pytest.raises(Busy):
            with lanes.admit(True):
                pass
        assert 0.2 <= time.monotonic() - t0 < 5
        other.send_signal(signal.SIGKILL)
        other.wait(10)
        with lanes.admit(True):  # the kernel gave the dead holder's lock back
            with pytest.raises(Busy):  # and this process now holds the only lane
                with Lanes(1, waiting=1, wait_s=0.05, shared=SharedLanes(tmp_path, 1)).admit(True):
                    pass
    finally:
        if other.poll() is None:
            other.kill()
            other.wait(10)


def test_an_expensive_search_s_encoding_never_takes_the_place_of_a_cheap_one():
    budget = EncoderBudget(budget_s=5.0, max_pending=1)
    release = threading.Event()
    try:
        assert budget.submit(release.wait, expensive=True) is not None  # a long query's encoding runs
        assert budget.submit(release.wait, expensive=True) is None  # its one place is taken
        cheap = budget.submit(lambda: 42)  # a record page's, a short query's: not behind it
        assert cheap is not None and cheap.result(timeout=5) == 42
    finally:
        release.set()
        budget.close()


def test_a_search_in_a_lane_encodes_on_the_expensive_searches_worker(engine):
    engine.embedder.encode_query("地方創生")  # loaded: the budget is for encoding, not loading
    budget = EncoderBudget(budget_s=30.0, max_pending=1)
    release = threading.Event()
    try:
        assert budget.submit(release.wait) is not None  # the other searches' one place is taken
        start_request()
        with Lanes(1).admit(True):
            vec = budget.start(engine.embedder, f"新しい長い問い合わせ {time.time_ns()}")()
        assert vec is not None and degraded_reason() is None
    finally:
        release.set()
        budget.close()


def test_a_query_already_being_encoded_waits_for_that_encoding_not_for_a_place(engine):
    """Single flight: with every place of the queue taken, a request for a text whose encoding is
    queued shares it (answered whole), while a request for another text is refused a place."""
    engine.embedder.encode_query("地方創生")  # loaded: the budget is for encoding, not loading
    budget = EncoderBudget(budget_s=30.0, max_pending=2)
    release = threading.Event()
    text = f"新しい問い合わせ {time.time_ns()}"
    try:
        assert budget.submit(release.wait) is not None  # the worker is busy: one place of two taken
        first = budget.start(engine.embedder, text)     # queued: the other place
        second = budget.start(engine.embedder, text)    # the same text: no place needed
        start_request()
        other = budget.start(engine.embedder, f"別の問い合わせ {time.time_ns()}")
        assert other() is None and degraded_reason() == "queue_full"
        release.set()
        start_request()
        a, b = first(), second()
        assert a is not None and b is not None and degraded_reason() is None
        assert np.array_equal(a, b) and np.array_equal(a, engine.embedder.encode_query(text))
    finally:
        release.set()
        budget.close()


def test_a_shared_encoding_is_not_dropped_while_another_request_still_waits_for_it(engine):
    """The first request past its budget leaves the queued encoding alone when a later request for the
    same text still has time: that one is answered whole."""
    engine.embedder.encode_query("地方創生")
    budget = EncoderBudget(budget_s=2.0, max_pending=2)
    release = threading.Event()
    text = f"後から来た同じ問い合わせ {time.time_ns()}"
    try:
        assert budget.submit(release.wait) is not None
        early = budget.start(engine.embedder, text)
        time.sleep(1.0)
        late = budget.start(engine.embedder, text)  # one more second of budget than the first
        time.sleep(1.1)
        start_request()
        assert early() is None and degraded_reason() == "time_budget"  # over its budget, still queued
        release.set()
        start_request()
        assert late() is not None and degraded_reason() is None
    finally:
        release.set()
        budget.close()


def test_the_served_engine_is_frozen_out_of_the_collector_and_still_answers(settings):
    """The server's set-up (webapp.serve._open_app) freezes what it opened: the engine's records are
    kept out of every collection (a full one no longer walks them), searches answer as before, and
    garbage made by requests afterwards is still collected. In a fresh process: freezing is for life."""
    code = (
        "import gc\n"
        "from indexer.config import load_settings\n"
        "from webapp.serve import _open_app\n"
        f"engine, app = _open_app(load_settings(index_dir={str(settings.index_dir)!r}))\n"
        "records, rec = engine.records, engine.records[0]\n"
        "young = {id(o) for o in gc.get_objects()}\n"
        "assert gc.get_freeze_count() > 0 and gc.is_tracked(records) and gc.is_tracked(rec)\n"
        "assert id(records) not in young and id(rec) not in young\n"
        "resp = app.test_client().get('/api/search?q=%E4%BA%A4%E9%80%9A&mode=hybrid')\n"
        "assert resp.status_code == 200 and resp.get_json()['results']\n"
        "cycle = []; cycle.append(cycle); del cycle\n"
        "assert gc.collect() >= 1\n"
        "print('ok')\n"
    )
    assert last_line(code) == "ok"


def test_a_shared_lane_whose_files_cannot_be_opened_leaves_the_process_s_own_lane(tmp_path):
    """The lock files' directory gone: an expensive search still runs, one at a time in this process."""
    lanes = Lanes(1, waiting=1, wait_s=0.05, shared=SharedLanes(tmp_path / "gone", 1))
    with lanes.admit(True):
        with pytest.raises(Busy):  # the process's own lane is still taken
            with lanes.admit(True):
                pass
    with lanes.admit(True):  # and given back
        pass
