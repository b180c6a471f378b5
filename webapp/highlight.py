"""Snippet highlighting: <mark> around the engine's spans, every piece of text escaped."""

from __future__ import annotations

from markupsafe import Markup, escape


def highlight(text: str, spans) -> Markup:
    """`spans` are [start, end] character offsets into `text` (overlaps and out-of-range are tolerated)."""
    text = text or ""
    out: list[Markup] = []
    pos = 0
    for start, end in sorted((int(s), int(e)) for s, e in (spans or [])):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)
