"""The build's Sudachi tokens of every record: the result pages slice them instead of analysing."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import indexer.search.records_collection as records_collection
from indexer.index.record_tokens import TOKENS_DIR, RecordTokens
from indexer.search.collection import UNIT_WINDOW, window_start
from indexer.text.analysis import analyze


def test_a_record_s_kept_tokens_are_its_analysis(engine):
    kept = engine.regional.tokens
    assert kept is not None
    records = engine.regional.records
    assert all(r["id"] in kept for r in records)
    for rec in records[:: max(1, len(records) // 25)]:
        assert kept.tokens(rec["id"], rec["text"]) == analyze(rec["text"]), rec["id"]


def test_a_long_article_s_window_holds_the_whole_text_s_tokens_inside_it(engine):
    rec = next(r for r in engine.regional.records if r["kind"] == "article" and len(r["text"]) > 4 * UNIT_WINDOW)
    needle = rec["text"][2 * UNIT_WINDOW:2 * UNIT_WINDOW + 4]
    start = window_start(rec["text"], {needle})
    assert start > 0
    window = engine.regional.text_tokens(rec["id"], frozenset({needle}))
    whole = analyze(rec["text"])
    assert window == [t for t in whole if t.start >= start and t.end <= start + UNIT_WINDOW]
    assert len(window) > UNIT_WINDOW // 10  # a window's worth of words, not a few at an edge


def test_a_result_page_analyses_no_record_text(engine, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a record's text analysed at the page")

    engine.regional.clear_caches()
    monkeypatch.setattr(records_collection, "analyze", refuse)
    monkeypatch.setattr(records_collection, "window_tokens", refuse)
    for query in ("地域再生計画の認定の手続", "中山間地域の移動手段を確保したい"):
        for mode in ("keyword", "hybrid"):
            res = engine.search(query, mode=mode)
            assert res.results and any(r["highlights"] for r in res.results)


def test_an_index_without_kept_tokens_analyses_at_the_page(engine, tmp_path):
    kept = engine.regional.tokens
    shutil.copytree(engine.regional.path / TOKENS_DIR, tmp_path / "tokens")
    (tmp_path / "tokens" / "offsets.npy").unlink()
    assert RecordTokens.open(tmp_path / "tokens") is None
    engine.regional.clear_caches()
    engine.regional.tokens = None
    try:
        rec = next(r for r in engine.regional.records if r["kind"] == "measure")
        assert engine.regional.text_tokens(rec["id"]) == analyze(rec["text"])
    finally:
        engine.regional.tokens = kept
        engine.regional.clear_caches()


def test_damaged_tokens_are_named(engine, tmp_path):
    shutil.copytree(engine.regional.path / TOKENS_DIR, tmp_path / "tokens")
    rows = np.load(tmp_path / "tokens" / "rows.npy")
    np.save(tmp_path / "tokens" / "rows.npy", rows[:-1])
    with pytest.raises(ValueError, match="token rows"):
        RecordTokens.open(tmp_path / "tokens")
