"""Citations of a statute's text at 条・項・号: where a selection stands, and its words laid out as in the law.

Pure functions over what a statute record holds (its `law` fields, its text and the source offset
its text starts at), so the build (indexer.corpus.citation.cite over Record objects) and the
server (`SearchEngine.cite` over stored record dicts) cite alike. Decisions:

- Place: the article's label, then 第N項 when the selection stays in one 項 of an article that has
  several (an article of one 項 is cited 第二条第一号, as the laws themselves cite it), then 第N号
  when it stays inside 号 of that 項 (one: 第一号, two: 第一号及び第二号, more: 第一号から第三号まで).
  Several 項: 第二項及び第三項 / 第二項から第四項まで; all of them: the article alone. A 附則 of an
  amending act names the act: 附則（平成二十年法律第三十六号）第三条.
- Words: the selection's lines, each on its own line as in the law, with a label's separator
  written as the ideographic space (「一　地域再生計画の区域」; the Markdown files carry a half-width
  one). The label of the article or 項 the place already names is left out (「第五条　」, 「２　」), and
  that of a 号 when the selection stays inside it.
- Length: a whole 項 (or article) is quoted whole up to WHOLE characters; beyond that, its sentences
  (split at 「。」 outside parentheses, and at line ends) from the first, as many as fit in WHOLE —
  at least one — and 「…」 for the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.errors import QueryError
from indexer.laws import int_to_kanji

WHOLE = 200
OMISSION = "…"
_BLANK = " \t\r\f\v\u3000\xa0"
# A label at the start of a line of statute text, and the blanks after it: 第五条 / ２ / ② / 一 / 一の二 /
# イ / （１）. Only when blanks follow (a line that begins 「第五条の規定により」 is no label).
_KANJI = "〇一二三四五六七八九十百千"
_LABEL_RE = re.compile(
    rf"^(?:第[{_KANJI}]+条(?:の[{_KANJI}]+)*|附[ \u3000]*則|[0-9０-９]+|[\u2460-\u2473]|[{_KANJI}]+(?:の[{_KANJI}]+)*"
    r"|[イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン](?:の[一二三四五六七八九十]+)*"
    r"|[（(][0-9０-９a-zａ-ｚivxｉｖｘ]+[）)])(?P<sep>[ \u3000]+)(?=\S)"
)


class CitationRangeError(QueryError):
    """A selection that does not lie in the record's text (offsets out of range, reversed, empty)."""


@dataclass(frozen=True)
class LawSelection:
    """A selection of a statute record, located: `place` (「第五条第一項」), `quote` laid out, and the
    source span it covers (after blanks and the named label are left out)."""

    place: str
    quote: str
    start: int
    end: int
    truncated: bool


def _item_label(label: str) -> str:
    """「一」→「第一号」, 「一の二」→「第一号の二」, 「一から三まで」→「第一号から第三号まで」."""
    if "から" in label:
        first, _, last = label.partition("から")
        return f"{_item_label(first)}から{_item_label(last.removesuffix('まで'))}まで"
    head, sep, tail = label.partition("の")
    return f"第{head}号{sep}{tail}"


def _series(labels: list[str]) -> str:
    """One, two (及び) or a run (から…まで) of labels."""
    if len(labels) == 1:
        return labels[0]
    if len(labels) == 2:
        return f"{labels[0]}及び{labels[1]}"
    return f"{labels[0]}から{labels[-1]}まで"


def _article_label(law: dict) -> str:
    article = law.get("article") or ""
    act = law.get("suppl_act")
    if act and act != law.get("law_number") and article.startswith("附則"):
        return f"附則（{act}）{article.removeprefix('附則')}"
    return article


def place_of(law: dict, start: int, end: int) -> str:
    """The article, 項 and 号 a source span [start, end) of the record lies in (see the module docstring)."""
    article = _article_label(law)
    paragraphs = law.get("paragraphs") or []
    hit = [p for p in paragraphs if p["start"] < end and start < p["end"]]
    if not hit or not article or article.startswith("別表"):
        return article
    if len(hit) > 1:
        if len(hit) == len(paragraphs):
            return article
        return article + _series([f"第{int_to_kanji(p['num'])}項" for p in hit])
    para = hit[0]
    place = article if len(paragraphs) == 1 else f"{article}第{int_to_kanji(para['num'])}項"
    items = para.get("items") or []
    if items and start >= items[0]["start"]:
        inside = [i for i in items if i["start"] < end and start < i["end"]]
        if inside:
            place += _series([_item_label(i["label"]) for i in inside])
    return place


def _label_end(text: str, at: int, base: int) -> int:
    """Source offset just past the label (and its blanks) of the line starting at source offset `at`."""
    # (a slice: `^` does not match at a `pos` given to match())
    m = _LABEL_RE.match(text[at - base:at - base + 40])
    return at + m.end() if m else at


def _lay_out(piece: str) -> list[str]:
    """Lines of statute text as the law sets them: one per line, blanks trimmed, a label's separator
    written 「　」."""
    out = []
    for line in piece.split("\n"):
        line = line.strip(_BLANK)
        if line:
            m = _LABEL_RE.match(line)
            out.append(line[:m.start("sep")] + "\u3000" + line[m.end():] if m else line)
    return out


def _sentences(line: str) -> list[str]:
    """A line cut after each 「。」 that is outside parentheses (「（…。）」 stays whole)."""
    out, depth, last = [], 0, 0
    for i, ch in enumerate(line):
        if ch in "（「":
            depth += 1
        elif ch in "）」" and depth:
            depth -= 1
        elif ch == "。" and depth == 0:
            out.append(line[last:i + 1])
            last = i + 1
    if last < len(line):
        out.append(line[last:])
    return out


def _fit(lines: list[str], limit: int) -> tuple[str, bool]:
    """The lines whole when they fit in `limit` characters; else sentences from the first while they fit
    (at least one), and whether some were left out."""
    if sum(len(x) for x in lines) <= limit:
        return "\n".join(lines), False
    kept: list[list[str]] = []
    used = 0
    for line in lines:
        for n, sentence in enumerate(_sentences(line)):
            if kept and used + len(sentence) > limit:
                return "\n".join("".join(parts) for parts in kept), True
            if n == 0:
                kept.append([])
            kept[-1].append(sentence)
            used += len(sentence)
    return "\n".join("".join(parts) for parts in kept), False


def select(law: dict, text: str, base: int, start: int, end: int, *, limit: int | None = None) -> LawSelection:
    """The selection [start, end) (source offsets) of a statute record whose text starts at `base`.

    Raises CitationRangeError when the span is not inside the record's text or holds nothing but blanks.
    `limit`: quote whole up to this many characters, else by sentences (None: the selection as chosen).
    """
    if not (base <= start < end <= base + len(text)):
        raise CitationRangeError(
            f"選択範囲（文字位置 {start}–{end}）がこの条文の範囲（{base}–{base + len(text)}）にありません。"
            "条文の中の文字を選択してください。")
    piece = text[start - base:end - base]
    start += len(piece) - len(piece.lstrip(_BLANK + "\n"))
    end -= len(piece) - len(piece.rstrip(_BLANK + "\n"))
    if start >= end:
        raise CitationRangeError("選択範囲に文字がありません。条文の中の文字を選択してください。")
    # The label of the article or 項 the place names is the place, not the words: left out when the
    # selection starts on it (whole, or in part).
    # So is the label of a 号 when the selection stays inside that one 号.
    for p in law.get("paragraphs") or []:
        if p["start"] <= start < p["end"]:
            label_end = _label_end(text, p["start"], base)
            item = next((i for i in p.get("items") or [] if i["start"] <= start and end <= i["end"]), None)
            if start < label_end:
                start = min(label_end, end)
            elif item is not None and start < _label_end(text, item["start"], base):
                start = min(_label_end(text, item["start"], base), end)
            break
    if start >= end:
        raise CitationRangeError("選択範囲が条・項の番号だけです。本文の文字を含めて選択してください。")
    place = place_of(law, start, end)
    lines = _lay_out(text[start - base:end - base])
    quote, truncated = _fit(lines, limit) if limit else ("\n".join(lines), False)
    return LawSelection(place=place, quote=quote + (OMISSION if truncated else ""), start=start, end=end,
                        truncated=truncated)


def default_span(law: dict, text: str, base: int) -> tuple[int, int]:
    """What a record's own citation quotes: the whole article when it fits in WHOLE characters, else its
    first 項 (the sentences of it that fit: `select` with limit=WHOLE)."""
    paragraphs = law.get("paragraphs") or []
    body = "".join(_lay_out(text))
    if len(body) <= WHOLE or len(paragraphs) < 2:
        return base, base + len(text)
    return paragraphs[0]["start"], paragraphs[0]["end"]


def paragraph_span(law: dict, num: int) -> tuple[int, int] | None:
    """The source span of 項 `num`, or None when the article has no such 項."""
    p = next((p for p in law.get("paragraphs") or [] if p["num"] == num), None)
    return (p["start"], p["end"]) if p else None
