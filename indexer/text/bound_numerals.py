"""Kanji numerals that are part of a word in a query: the 二 of 二地域居住, the 一 of 一極集中.

Sudachi has no entry for 二地域居住, 東京一極集中 or 二拠点: it reads a numeral and a noun, and the
analysis (indexer.text.analysis) makes the numeral a term of its own, "2" or "1". As a query term that
matches every 二 and 一 of every text: the 第二条 of each article, 第二項, 一 of a list. Results then
highlight 二 in article numbers, their reasons read 「2」, the window of a long article is placed at
its first 二, and the numeral counts as a concept that nearly every article holds.

A numeral is read as part of a word when it is written in kanji, is not an ordinal (第二項), and the
morpheme right after it, with nothing between, is a common noun that names a thing or an act
(Sudachi's 普通名詞 一般 or サ変可能: 地域, 極, 拠点), or is the order 次 with such a noun after it
(一次産業, 二次交通). Counters (三年, 十回, 五箇年: 助数詞可能, 助数詞, 接尾辞) and bounds (二以上,
三以内: 副詞可能) keep the number a term; Arabic digits always keep theirs (5G, 2050年). A bound numeral
is not lost: the keyword side searches it as a two-word phrase with the word after it ("3 県" of
一都三県 matches 三県 and 3県, not every 三), and a text that writes the two together is highlighted
whole. Only queries (and their thesaurus expansions) are read this way; texts keep their numerals as
indexed.
"""

from __future__ import annotations

import re

from sudachipy import SplitMode

from indexer.text.analysis import Token, _tokenizer
from indexer.text.normalize import nfkc_with_offsets

__all__ = ["bound_numerals", "without_bound_numerals", "bound_spans", "numeral_start"]

_KANJI_NUMERAL = re.compile(r"[〇一二三四五六七八九十百千万億兆]+")
_KANJI_NUMERAL_AT_END = re.compile(_KANJI_NUMERAL.pattern + "$")
#: Sudachi's third tag of a 普通名詞 that makes a word with a numeral before it (not a counter or a bound).
_WORD_NOUNS = {"一般", "サ変可能"}
#: Characters of a query read (a query is at most 1,000; Sudachi refuses more than 49,149 bytes).
_MAX_CHARS = 10_000


def _word_noun(morpheme) -> bool:
    pos = morpheme.part_of_speech()
    return pos[0] == "名詞" and pos[1] == "普通名詞" and pos[2] in _WORD_NOUNS


def _bound_spans(query: str) -> set[tuple[int, int]]:
    """(start, end) in `query` of each kanji numeral that is part of a word: one Sudachi pass over the
    query as analyze reads it (NFKC, line breaks joined), the same offsets as its tokens."""
    prepared, origin = nfkc_with_offsets(query[:_MAX_CHARS], "join-breaks")
    morphemes = list(_tokenizer().tokenize(prepared, SplitMode.C))
    spans = set()
    for i, m in enumerate(morphemes[:-1]):
        if not _KANJI_NUMERAL.fullmatch(m.surface()) or m.part_of_speech()[1] != "数詞":
            continue
        if prepared[max(0, m.begin() - 1):m.begin()] == "第":
            continue  # an ordinal: 第二項
        after = morphemes[i + 1]
        # 一次産業, 二次交通: the order 次 with a noun after it is a word too.
        if _word_noun(after) or (after.surface() == "次" and after.part_of_speech()[0] == "接尾辞"
                                 and i + 2 < len(morphemes) and _word_noun(morphemes[i + 2])):
            spans.add((origin[m.begin()], origin[m.end()]))
    return spans


def bound_numerals(query: str, tokens: tuple[Token, ...]) -> tuple[tuple[Token, str], ...]:
    """Each numeral token of `tokens` (analyze(query)) that is part of a word, with the term of the
    token that follows it in the same split mode (二 → 地域): a text that writes them together is
    highlighted whole."""
    if not _KANJI_NUMERAL.search(query):
        return ()
    spans = _bound_spans(query)
    if not spans:
        return ()
    following = _following(tokens)
    return tuple((t, following[(t.mode, t.end)]) for t in tokens
                 if (t.start, t.end) in spans and t.term.isdigit() and (t.mode, t.end) in following)


def _following(tokens) -> dict[tuple[str, int], str]:
    """(mode, start) → term: the token that follows another in its split mode starts where it ends."""
    return {(t.mode, t.start): t.term for t in tokens}


def bound_spans(tokens, bound: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """(start, end) of each numeral among a text's `tokens` written right before the word a query
    bound it to (`bound`: QueryPlan.bound_words): the 二 of a text's 二地域居住, not of its 第二条."""
    if not bound:
        return []
    numerals = {n for n, _ in bound}
    following = _following(tokens)
    return [(t.start, t.end) for t in tokens
            if t.term in numerals and (t.term, following.get((t.mode, t.end))) in bound]


def numeral_start(text: str, end: int) -> int:
    """Where the kanji numerals that end at `end` in `text` begin (`end` when none do)."""
    found = _KANJI_NUMERAL_AT_END.search(text, 0, end)
    return found.start() if found else end


def without_bound_numerals(tokens: tuple[Token, ...], bound: tuple[tuple[Token, str], ...]) -> tuple[Token, ...]:
    """`tokens` without the numerals of `bound` (bound_numerals)."""
    drop = {t for t, _ in bound}
    return tuple(t for t in tokens if t not in drop) if drop else tokens
