"""Whole statements of the source: what a target's wording must be.

A target is cited with the whole statement it comes from, never a fragment:
in the policy package that is the complete 【…】 bracket (two targets split from
one bracket share it, so the shared year or subject stays with each); elsewhere
(the 目指す姿 goals, 今後の進め方) it is the complete line or sentence. The part a
target measures is marked inside it (`measured`).

The source notes once, on the policy package, that its brackets are current
goals given for reference: 「※【 】部分は当面の目標を参考として記載」. That caveat
travels with every bracketed target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.corpus.sources import Source

BRACKET_CAVEAT = "※【 】部分は当面の目標を参考として記載"
_BRACKET = re.compile(r"【[^】]*】")
_SPACE = " \t\u3000"


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


def bracket_spans(text: str) -> list[tuple[int, int]]:
    """Every non-empty 【…】 of a text, as (start, end) offsets, 【 and 】 included."""
    return [(m.start(), m.end()) for m in _BRACKET.finditer(text) if m.group(0)[1:-1].strip()]


def is_bracketed(text: str, start: int, end: int) -> bool:
    return (start, end) in set(bracket_spans(text))


def statement_problem(text: str, start: int, end: int) -> str | None:
    """Why text[start:end] is not a whole statement of the source, or None when it is."""
    for bs, be in bracket_spans(text):
        if bs < end and start < be:
            if (bs, be) == (start, end):
                return None
            return f"a bracket must be quoted whole, from 【 to 】: {text[bs:be][:60]!r}"
    line_start = text.rfind("\n", 0, start) + 1
    head = text[line_start:start].strip(_SPACE)
    if head and not head.endswith("。"):
        return f"starts mid-sentence, after {head[-15:]!r}"
    if not head and not _after_break(text, line_start):
        return "starts mid-statement: the line before neither ends a sentence (。) nor is blank"
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    tail = text[end:line_end].strip(_SPACE)
    ends_sentence = text[start:end].rstrip().endswith("。")
    if tail and not ends_sentence:
        return f"ends mid-sentence, before {tail[:15]!r}"
    if not tail and not ends_sentence and not _before_break(text, line_end):
        return "ends mid-statement: it ends neither with 。 nor before a blank line"
    return None


def _after_break(text: str, line_start: int) -> bool:
    """The line before `line_start` is blank, ends a sentence, or there is none."""
    if line_start == 0:
        return True
    prev_start = text.rfind("\n", 0, line_start - 1) + 1
    prev = text[prev_start:line_start - 1].strip(_SPACE)
    return not prev or prev.endswith("。")


def _before_break(text: str, line_end: int) -> bool:
    if line_end >= len(text):
        return True
    next_end = text.find("\n", line_end + 1)
    return not text[line_end + 1: len(text) if next_end < 0 else next_end].strip(_SPACE)


def caveat_span(src: Source) -> Span | None:
    """Where the source states the brackets' caveat (None when it does not)."""
    spans = src.find_all(BRACKET_CAVEAT)
    if not spans:
        return None
    start, end = spans[0]
    return Span(src.text[start:end], start, end)


def measured_spans(wording: str, measured: list[str]) -> list[tuple[int, int]]:
    """Offsets, within the wording, of the phrases a target measures; the whole wording when none are named."""
    if not measured:
        return [(0, len(wording))]
    out = []
    for phrase in measured:
        pos = wording.find(phrase)
        if pos < 0:
            raise ValueError(f"measured phrase not in the wording: {phrase!r}")
        out.append((pos, pos + len(phrase)))
    return sorted(out)


def segments(wording: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The wording cut into (text, measured?) pieces, in order."""
    out, pos = [], 0
    for s, e in spans:
        if s > pos:
            out.append((wording[pos:s], False))
        out.append((wording[s:e], True))
        pos = e
    if pos < len(wording):
        out.append((wording[pos:], False))
    return out
