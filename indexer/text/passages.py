"""A policy document cut into short passages, each under its heading path, with exact offsets and page.

For non-statute documents (statutes have their own article parser). Headings are Markdown's
「#」 lines, or in plain text and PDF text the outline markers of `outline.HEADING_MARKERS`
(Ⅰ, 第１章, １．, （１）, ①, 【…】) on a short line that is not a sentence. Officials nest these
families in different orders, so a family's depth is the order in which the document first
uses it: a heading of a family already open closes everything below it.

A paragraph is a run of lines ended by a blank line, by the next line opening a unit (○ ・ ①
bullets, 「２　」, a Markdown list item, …) and, in plain text, by a line that ends a sentence
(。): government text files often put each paragraph on one line with no blank line between,
while Markdown follows CommonMark (lines up to a blank line are one paragraph). PDF text from
`extract_pdf_text` already has one paragraph per line. A passage is 1–3 paragraphs and at most `max_chars`
(400) characters; a longer paragraph is cut between sentences, and a single longer sentence
stays whole, since a passage should not end mid-sentence — up to MAX_PASSAGE_CHARS
(indexer.limits): a "sentence" longer than that (a text without 。, a table flattened into one
line) is cut at line ends, then after 、 or a space, and only then at that length, so no passage,
record page or search result grows with the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.limits import MAX_PASSAGE_CHARS
from indexer.text.extracted import ExtractedText
from indexer.text.outline import BULLET, SENTENCE_END, STRONG_START, WEAK_START, heading_kind

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_MD_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]")
# Where a long paragraph may be cut: after 。 that closes no bracket (「…という。）」 and 「…。」と」
# go on).
_CUT_AFTER = re.compile(r"[。！？!?](?![）)」』])")
_WS = " \t\n\r\f\u3000"


@dataclass
class Passage:
    heading_path: list[str]
    start: int
    end: int
    text: str  # == document text[start:end]
    page: int | None


@dataclass
class _Para:
    heading_path: list[str]
    start: int
    end: int


def split_passages(doc: ExtractedText, *, max_chars: int = 400, max_paragraphs: int = 3) -> list[Passage]:
    """Passages of `doc` in document order; `doc.text[p.start:p.end] == p.text` for each."""
    text = doc.text
    groups: list[list[_Para]] = []
    for section in _sections(_paragraphs(doc)):
        groups.extend(_pack(section, max_chars, max_paragraphs))
    passages = []
    for group in groups:
        for start, end in _cut_long(text, group[0].start, group[-1].end, max_chars):
            passages.append(Passage(group[0].heading_path, start, end, text[start:end], doc.page_at(start)))
    return passages


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line), line
        pos += len(line) + 1


def _paragraphs(doc: ExtractedText) -> list[_Para]:
    markdown = doc.format == "markdown"
    one_per_line = doc.format == "pdf"
    path: list[str] = []
    kinds: list[str] = []  # the outline family of each entry of `path` ("md" for Markdown)
    paras: list[_Para] = []
    open_para: _Para | None = None
    prev_line = ""
    for start, end, line in _lines(doc.text):
        s = line.strip(_WS)
        if not s:
            open_para, prev_line = None, ""
            continue
        lead = len(line) - len(line.lstrip(_WS))
        start, end = start + lead, start + lead + len(s)
        heading = _heading(s, markdown)
        if heading is not None:
            level, kind, title = heading
            depth = level - 1 if markdown else kinds.index(kind) if kind in kinds else len(kinds)
            del path[depth:], kinds[depth:]
            path.append(title)
            kinds.append(kind)
            open_para, prev_line = None, ""
            continue
        new = (
            open_para is None
            or one_per_line
            or (not markdown and SENTENCE_END.search(prev_line) is not None)
            or bool(BULLET.match(s) or STRONG_START.match(s) or WEAK_START.match(s))
            or (markdown and bool(_MD_ITEM.match(s)))
        )
        if new:
            open_para = _Para(list(path), start, end)
            paras.append(open_para)
        else:
            open_para.end = end
        prev_line = s
    return paras


def _heading(line: str, markdown: bool) -> tuple[int, str, str] | None:
    """(Markdown level, outline family, title) when the line is a heading."""
    if markdown:
        m = _MD_HEADING.match(line)
        return (len(m.group(1)), "md", m.group(2).strip()) if m else None
    kind = heading_kind(line)
    return (0, kind, line.strip(_WS)) if kind else None


def _sections(paras: list[_Para]) -> list[list[_Para]]:
    sections: list[list[_Para]] = []
    for p in paras:
        if sections and sections[-1][-1].heading_path == p.heading_path:
            sections[-1].append(p)
        else:
            sections.append([p])
    return sections


def _pack(section: list[_Para], max_chars: int, max_paragraphs: int) -> list[list[_Para]]:
    groups: list[list[_Para]] = []
    for p in section:
        g = groups[-1] if groups else None
        if g and len(g) < max_paragraphs and p.end - g[0].start <= max_chars:
            g.append(p)
        else:
            groups.append([p])
    return groups


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """[start, end) whole, or cut between sentences into pieces of at most max_chars where possible."""
    if end - start <= max_chars:
        return [(start, end)]
    sentences = []
    s = start
    for m in _CUT_AFTER.finditer(text, start, end):
        sentences.append((s, m.end()))
        s = _skip_ws(text, m.end(), end)
    if s < end:
        sentences.append((s, end))
    pieces: list[tuple[int, int]] = []
    for s, e in sentences:
        if pieces and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        elif e - s > MAX_PASSAGE_CHARS:
            pieces.extend(_bound(text, s, e, MAX_PASSAGE_CHARS))
        else:
            pieces.append((s, e))  # a sentence longer than max_chars stays whole, up to the bound
    return [(s, _trim_end(text, s, e)) for s, e in pieces if text[s:e].strip(_WS)]


_SOFT_CUTS = ("\n", "、", "，", ",", "\u3000", " ")


def _bound(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """[start, end) cut into pieces of at most `limit` characters: after the last line end in
    reach, else after the last 、 or space, else at `limit` (a run with none of them)."""
    pieces = []
    s = start
    while end - s > limit:
        cut = -1
        for mark in _SOFT_CUTS:
            cut = text.rfind(mark, s + limit // 2, s + limit)
            if cut >= 0:
                break
        e = cut + 1 if cut >= 0 else s + limit
        pieces.append((s, e))
        s = _skip_ws(text, e, end)
    if s < end:
        pieces.append((s, end))
    return pieces


def _skip_ws(text: str, i: int, end: int) -> int:
    while i < end and text[i] in _WS:
        i += 1
    return i


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _WS:
        end -= 1
    return end
