"""Snippets with highlight spans, from Sudachi offsets on the original text.

Highlights are given as (start, end) offsets into the snippet string; rendering
them (escaping, <mark>) is the web app's business.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.text.analysis import Token, analyze
from indexer.text.bound_numerals import bound_spans


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]

    def as_dict(self) -> dict:
        return {"text": self.text, "highlights": [list(h) for h in self.highlights]}


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def highlight_spans(text: str, query_terms: set[str], tokens: list[Token] | None = None,
                    bound: tuple[tuple[str, str], ...] = ()) -> list[tuple[int, int]]:
    """Spans of the tokens whose term the query asks for; with `bound` ((numeral, next term) pairs a
    query wrote as one word, QueryPlan.bound_words), also such a numeral right before its word."""
    if not query_terms:
        return []
    tokens = analyze(text) if tokens is None else tokens
    return _merge([(t.start, t.end) for t in tokens if t.term in query_terms] + bound_spans(tokens, bound))


def make_snippet(text: str, query_terms: set[str], width: int = 140, tokens: list[Token] | None = None,
                 spans: list[tuple[int, int]] | None = None, bound: tuple[tuple[str, str], ...] = ()) -> Snippet:
    """The window of `text` holding the most highlighted characters, with its highlights.

    `tokens` is `analyze(text)` when the caller already has it (the engine caches it per record);
    `spans` is `highlight_spans(text, query_terms, tokens, bound)` when the caller already has it.
    """
    flat = text.replace("\n", " ")
    spans = highlight_spans(text, query_terms, tokens, bound) if spans is None else spans
    if len(flat) <= width:
        return Snippet(flat, spans)
    best_start, best_cover = 0, -1
    for s, _ in spans:
        start = max(0, min(s - width // 4, len(flat) - width))
        cover = sum(min(e, start + width) - max(b, start) for b, e in spans if b < start + width and e > start)
        if cover > best_cover:
            best_start, best_cover = start, cover
    end = best_start + width
    prefix = "…" if best_start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - best_start
    inside = [(max(b, best_start) + shift, min(e, end) + shift) for b, e in spans if b < end and e > best_start]
    return Snippet(prefix + flat[best_start:end] + suffix, inside)
