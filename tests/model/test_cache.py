"""The embedding cache on the real default model: nothing is embedded twice, encoders never mix, two processes share it."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest

from indexer.config import DEFAULT_MODEL_DIR
from indexer.model.cache import EmbeddingCache, encode_cached, model_fingerprint, text_key

PASSAGES = [
    "地域再生法 第五条（地域再生計画の認定）地方公共団体は、単独で又は共同して、地域再生計画を作成し、内閣総理大臣の認定を申請することができる。",
    "空家等対策の推進に関する特別措置法 第七条 市町村は、空家等対策計画を定めることができる。",
    "構造改革特別区域法 第四条 地方公共団体は、構造改革特別区域計画を作成し、内閣総理大臣の認定を申請することができる。",
    "地方自治法 第一条の二 地方公共団体は、住民の福祉の増進を図ることを基本として、地域における行政を自主的かつ総合的に実施する役割を広く担うものとする。",
]


class CountingEmbedder:
    """The real Embedder, with its passage calls and texts counted (the model still runs)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0
        self.texts = 0

    def encode_passages(self, texts, *, progress=False):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.encode_passages(texts, progress=progress)


@pytest.fixture(scope="module")
def embedder():
    from indexer.model.embedder import Embedder

    return CountingEmbedder(Embedder(DEFAULT_MODEL_DIR))


@pytest.fixture(scope="module")
def fingerprint():
    return model_fingerprint(DEFAULT_MODEL_DIR)


def test_second_call_embeds_nothing_and_gives_the_same_vectors(tmp_path, embedder, fingerprint):
    start_calls, start_texts = embedder.calls, embedder.texts
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache:
        first = encode_cached(embedder, PASSAGES, cache=cache, batch_size=2, fingerprint=fingerprint)
        assert embedder.calls - start_calls == 2  # 4 texts in batches of 2
        assert embedder.texts - start_texts == 4
        second = encode_cached(embedder, PASSAGES, cache=cache, batch_size=2, fingerprint=fingerprint)
        assert embedder.calls - start_calls == 2
        np.testing.assert_array_equal(first, second)
    assert first.shape == (4, 384) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    # The cached rows are the model's own vectors, in the order asked.
    np.testing.assert_allclose(first, embedder.inner.encode_passages(PASSAGES), atol=1e-6)


def test_only_missing_and_distinct_texts_are_embedded(tmp_path, embedder, fingerprint):
    new = "地域公共交通の活性化及び再生に関する法律 第五条 地方公共団体は、地域公共交通計画を作成するよう努めなければならない。"
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache:
        encode_cached(embedder, PASSAGES[:2], cache=cache, fingerprint=fingerprint)
        before = embedder.texts
        out = encode_cached(embedder, [PASSAGES[1], new, PASSAGES[0], new], cache=cache, fingerprint=fingerprint)
        assert embedder.texts - before == 1  # only `new`, once although asked twice
        np.testing.assert_array_equal(out[1], out[3])
        assert cache.count(fingerprint) == 3


def test_vectors_survive_reopening_and_fingerprints_do_not_mix(tmp_path, embedder, fingerprint):
    path = tmp_path / "emb.sqlite"
    with EmbeddingCache(path) as cache:
        encode_cached(embedder, PASSAGES[:1], cache=cache, fingerprint=fingerprint)
    before = embedder.calls
    with EmbeddingCache(path) as cache:
        encode_cached(embedder, PASSAGES[:1], cache=cache, fingerprint=fingerprint)
        assert embedder.calls == before
        other = model_fingerprint(DEFAULT_MODEL_DIR, variant="onnx-int8")
        assert other != fingerprint
        assert cache.get_many(other, [text_key(PASSAGES[0])]) == {}
        encode_cached(embedder, PASSAGES[:1], cache=cache, fingerprint=other)
        assert embedder.calls == before + 1


def test_encoder_without_fingerprint_is_refused(tmp_path, embedder):
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache, pytest.raises(ValueError, match="fingerprint"):
        encode_cached(embedder, PASSAGES[:1], cache=cache)


def test_a_dimension_other_than_the_fingerprints_is_refused(tmp_path):
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache:
        cache.put_many("m", [text_key("a")], np.ones((1, 4), dtype=np.float32))
        with pytest.raises(ValueError, match="4-dim"):
            cache.put_many("m", [text_key("b")], np.ones((1, 8), dtype=np.float32))


def _writer(path: str, offset: int, n: int) -> None:
    rng = np.random.default_rng(offset)
    cache = EmbeddingCache(Path(path))
    for i in range(0, n, 10):
        keys = [text_key(f"p{offset + j}") for j in range(i, i + 10)]
        cache.put_many("shared", keys, rng.standard_normal((10, 16)).astype(np.float32))
    cache.close()


def test_two_processes_write_the_same_file(tmp_path):
    path = tmp_path / "emb.sqlite"
    EmbeddingCache(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), off, 300)) for off in (0, 10_000)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with EmbeddingCache(path) as cache:
        assert cache.count("shared") == 600
        got = cache.get_many("shared", [text_key("p5"), text_key("p10005")])
        assert len(got) == 2 and all(v.shape == (16,) for v in got.values())
