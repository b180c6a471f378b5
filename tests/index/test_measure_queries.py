"""The build's e5 questions of the policy records: one per record page's basis suggestions, the
vector the server's own encoder gives, used instead of encoding at the page."""

from __future__ import annotations

import numpy as np

from indexer.index.measure_queries import measure_query_text
from indexer.search.basis import measure_vector


def test_every_policy_record_has_its_question_and_no_derived_record_has_one(engine):
    stored = engine.regional.query_vectors
    policy = [r for r in engine.regional.records if measure_query_text(r) is not None]
    assert policy and all(measure_query_text(r) in stored for r in policy)
    assert len(stored) == len({measure_query_text(r) for r in policy})
    assert all(measure_query_text(r) is None for r in engine.regional.records if r["kind"] == "article")


def test_the_stored_question_is_what_the_server_s_encoder_gives(engine):
    stored = engine.regional.query_vectors
    texts = sorted(stored)[:: max(1, len(stored) // 12)]
    for text in texts:
        served = np.asarray(engine.embedder._encode_one(text), dtype=np.float32)
        cos = float(served @ stored[text] / (np.linalg.norm(served) * np.linalg.norm(stored[text])))
        assert cos >= 0.9999, (text[:40], cos)


def test_a_record_page_s_suggestions_encode_nothing(engine):
    rec = next(r for r in engine.regional.records if r["kind"] == "measure")
    text = measure_query_text(rec)
    engine.embedder.clear_cache()
    vec = measure_vector(engine, rec)
    assert vec is not None and abs(float(np.linalg.norm(vec)) - 1) < 1e-4
    assert engine.embedder.cached(text) is None  # read from the build, not encoded here
    engine.regional.query_vectors, kept = {}, engine.regional.query_vectors
    try:  # an index without them (built before): encoded at the page, the same vector
        again = measure_vector(engine, rec)
        assert engine.embedder.cached(text) is not None
        assert float(vec @ again) >= 0.9999
    finally:
        engine.regional.query_vectors = kept
