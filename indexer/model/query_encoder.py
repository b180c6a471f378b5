"""The query encoder of a serving process: the e5 graph on ONNX Runtime, no torch.

A search needs one short vector per new query. sentence-transformers on torch costs ≈ 4 s of
imports and ≈ 500 MB before the first one; ONNX Runtime and the Rust `tokenizers` give the same
vector (cosine ≥ 0.9999 on every gold query, same top 10: `scripts/check_query_encoder`) for a
fraction of both. torch stays where it is needed: converting the model, exporting this graph, and
embedding passages at build time.

The graph is exported by `policykb build` (`export_query_graph`, torch) from the configured
sentence-transformers directory, into `onnx/` beside the model directory (or the index directory
when that is read-only), named by the model's fingerprint: a model that changes gets a new graph. A model whose pooling is not mean pooling over tokens followed by
normalisation (what the graph computes) gets no graph; its queries are encoded by torch, as before.

Tokenisation follows sentence-transformers exactly: the model's query prompt (e5: "query: ") is
prepended to the text, the model's own tokenizer.json adds the special tokens, and the sequence is
cut at the model's maximum length, special tokens included.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from indexer.model.cache import model_fingerprint
from indexer.model.embedder import Embedder
from indexer.model.fast_encoder import export_onnx
from indexer.model.integrity import sha256_file
from indexer.model.query_cache import QueryCache

__all__ = ["OnnxQueryEncoder", "open_query_encoder", "query_graph_path", "export_query_graph", "graph_supported"]

#: Graph variant named in the fingerprint: fp32 (int8 reorders e5's narrow band of similarities).
VARIANT = "onnx-fp32-query"


def graph_supported(model_dir: Path) -> bool:
    """Whether the exported graph computes what this model's modules do: Transformer → mean pooling → Normalize."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next((m["path"] for m in modules if m["type"].endswith("Pooling")), None)
        pool_cfg = json.loads((model_dir / pooling / "config.json").read_text(encoding="utf-8")) if pooling else {}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    mean = pool_cfg.get("pooling_mode") == "mean" or (
        pool_cfg.get("pooling_mode_mean_tokens") is True
        and not any(v for k, v in pool_cfg.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"))
    return types == ["Transformer", "Pooling", "Normalize"] and mean and (model_dir / "tokenizer.json").exists()


def _graph_candidates(model_dir: Path, index_dir: Path) -> list[Path]:
    """Beside the model directory (shared by every index built from it: the tests' many builds and
    the developer's index export it once), else in the index directory (a read-only model directory)."""
    name = model_fingerprint(model_dir, variant=VARIANT, prompt=None).replace(":", "-") + ".onnx"
    return [model_dir.parent / "onnx" / name, index_dir / "models" / name]


def query_graph_path(model_dir: Path, index_dir: Path) -> Path | None:
    """The exported query graph of this model, whole, or None."""
    return next((p for p in _graph_candidates(model_dir, index_dir) if _graph_whole(p)), None)


def export_query_graph(model_dir: Path, index_dir: Path) -> Path | None:
    """Export the graph when missing (build time: needs torch); None when the model is not supported."""
    if not graph_supported(model_dir):
        return None
    found = query_graph_path(model_dir, index_dir)
    if found is not None:
        return found
    for path in _graph_candidates(model_dir, index_dir):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.partial-{os.getpid()}.onnx")
            tmp.unlink(missing_ok=True)
        except OSError:
            continue  # not writable here: the next place
        try:
            export_onnx(model_dir, tmp)
            # The sidecar first, the graph last: a graph without its sidecar is never taken as whole.
            _sidecar(path).write_text(json.dumps({"sha256": sha256_file(tmp), "size": tmp.stat().st_size}),
                                      encoding="utf-8")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return path
    return None


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _graph_whole(path: Path) -> bool:
    """Size as recorded at export (a full hash of 470 MB would cost a server start ≈ 1 s)."""
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        return path.stat().st_size == meta["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _max_length(model_dir: Path) -> int:
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        try:
            value = json.loads((model_dir / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value <= 8192:
            return value
    return 512


class OnnxQueryEncoder(QueryCache):
    """encode_query / cached, as `Embedder` has them, on ONNX Runtime (one thread by default)."""

    def __init__(self, model_dir: Path, graph: Path, *, threads: int = 1, cache_size: int = 2048):
        super().__init__(cache_size)
        # deferred: onnxruntime is imported by the serving path only (a build never needs it)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_max_length(model_dir))
        prompts = {}
        try:
            prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8")).get(
                "prompts") or {}
        except (OSError, ValueError):
            pass
        self.query_prompt = prompts.get("query", "")
        self.name = model_dir.name
        self.backend = "onnxruntime"

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.asarray([self.tokenizer.encode(self.query_prompt + text).ids], dtype=np.int64)
        return self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]


def open_query_encoder(model_dir: Path, index_dir: Path, *, threads: int = 1) -> "OnnxQueryEncoder | Embedder":
    """The ONNX encoder when the build exported this model's graph, else the torch `Embedder`."""
    path = query_graph_path(model_dir, index_dir) if graph_supported(model_dir) else None
    if path is not None:
        return OnnxQueryEncoder(model_dir, path, threads=threads)
    embedder = Embedder(model_dir)
    # deferred: torch is loaded by the Embedder just above; only the fallback pays for it
    import torch

    # The encoder gets this many cores; the rest stay free for requests that do not need it.
    torch.set_num_threads(threads)
    return embedder
