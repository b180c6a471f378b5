"""The outline markers Japanese officials start lines with, shared by PDF line joining and passage splitting.

A marker counts only at the start of a line and, where the same characters also occur inside
running text, only when a separator follows it: 「第五条　…」 is an article, 「第五条の規定により」
is a sentence that wrapped. Japanese running text has no spaces, so full-width 「２　」 and
kanji 「一　」 are paragraph and item numbers wherever they start a line (STRONG_START); but
policy text writes numbers half-width with spaces around them, so 「10 億円」 wrapped onto a new
line looks like an item: half-width digits with a space are a *weak* marker (WEAK_START),
trusted only where the line before ended a paragraph anyway.
"""

from __future__ import annotations

import re

KANJI_DIGITS = "〇一二三四五六七八九十百千"
_NUM = f"[0-9０-９{KANJI_DIGITS}]+"
_SEP = "[ \u3000]"
IROHA = "イロハニホヘトチリヌルヲアイウエオ"

# (kind, pattern). The kind names the marker family; passages.py ranks families by the order in
# which a document first uses them, as officials nest them differently from one document to the next.
HEADING_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第{_NUM}[編部]({_SEP}|$)")),
    ("chapter", re.compile(rf"^第{_NUM}章({_SEP}|$)")),
    ("section", re.compile(rf"^第{_NUM}節({_SEP}|$)")),
    ("subsection", re.compile(rf"^第{_NUM}款({_SEP}|$)")),
    ("roman", re.compile(r"^[\u2160-\u216b](?:[ \u3000．.、]|$)")),
    ("number-dot", re.compile(r"^[0-9０-９]{1,2}[．.](?![0-9０-９])")),
    ("paren-number", re.compile(rf"^(?:[（(][0-9０-９{KANJI_DIGITS}]{{1,3}}[）)]|[\u2474-\u2487])")),
    ("circled", re.compile(r"^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")),
    ("bracket", re.compile(r"^【[^】]{1,40}】")),
    ("katakana", re.compile(rf"^[（(]?[アイウエオカキクケコサシスセソ][）)]?{_SEP}")),
]

# Lines that begin a new unit even when the line before ran to the right margin.
STRONG_START = re.compile(
    rf"^(?:第{_NUM}[編部章節款]({_SEP}|$)"
    rf"|第{_NUM}条(?:の{_NUM})*{_SEP}"
    # 「２　」「一　」: statute paragraphs and items; full-width digits and kanji with a space do
    # not start a wrapped line of running text, which has no spaces.
    rf"|[０-９]{{1,2}}{_SEP}|[{KANJI_DIGITS}]{{1,3}}{_SEP}|[０-９]{{1,2}}．(?![０-９])"
    # 「（３）　」「イ　」: numbered and iroha items, again only with the space.
    rf"|[（(][0-9０-９{KANJI_DIGITS}]{{1,3}}[）)]{_SEP}|[（(]?[{IROHA}][）)]?{_SEP}"
    r"|[\u2160-\u216b](?:[ \u3000．.、]|$)"
    r"|【"
    r"|[○◯●◎◆◇■□▲△▼▽▶►➢※]"
    r"|[\u2460-\u2473])"
)
# Lines that begin a unit only after a line that itself ended one: 「10 億円」 may be a wrapped line.
WEAK_START = re.compile(
    rf"^(?:[0-9]{{1,2}}{_SEP}|[0-9０-９]{{1,2}}[．.](?![0-9０-９])"
    rf"|[（(][0-9０-９{KANJI_DIGITS}]{{1,3}}[）)]|[・\u2474-\u2487]|[（(]?[アイウエオ][）)]?{_SEP})"
)
BULLET = re.compile(r"^[○◯●◎◆◇■□▲△▼▽▶►➢・※\u2460-\u2473]")
CAPTION = re.compile(r"^[（(][^（）()]{1,30}[）)]$")  # 「（目的）」 above an article
# A line that ends a sentence. Not 「。）」 or 「。」」: 「（以下「法」という。）」 ends a parenthesis
# inside a sentence that goes on.
SENTENCE_END = re.compile(r"[。！？!?：:]$")


def heading_kind(line: str) -> str | None:
    """The marker family of an outline heading line, or None for body text.

    A heading is short and is not a sentence: 「（１）地方の現状」 is one, 「（１）の規定により…。」 is not.
    """
    s = line.strip(" \u3000")
    if not s or len(s) > 60 or "。" in s or s.endswith(("、", "，")):
        return None
    for kind, pattern in HEADING_MARKERS:
        if pattern.match(s):
            return kind
    return None
