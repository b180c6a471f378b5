"""Static embeddings distilled from the real default e5 over a handful of passages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.config import DEFAULT_MODEL_DIR
from indexer.model.cache import EmbeddingCache, encode_cached
from indexer.model.static_distill import MARKER, distill_static
from indexer.model.static_encoder import StaticEncoder

from tests.model.test_cache import PASSAGES


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "m2v-test"
    return distill_static(DEFAULT_MODEL_DIR, out, texts=PASSAGES, pca_dims=32)


@pytest.fixture(scope="module")
def enc(static_dir):
    """One encoder over the distilled directory: loading its 250,000-token tokenizer takes seconds."""
    return StaticEncoder.shared(static_dir)


def test_distilled_directory_covers_only_the_tokens_of_the_texts(static_dir, enc):
    marker = json.loads((static_dir / MARKER).read_text(encoding="utf-8"))
    assert marker["from_texts"] and 20 < marker["tokens"] < 400
    assert enc.dim == 32
    vecs = enc.encode_passages(PASSAGES)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # Tokens the passages never use map to the zero row: they add nothing to a text's direction.
    plain, padded = enc.encode_passages(["地域再生計画", "地域再生計画ΩΨΞ"])
    assert float(plain @ padded) > 0.9999
    assert float(plain @ enc.encode_passages(["空家等対策計画"])[0]) < 0.99


def test_query_finds_its_passage(enc):
    vecs = enc.encode_passages(PASSAGES)
    assert int(np.argmax(vecs @ enc.encode_query("空家等対策計画を定める市町村"))) == 1
    assert int(np.argmax(vecs @ enc.encode_query("構造改革特別区域計画の認定申請"))) == 2


def test_static_vectors_are_cached_apart_from_e5(tmp_path, enc):
    from indexer.model.cache import model_fingerprint

    assert enc.fingerprint != model_fingerprint(DEFAULT_MODEL_DIR)
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache:
        got = encode_cached(enc, PASSAGES, cache=cache)
        assert cache.count(enc.fingerprint) == 4 and cache.count(model_fingerprint(DEFAULT_MODEL_DIR)) == 0
        np.testing.assert_allclose(got, enc.encode_passages(PASSAGES), atol=1e-6)


def test_one_encoder_per_model_files(static_dir, enc, tmp_path):
    """Builds that hold the same static model (hard links) share one encoder; a copy is loaded afresh."""
    import os
    import shutil

    assert StaticEncoder.shared(static_dir) is enc
    linked = shutil.copytree(static_dir, tmp_path / "linked" / static_dir.name, copy_function=os.link)
    assert StaticEncoder.shared(linked) is enc
    copied = StaticEncoder.shared(shutil.copytree(static_dir, tmp_path / "copied" / static_dir.name))
    assert copied is not enc and copied.fingerprint == enc.fingerprint
    np.testing.assert_allclose(copied.encode_passages(PASSAGES), enc.encode_passages(PASSAGES), atol=1e-6)
