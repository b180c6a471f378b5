"""NFKC normalisation that remembers, for every output character, where it came from.

Two users, one rule for widths: search analysis and quote matching both
compare NFKC text, and both must point back into the ORIGINAL text (for
highlights and for quote offsets). A half-width voiced mark (ﾍﾞ) is normalised
together with its base, so ｲﾉﾍﾞｰｼｮﾝ = イノベーション.

What differs is whitespace: quote matching drops all of it (slides break lines
anywhere), while analysis keeps word boundaries but removes a line break between
two non-ASCII characters (移り\\n住む is one word; a break between Latin words is a space).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

HALF_VOICED = frozenset("\uff9e\uff9f")
Whitespace = Literal["drop", "join-breaks"]


def _layout_break(prev: str, nxt: str) -> bool:
    return ord(prev) > 0x2000 and ord(nxt) > 0x2000


class _NfkcOfChar(dict):
    """code point → its NFKC string, filled on first sight: str.translate with it normalises a
    text in C at the speed of a table lookup."""

    def __missing__(self, code: int) -> str:
        value = self[code] = unicodedata.normalize("NFKC", chr(code))
        return value


_NFKC_OF_CHAR = _NfkcOfChar()
_BREAKS = re.compile(r"[\r\n]")
_SPACES = re.compile(r"\s")


def nfkc_with_offsets(text: str, whitespace: Whitespace) -> tuple[str, list[int]]:
    """NFKC text and, per character of it, its offset in `text`; a final entry len(text) closes the map."""
    if not HALF_VOICED.isdisjoint(text):
        return _nfkc_with_offsets_slow(text, whitespace)
    # Normalised char by char (as the slow path does), in one translate. When no character grew
    # (NFKC never maps one to nothing), the i-th character came from the i-th: offsets are the
    # identity, and only whitespace remains to do. A text with ①, ㈱ or ㍻ takes the slow path.
    norm = text.translate(_NFKC_OF_CHAR)
    n = len(text)
    if len(norm) != n:
        return _nfkc_with_offsets_slow(text, whitespace)
    pattern = _BREAKS if whitespace == "join-breaks" else _SPACES
    if pattern.search(norm) is None:
        return norm, list(range(n + 1))
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    last = " "
    for m in pattern.finditer(norm):
        i = m.start()
        if i > pos:
            out.append(norm[pos:i])
            origin.extend(range(pos, i))
            last = norm[i - 1]
        pos = i + 1
        if whitespace == "join-breaks" and not _layout_break(last, text[i + 1] if i + 1 < n else " "):
            out.append(" ")
            origin.append(i)
            last = " "
    out.append(norm[pos:])
    origin.extend(range(pos, n + 1))
    return "".join(out), origin


def _nfkc_with_offsets_slow(text: str, whitespace: Whitespace) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if whitespace == "join-breaks" and ch in "\r\n":
            prev = out[-1] if out else " "
            nxt = text[i + 1] if i + 1 < n else " "
            if not _layout_break(prev, nxt):
                out.append(" ")
                origin.append(i)
            i += 1
            continue
        j = i + 1
        while j < n and text[j] in HALF_VOICED:
            j += 1
        for c in unicodedata.normalize("NFKC", text[i:j]):
            if whitespace == "drop" and c.isspace():
                continue
            out.append(c)
            origin.append(i)
        i = j
    origin.append(n)
    return "".join(out), origin


def _is_format_char(ch: str) -> bool:
    # Unicode format characters (Cf: zero-width space and joiners, BOM, soft hyphen, bidi marks) and
    # variation selectors (VS1–16, VS17–256): invisible in a pasted query, yet Sudachi makes them
    # words (交通\u200b空白 became 「交」「」「白」).
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def strip_format_chars(text: str) -> str:
    """`text` without format characters and variation selectors (what a query is analysed as)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if not _is_format_char(ch))


def normalize_for_match(text: str) -> str:
    """NFKC with every whitespace character removed: how quotes and gold answers are compared."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())
