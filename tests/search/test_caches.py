"""The engine's bounded caches (indexer.lru.BoundedCache): least recently used out, None kept as a
value, bounded whatever the threads of the server send."""

from __future__ import annotations

import threading

from indexer.lru import BoundedCache
from indexer.search.engine import PLAN_CACHE


def test_the_least_recently_used_goes_first():
    cache: BoundedCache[int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a", lambda: -1) == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.peek("b") is None and len(cache) == 2 == cache.limit


def test_none_is_a_value_made_once():
    made: list[str] = []
    cache: BoundedCache[None] = BoundedCache(4)
    for _ in range(3):
        assert cache.get("q", lambda: made.append("q")) is None
    assert made == ["q"]


def test_many_threads_never_pass_the_bound():
    cache: BoundedCache[int] = BoundedCache(64)
    errors: list[BaseException] = []

    def work(base: int) -> None:
        try:
            for n in range(2_000):
                key = (base * 7 + n) % 500
                assert cache.get(key, lambda: key) == key
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 64


def test_the_engine_keeps_at_most_its_bound_of_query_plans(engine):
    for n in range(PLAN_CACHE + 20):
        engine.plan(f"交通空白 {n}")
    assert len(engine._plans) == PLAN_CACHE
    # The most recent plan is kept and given again (the same frozen object).
    assert engine.plan(f"交通空白 {PLAN_CACHE + 19}") is engine.plan(f"交通空白 {PLAN_CACHE + 19}")
