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

The serving form (issue 18) is the same graph without its word-embedding table: e5-small
multilingual's 250,037 × 384 table is 384 of the graph's 470 MB, and a query touches about 14 of
its rows. `export_query_graph` therefore also writes, under new names (variant `SPLIT_VARIANT`):
  - the graph with that one Gather taken out (its output becomes the input `inputs_embeds`;
    position and type embeddings and the LayerNorm stay in the graph, as in Hugging Face's
    `inputs_embeds` path), its other weights in an ONNX external-data file (`.weights`);
  - the table as a .npy (`.words.npy`), from which `WordRows` reads a query's rows with pread;
  - the tokenizer's pieces for `indexer.model.unigram.CompactUnigram` (`.vocab.npz`).
Measured against the whole graph and `tokenizers` (`scripts/bench_search`: a fresh process opens
the encoder, its libraries' imports included, and encodes one query): 0.44 CPU seconds instead of
2.26, + 185 MB of RSS instead of + 769 MB (session ≈ 95 MB instead of ≈ 640 MB, tokenizer 42 MB
instead of 287 MB; load 9, so the wall clock, 0.99 s and 5.17 s, says less); the table costs the process
nothing (its pages stay in the page cache, shared by every worker: a memory map was not enough,
fault-around mapped ≈ 0.5 MB per row touched, 300 MB for the gold queries); the same CPU time per
query; cosine ≥ 0.999999 to the whole graph's vectors, 1.000000 to torch's on all 376 gold
queries, the same top 10 in all 752 semantic and hybrid searches (`scripts/check_query_encoder`).
Cut from the exported graph rather than exported anew, so the computation is the same and no
torch is needed. Tried and not kept (no gain measured): onnxruntime.transformers' BERT optimizer
(it fuses LayerNorm and Gelu but not this export's attention; MatMul is 83% of the time either
way) and saving ONNX Runtime's optimised graph for the next start (≈ 0.1 s, and tied to the CPU).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

from indexer.model.cache import model_fingerprint
from indexer.model.embedder import Embedder
from indexer.model.fast_encoder import export_onnx
from indexer.model.integrity import sha256_file
from indexer.model.prompts import query_prompt
from indexer.model.query_cache import QueryCache
from indexer.model.unigram import CompactUnigram, write_vocab

__all__ = ["OnnxQueryEncoder", "WordRows", "open_query_encoder", "query_graph_path", "serving_graph_path",
           "export_query_graph", "split_word_embeddings", "graph_supported"]

#: Graph variant named in the fingerprint: fp32 (int8 reorders e5's narrow band of similarities).
VARIANT = "onnx-fp32-query"
#: The serving form: the same graph, its word-embedding table in a .npy beside it (new file names).
SPLIT_VARIANT = "onnx-fp32-query-split"
#: The input that replaces the word-embedding lookup in the serving form.
EMBEDS_INPUT = "inputs_embeds"


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


def _graph_candidates(model_dir: Path, index_dir: Path, variant: str = VARIANT) -> list[Path]:
    """Beside the model directory (shared by every index built from it: the tests' many builds and
    the developer's index export it once), else in the index directory (a read-only model directory)."""
    name = model_fingerprint(model_dir, variant=variant, prompt=None).replace(":", "-") + ".onnx"
    return [model_dir.parent / "onnx" / name, index_dir / "models" / name]


def query_graph_path(model_dir: Path, index_dir: Path) -> Path | None:
    """The exported query graph of this model, whole, or None (the build's passage encoder uses it)."""
    return next((p for p in _graph_candidates(model_dir, index_dir) if _graph_whole(p)), None)


def serving_graph_path(model_dir: Path, index_dir: Path) -> Path | None:
    """The serving form of the query graph (no word-embedding table inside; `words_path` beside it), whole, or None."""
    return next((p for p in _graph_candidates(model_dir, index_dir, SPLIT_VARIANT) if _graph_whole(p)), None)


def words_path(graph: Path) -> Path:
    """The word-embedding table that goes with a serving graph."""
    return graph.with_suffix(".words.npy")


def vocab_path(graph: Path) -> Path:
    """The query tokenizer's pieces that go with a serving graph (indexer.model.unigram.write_vocab)."""
    return graph.with_suffix(".vocab.npz")


def weights_path(graph: Path) -> Path:
    """The serving graph's own weights, an ONNX external-data file (see `split_word_embeddings`)."""
    return graph.with_suffix(".weights")


#: The files of a serving graph besides the graph, each with its sidecar key.
_SERVING_PARTS = (("words_size", words_path), ("vocab_size", vocab_path), ("weights_size", weights_path))


def export_query_graph(model_dir: Path, index_dir: Path) -> Path | None:
    """Export the graph and its serving form when missing (build time: the graph needs torch); the
    graph, or None when the model is not supported."""
    if not graph_supported(model_dir):
        return None
    found = query_graph_path(model_dir, index_dir)
    if found is None:
        found = _write_whole(_graph_candidates(model_dir, index_dir), lambda tmp, _final: export_onnx(model_dir, tmp))
    if found is not None and serving_graph_path(model_dir, index_dir) is None:
        try:
            _write_whole(_graph_candidates(model_dir, index_dir, SPLIT_VARIANT),
                         lambda tmp, final: _write_serving(model_dir, found, tmp, final), parts=_SERVING_PARTS)
        except ValueError as exc:  # a graph or tokenizer of another shape: queries keep the whole graph
            print(f"policykb build: 警告: 検索語のグラフから語の埋め込み表を分けられません（{exc}）。", file=sys.stderr)
    return found


def _write_serving(model_dir: Path, graph: Path, out: Path, final: Path) -> None:
    split_word_embeddings(graph, out, words_path(out), weights=weights_path(out), weights_name=weights_path(final).name)
    try:
        write_vocab(model_dir / "tokenizer.json", vocab_path(out))
    except ValueError:
        pass  # not a Unigram tokenizer: the serving graph goes without, and `tokenizers` tokenizes


def _write_whole(candidates: list[Path], write, *, parts=()) -> Path | None:
    """Write a graph (and its parts) under temporary names at the first writable place, then its
    sidecar, then rename: a graph without its sidecar, or whose sizes differ, is never taken as whole."""
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.partial-{os.getpid()}.onnx")
            tmp.unlink(missing_ok=True)
        except OSError:
            continue  # not writable here: the next place
        try:
            write(tmp, path)
            meta = {"sha256": sha256_file(tmp), "size": tmp.stat().st_size}
            for key, part in parts:
                if part(tmp).exists():
                    meta[key] = part(tmp).stat().st_size
                    part(tmp).replace(part(path))
            _sidecar(path).write_text(json.dumps(meta), encoding="utf-8")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
            for _, part in parts:
                part(tmp).unlink(missing_ok=True)
        return path
    return None


def split_word_embeddings(graph: Path, out: Path, table_out: Path, *, weights: Path | None = None,
                          weights_name: str | None = None) -> None:
    """Write `graph` without its word-embedding lookup (the one Gather of an initializer by
    `input_ids`), whose output becomes the input `inputs_embeds`, and the table as a .npy.
    ValueError when the graph has no such lookup.

    With `weights`, the graph's other weights go to that external-data file, and the graph names it
    `weights_name` (its name once renamed into place). ONNX Runtime then maps the file instead of
    copying the weights out of the graph's protobuf: the session holds ≈ 95 MB instead of ≈ 150 MB
    (its MatMul weights are repacked either way) and loads faster."""
    # deferred: the onnx package, only when a build writes the serving graph
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(graph))
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    lookups = [n for n in g.node if n.op_type == "Gather" and len(n.input) == 2 and n.input[0] in inits
               and n.input[1] == "input_ids"]
    if len(lookups) != 1:
        raise ValueError(f"{len(lookups)} word-embedding lookups by input_ids in {graph.name}")
    lookup = lookups[0]
    table = inits[lookup.input[0]]
    if sum(lookup.input[0] in n.input for n in g.node) != 1 or len(table.dims) != 2:
        raise ValueError("the word-embedding table is used elsewhere in the graph")
    with open(table_out, "wb") as f:
        np.save(f, numpy_helper.to_array(table).astype(np.float32, copy=False))
    g.initializer.remove(table)
    g.node.remove(lookup)
    for node in g.node:
        for i, name in enumerate(node.input):
            if name == lookup.output[0]:
                node.input[i] = EMBEDS_INPUT
    g.input.append(helper.make_tensor_value_info(EMBEDS_INPUT, TensorProto.FLOAT, ["b", "t", int(table.dims[1])]))
    onnx.checker.check_model(model)
    if weights is None:
        onnx.save(model, str(out))
        return
    onnx.save(model, str(out), save_as_external_data=True, all_tensors_to_one_file=True, location=weights.name,
              size_threshold=1024)
    # Saved under the temporary name; the graph names the final one (two builds writing at once
    # each rename a whole file of their own into place).
    os.chmod(weights, out.stat().st_mode & 0o777)  # onnx creates it 0600; readable as the graph is
    small = onnx.load(str(out), load_external_data=False)
    for tensor in small.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = weights_name or weights.name
    onnx.save(small, str(out))


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _sidecar_meta(path: Path) -> dict:
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _graph_whole(path: Path) -> bool:
    """Sizes as recorded at export (a full hash of 470 MB would cost a server start ≈ 1 s)."""
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        for key, part in _SERVING_PARTS:
            if key in meta and part(path).stat().st_size != meta[key]:
                return False
        return path.stat().st_size == meta["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


class WordRows:
    """Rows of a 2-D .npy table read on demand with pread.

    Only the rows asked for are read, and none of them counts in this process's memory: they stay
    in the page cache, shared by every process that reads the file. Thread-safe (pread has no file
    position)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd = -1
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = read_header(f)
            self._offset = f.tell()
        if len(shape) != 2 or fortran_order or dtype != np.float32:
            raise ValueError(f"{path.name}: not a C-ordered float32 matrix")
        self.shape = shape
        self._row_bytes = shape[1] * 4
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def take(self, ids: list[int]) -> np.ndarray:
        """The rows `ids`, in order, as a new (len(ids), dim) float32 array."""
        out = np.empty((len(ids), self.shape[1]), dtype=np.float32)
        view = memoryview(out).cast("B")
        for k, i in enumerate(ids):
            if not 0 <= i < self.shape[0]:
                raise IndexError(f"row {i} of {self.shape[0]}")
            at = k * self._row_bytes
            if os.preadv(self._fd, [view[at:at + self._row_bytes]], self._offset + i * self._row_bytes) \
                    != self._row_bytes:
                raise OSError(f"{self.path.name}: short read at row {i}")
        return out

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def _max_length(model_dir: Path) -> int:
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        try:
            value = json.loads((model_dir / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value <= 8192:
            return value
    return 512


class _FullTokenizer:
    """`tokenizers`' tokenizer, giving ids as CompactUnigram does."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids


class OnnxQueryEncoder(QueryCache):
    """encode_query / cached, as `Embedder` has them, on ONNX Runtime (one thread by default).

    `words`: the word-embedding table of a serving graph (`split_word_embeddings`), whose rows are
    then looked up here and fed as `inputs_embeds`; `vocab`: the pieces for the compact tokenizer
    (indexer.model.unigram: the same ids in ≈ 40 MB instead of ≈ 290 MB), else `tokenizers`'."""

    def __init__(self, model_dir: Path, graph: Path, *, words: Path | None = None, vocab: Path | None = None,
                 threads: int = 1, cache_size: int = 2048):
        super().__init__(cache_size)
        # deferred: onnxruntime is imported by the serving path only (a build never needs it)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        if threads > 1:
            # Pool threads that spin between operators burn the core the keyword side and other
            # requests need (2 threads: 22.6 ms of CPU per gold query without spinning, 27.7 with).
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.words = WordRows(words) if words is not None else None
        if (EMBEDS_INPUT in self._inputs) != (self.words is not None):
            raise ValueError(f"{graph.name}: a serving graph takes its word-embedding table, and only it does")
        if vocab is not None:
            self.tokenizer = CompactUnigram(vocab, _max_length(model_dir), model_dir / "tokenizer.json")
        else:
            full = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            full.no_padding()
            full.enable_truncation(_max_length(model_dir))
            self.tokenizer = _FullTokenizer(full)
        self.query_prompt = query_prompt(model_dir)
        self.name = model_dir.name
        self.backend = "onnxruntime"

    def _encode_one(self, text: str) -> np.ndarray:
        token_ids = self.tokenizer.encode(self.query_prompt + text)
        ids = np.asarray([token_ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if self.words is not None:
            feed[EMBEDS_INPUT] = self.words.take(token_ids)[None]
        return self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0][0]


def open_query_encoder(model_dir: Path, index_dir: Path, *, threads: int = 1) -> "OnnxQueryEncoder | Embedder":
    """The ONNX encoder on the serving graph (else the whole graph) when the build exported this
    model's graph, else the torch `Embedder`."""
    if graph_supported(model_dir):
        serving = serving_graph_path(model_dir, index_dir)
        if serving is not None:
            vocab = vocab_path(serving) if "vocab_size" in _sidecar_meta(serving) else None
            return OnnxQueryEncoder(model_dir, serving, words=words_path(serving), vocab=vocab, threads=threads)
        path = query_graph_path(model_dir, index_dir)
        if path is not None:
            return OnnxQueryEncoder(model_dir, path, threads=threads)
    embedder = Embedder(model_dir)
    # deferred: torch is loaded by the Embedder just above; only the fallback pays for it
    import torch

    # The encoder gets this many cores; the rest stay free for requests that do not need it.
    torch.set_num_threads(threads)
    return embedder
