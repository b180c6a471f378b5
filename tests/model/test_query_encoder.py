"""The query encoder on ONNX Runtime: the same vectors as sentence-transformers on torch, and a
serving process that never imports torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.model.query_encoder import OnnxQueryEncoder, graph_supported, open_query_encoder, query_graph_path

ROOT = Path(__file__).resolve().parents[2]

QUERIES = [
    "地方創生",
    "二地域居住を進めるための計画",
    "シカやイノシシに畑を荒らされる山あいの村",
    "ＡＩ・デジタル　ｶﾀｶﾅ 𠮷野家 ①②",  # width, compatibility and astral characters
    "交通" * 400,  # over the model's 512 tokens: cut the same way as sentence-transformers
]


@pytest.fixture(scope="module")
def encoders(settings):
    from indexer.model.embedder import Embedder

    graph = query_graph_path(settings.model_dir, settings.index_dir)
    assert graph is not None, "the build exports the query graph"
    return OnnxQueryEncoder(settings.model_dir, graph), Embedder(settings.model_dir)


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_onnx_vector_equals_torch(encoders, query):
    onnx, torch_enc = encoders
    a, b = onnx.encode_query(query), torch_enc.encode_query(query)
    assert a.dtype == np.float32 and a.shape == b.shape
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-4)
    assert float(np.dot(a, b)) >= 0.9999


def test_open_query_encoder_takes_the_graph(settings):
    enc = open_query_encoder(settings.model_dir, settings.index_dir)
    assert isinstance(enc, OnnxQueryEncoder)
    assert enc.cached("未符号化の語") is None
    v = enc.encode_query("未符号化の語")
    assert enc.cached("未符号化の語") is v


def test_model_without_mean_pooling_gets_no_graph(settings, tmp_path):
    """A CLS-pooled model is not what the graph computes: it keeps the torch encoder."""
    model = tmp_path / "cls-model"
    shutil.copytree(settings.model_dir, model, copy_function=os.link)
    cfg_path = model / "1_Pooling" / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg_path.unlink()  # a hard link: write a new file, never the shared model's
    cfg["pooling_mode"] = "cls"
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    assert graph_supported(settings.model_dir)
    assert not graph_supported(model)


def test_serving_process_never_imports_torch(settings):
    """The server's set-up (webapp.serve._open_app: engine, encoder, warm-up) and a hybrid search."""
    code = (
        "import sys\n"
        "from indexer.config import load_settings\n"
        "from webapp.serve import _open_app\n"
        "from indexer.search.filters import Filters\n"
        f"s = load_settings(index_dir={str(settings.index_dir)!r})\n"
        "engine, app = _open_app(s)\n"
        "r = engine.search('人口減少に悩む山あいの町', mode='hybrid', filters=Filters())\n"
        "assert r.results and any('semantic' in x['why'] for x in r.results)\n"
        "resp = app.test_client().get('/api/search?q=%E4%BA%A4%E9%80%9A&mode=hybrid')\n"
        "assert resp.status_code == 200\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
