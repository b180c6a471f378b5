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

import unicodedata
from typing import Literal

HALF_VOICED = frozenset("\uff9e\uff9f")
Whitespace = Literal["drop", "join-breaks"]


def _layout_break(prev: str, nxt: str) -> bool:
    return ord(prev) > 0x2000 and ord(nxt) > 0x2000


def nfkc_with_offsets(text: str, whitespace: Whitespace) -> tuple[str, list[int]]:
    """NFKC text and, per character of it, its offset in `text`; a final entry len(text) closes the map."""
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


def normalize_for_match(text: str) -> str:
    """NFKC with every whitespace character removed: how quotes and gold answers are compared."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())
