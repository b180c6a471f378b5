"""Which 項 of an article a query matched: the paragraph holding most of the highlighted words.

Pure function over a record dict (its `law.paragraphs` carry source offsets; its first quote is
the article span, so a text offset i is source offset quote.start + i) and highlight spans
over the record's text, as `indexer.text.snippets.highlight_spans` gives them.
"""

from __future__ import annotations


def matched_paragraph(rec: dict, spans: list[tuple[int, int]]) -> int | None:
    """The 項 number with the most highlighted characters (the first such on a tie); None when the
    record is not an article of several paragraphs or nothing is highlighted."""
    law = rec.get("law") or {}
    paragraphs = law.get("paragraphs") or []
    if len(paragraphs) < 2 or not spans or not rec.get("quotes"):
        return None
    base = rec["quotes"][0].get("start") or 0
    best, best_cover = None, 0
    for p in paragraphs:
        lo, hi = p["start"] - base, p["end"] - base
        cover = sum(max(0, min(e, hi) - max(s, lo)) for s, e in spans)
        if cover > best_cover:
            best, best_cover = p["num"], cover
    return best
