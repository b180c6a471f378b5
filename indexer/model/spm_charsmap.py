"""Build a SentencePiece ``precompiled_charsmap`` from a plain string map.

``tokenizers``' ``Precompiled`` normalizer (the ``spm_precompiled`` crate)
only accepts SentencePiece's binary charsmap, so a per-codepoint normalisation
table has to be compiled into that format:

    u32 trie_bytes | trie: u32 units (Darts-clone double array) | normalized

``normalized`` is the replacement strings, each ended by ``\\0``; a trie key is
the UTF-8 of the source text and its value is the byte offset of the
replacement in ``normalized``.

Darts-clone unit bits, as ``spm_precompiled`` decodes them:
    label  = unit & (1<<31 | 0xFF)      byte of the edge into the node
    leaf   = (unit >> 8) & 1            node has a value child (label 0)
    offset = (unit >> 10) << ((unit & 1<<9) >> 6)
    value  = unit & 0x7FFFFFFF           (in the value unit, bit 31 set)
A node at index ``p`` whose unit has offset ``o`` keeps its child for byte
``c`` at ``p ^ o ^ c``; the lookup checks only that child's label, so every
node needs its own base ``p ^ o``.
"""
from __future__ import annotations

import struct
from collections.abc import Mapping

_IS_LEAF = 1 << 31
_HAS_LEAF = 1 << 8
_MAX_OFFSET = 1 << 21  # offsets below this need no extension bit


def build_precompiled_charsmap(mapping: Mapping[str, str]) -> bytes:
    """Compile ``{source_text: replacement}`` into a precompiled charsmap.

    Keys must be non-empty and free of NUL; replacements may be empty
    (deleting the source text).
    """
    normalized = bytearray()
    value_of: dict[str, int] = {}
    trie: dict = {}
    for key in sorted(mapping, key=lambda k: k.encode("utf-8")):
        kb = key.encode("utf-8")
        if not kb or 0 in kb:
            raise ValueError(f"unsupported charsmap key {key!r}")
        rep = mapping[key]
        if rep not in value_of:
            value_of[rep] = len(normalized)
            normalized += rep.encode("utf-8") + b"\0"
        node = trie
        for byte in kb:
            node = node.setdefault(byte, {})
        node[0] = value_of[rep]  # label 0 = the value child
    units = _build_double_array(trie)
    trie_blob = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie_blob)) + trie_blob + bytes(normalized)


def _build_double_array(root: dict) -> list[int]:
    """Lay the nested-dict trie out as a Darts-clone array (first fit)."""
    units = [0]
    used = bytearray(1)      # slot taken
    used[0] = 1              # the root unit
    bases: set[int] = set()
    first_free = 1

    def ensure(n: int) -> None:
        if n > len(units):
            grow = n - len(units)
            units.extend([0] * grow)
            used.extend(b"\0" * grow)

    def place(labels: list[int]) -> int:
        nonlocal first_free
        while first_free < len(used) and used[first_free]:
            first_free += 1
        q = first_free
        while True:
            ensure(q + 1)
            if not used[q]:
                base = q ^ labels[0]
                if base not in bases and base != 0:
                    ensure((base | 0xFF) + 1)
                    if all(not used[base ^ c] for c in labels):
                        return base
            q += 1

    stack: list[tuple[int, dict]] = [(0, root)]
    while stack:
        pos, node = stack.pop()
        labels = sorted(node)
        base = place(labels)
        bases.add(base)
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("charsmap too large for a plain Darts-clone offset")
        units[pos] |= offset << 10
        for c in labels:
            used[base ^ c] = 1
        for c in labels:
            child = base ^ c
            if c == 0:
                units[child] = _IS_LEAF | node[0]
                units[pos] |= _HAS_LEAF
            else:
                units[child] = c
                stack.append((child, node[c]))
    return units


def parse_precompiled_charsmap(blob: bytes) -> tuple[list[int], bytes]:
    """Split a charsmap into its units and normalized strings (for tests)."""
    (trie_bytes,) = struct.unpack_from("<I", blob, 0)
    units = list(struct.unpack_from(f"<{trie_bytes // 4}I", blob, 4))
    return units, blob[4 + trie_bytes:]


def lookup(blob: bytes, key: str) -> str | None:
    """Return the replacement for the longest key that prefixes ``key``,
    decoding the trie exactly as ``spm_precompiled`` does."""
    units, normalized = parse_precompiled_charsmap(blob)

    def offset(u: int) -> int:
        return (u >> 10) << ((u & (1 << 9)) >> 6)

    pos = offset(units[0])
    found = None
    for c in key.encode("utf-8"):
        pos ^= c
        if pos >= len(units) or (units[pos] & (_IS_LEAF | 0xFF)) != c:
            break
        has_leaf = units[pos] & _HAS_LEAF
        pos ^= offset(units[pos])
        if has_leaf:
            found = units[pos] & 0x7FFFFFFF
    if found is None:
        return None
    end = normalized.index(b"\0", found)
    return normalized[found:end].decode("utf-8")
