"""Build-time passage embedding in a process per core (ONNX Runtime): the torch vectors, in order."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.errors import UsageError
from indexer.model.cache import model_fingerprint
from indexer.model.parallel_encoder import ParallelPassageEncoder, build_encoder_choice
from indexer.model.prompts import passage_prompt
from indexer.model.query_encoder import query_graph_path

PASSAGES = [
    "地方公共団体は、地域の特性を生かした施策を策定し、及び実施する責務を有する。",
    "交通空白の解消に向けて、地域交通のリ・デザインを全面的に展開する。",
    "ＡＩ・デジタル　ｶﾀｶﾅ 𠮷野家 ①②",
    "短い",
    "第一条　この法律は、" + "地域の活力の向上を図り、" * 120,  # over 512 tokens: cut as sentence-transformers cuts
    "二地域居住を促進するための計画の作成について定める。",
    "",
]


def test_worker_processes_give_the_torch_vectors_in_order(settings):
    from indexer.model.embedder import Embedder

    graph = query_graph_path(settings.model_dir, settings.index_dir)
    assert graph is not None, "the build exports the model's graph"
    prompt = passage_prompt(settings.model_dir)
    assert prompt == "passage: "
    with ParallelPassageEncoder(settings.model_dir, graph, model_fingerprint(settings.model_dir), workers=2,
                                prompt=prompt) as enc:
        got = enc.encode_passages(PASSAGES)
    want = Embedder(settings.model_dir).encode_passages(PASSAGES)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert (got * want).sum(axis=1).min() >= 0.9999


def test_the_build_encoder_is_chosen_by_name(monkeypatch):
    monkeypatch.delenv("POLICYKB_BUILD_ENCODER", raising=False)
    assert build_encoder_choice() == "onnx"
    monkeypatch.setenv("POLICYKB_BUILD_ENCODER", "Torch")
    assert build_encoder_choice() == "torch"
    monkeypatch.setenv("POLICYKB_BUILD_ENCODER", "gpu")
    with pytest.raises(UsageError, match="onnx or torch"):
        build_encoder_choice()
