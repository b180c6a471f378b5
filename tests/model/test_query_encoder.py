"""The query encoder on ONNX Runtime: the same vectors as sentence-transformers on torch, a
serving process that never imports torch, and a serving graph whose word-embedding table stays
out of the process's memory."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from indexer.model.query_encoder import (EMBEDS_INPUT, OnnxQueryEncoder, WordRows, graph_supported,
                                         open_query_encoder, query_graph_path, serving_graph_path, vocab_path,
                                         weights_path, words_path)
from indexer.model.unigram import CompactUnigram
from tests.fresh_python import last_line


QUERIES = [
    "地方創生",
    "二地域居住を進めるための計画",
    "シカやイノシシに畑を荒らされる山あいの村",
    "ＡＩ・デジタル　ｶﾀｶﾅ 𠮷野家 ①②",  # width, compatibility and astral characters
    "交通、地域。" * 300,  # 1,200 tokens, over the model's 512: cut the same way as sentence-transformers
]


@pytest.fixture(scope="module")
def encoders(settings):
    """The serving encoder (what a server opens), the whole graph's, and torch's."""
    from indexer.model.embedder import Embedder

    graph = query_graph_path(settings.model_dir, settings.index_dir)
    assert graph is not None, "the build exports the query graph"
    return (open_query_encoder(settings.model_dir, settings.index_dir), OnnxQueryEncoder(settings.model_dir, graph),
            Embedder(settings.model_dir))


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_onnx_vector_equals_torch(encoders, query):
    serving, whole, torch_enc = encoders
    a, w, b = serving.encode_query(query), whole.encode_query(query), torch_enc.encode_query(query)
    assert a.dtype == np.float32 and a.shape == b.shape
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-4)
    assert float(np.dot(a, b)) >= 0.9999
    assert float(np.dot(a, w)) >= 0.99999  # the same graph with its lookup done outside


def test_open_query_encoder_takes_the_serving_graph(settings):
    enc = open_query_encoder(settings.model_dir, settings.index_dir)
    assert isinstance(enc, OnnxQueryEncoder)
    graph = serving_graph_path(settings.model_dir, settings.index_dir)
    assert graph is not None and graph != query_graph_path(settings.model_dir, settings.index_dir)
    # The table is not in the graph: the graph is a fifth of the whole one, and takes the looked-up rows.
    assert graph.stat().st_size * 4 < query_graph_path(settings.model_dir, settings.index_dir).stat().st_size
    assert weights_path(graph).stat().st_size > 80e6  # the rest of the weights, mapped by ONNX Runtime
    assert EMBEDS_INPUT in {i.name for i in enc.session.get_inputs()}
    assert enc.words is not None and enc.words.shape[1] == 384
    assert isinstance(enc.tokenizer, CompactUnigram)
    assert enc.cached("未符号化の語") is None
    v = enc.encode_query("未符号化の語")
    assert enc.cached("未符号化の語") is v


def test_word_rows_are_the_tables_rows_and_stay_out_of_memory(settings):
    table = words_path(serving_graph_path(settings.model_dir, settings.index_dir))
    rows = WordRows(table)
    mapped = np.load(table, mmap_mode="r")
    ids = [0, 1, 17, 250001, rows.shape[0] - 1, 17]
    assert np.array_equal(rows.take(ids), mapped[ids])
    with pytest.raises(IndexError):
        rows.take([rows.shape[0]])

    def rss_kb() -> int:
        return int(next(line for line in open("/proc/self/status") if line.startswith("VmRSS")).split()[1])

    before = rss_kb()
    for start in range(0, rows.shape[0] - 2000, 5003):  # 50 rows in every 5,003: pages all over the table
        rows.take(list(range(start, start + 50)))
    assert rss_kb() - before < 8 * 1024  # read, not mapped: the page cache holds the rows, not this process


def test_a_damaged_serving_part_falls_back_to_the_whole_graph(settings, tmp_path):
    """A table of the wrong size (a copy cut short) makes the serving form not whole: the whole graph serves."""
    model = tmp_path / settings.model_dir.name
    shutil.copytree(settings.model_dir, model, copy_function=os.link)
    graph = serving_graph_path(settings.model_dir, settings.index_dir)
    (tmp_path / "onnx").mkdir()
    for src in (graph, graph.with_suffix(".json"), vocab_path(graph), weights_path(graph), query_graph_path(settings.model_dir,
                                                                                        settings.index_dir)):
        os.link(src, tmp_path / "onnx" / src.name)
    os.link(query_graph_path(settings.model_dir, settings.index_dir).with_suffix(".json"),
            tmp_path / "onnx" / query_graph_path(settings.model_dir, settings.index_dir).with_suffix(".json").name)
    (tmp_path / "onnx" / words_path(graph).name).write_bytes(b"\x93NUMPY cut short")  # a new file, not the shared one
    index_dir = tmp_path / "index"
    assert serving_graph_path(model, index_dir) is None
    enc = open_query_encoder(model, index_dir)
    assert isinstance(enc, OnnxQueryEncoder) and enc.words is None
    assert EMBEDS_INPUT not in {i.name for i in enc.session.get_inputs()}


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
    assert last_line(code) == "[]"


def test_the_encoder_costs_a_serving_process_little_memory(settings):
    """Opening the query encoder and encoding queries, in a fresh process (its libraries already
    imported): the whole graph with `tokenizers`' tokenizer added ≈ 730 MB; the serving graph, its
    table read by rows, and the compact tokenizer ≈ 150 MB."""
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "def rss(): return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) // 1024\n"
        "import numpy, onnxruntime, tokenizers\n"
        "from indexer.model.query_encoder import open_query_encoder\n"
        "before = rss()\n"
        f"enc = open_query_encoder(Path({str(settings.model_dir)!r}), Path({str(settings.index_dir)!r}))\n"
        f"for q in {QUERIES!r}: enc.encode_query(q)\n"
        "print(rss() - before)\n"
    )
    assert int(last_line(code)) < 300
