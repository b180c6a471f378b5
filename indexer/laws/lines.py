"""Lines of statute text with their offsets, and what each line is.

The parser is line-based because every structural unit of e-Gov text starts a line: the
Markdown conversion puts each heading, caption, article, paragraph and item on its own line,
and so does the text extracted from e-Gov's PDF. What differs between the two is only
decoration, which `classify` ignores:
  - the separator after a label is a half-width space in the Markdown files, an ideographic
    space (U+3000) in PDF text; both (and runs of either) are accepted;
  - PDF text has extra blank lines, bare page numbers (「12」, 「- 12 -」, 「12/40」) and
    sentences broken over lines; page numbers are `noise`, broken lines are `text` that the
    parser appends to the element before them.
A structural label is recognised only when a space follows it (「第五条　…」), which is what
keeps a broken line such as 「第五条の規定により…」 from being read as an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.laws.numerals import KANJI_NUM

_N = KANJI_NUM
_SP = "[ \u3000]+"
# Characters stripped from both ends of a line (form feeds come from PDF page breaks).
STRIP = " \t\r\f\v\u3000\xa0"

ERA = "明治|大正|昭和|平成|令和"
# 法令番号: 「平成十七年法律第二十四号」, 「昭和二十二年政令第十六号」, 「平成十二年総理府令第百二十号」.
# The kinds, as the e-Gov archive writes them (counted with scripts/count_law_parse): 法律, 政令,
# 勅令, 太政官布告/太政官達, any 令 or 規則 of one or several authorities (「デジタル庁令」,
# 「中央省庁等改革推進本部令」, a joint ordinance of up to 12 ministries 「令和三年内閣府・総務省・
# …・環境省令第一号」 — 120 characters, 「第二復員省令」); the unnumbered forms e-Gov gives as the
# number (「昭和二十一年憲法」, 「明治十九年勅令」, 「大正十二年内務省・鉄道省令」); 人事院規則, numbered
# 「一―三」; and the decisions e-Gov files among laws (「昭和N年N月N日内閣総理大臣決定」).
LAW_KIND = rf"(?:法律|政令|勅令|太政官布告|太政官達|(?:第{_N})?[^\s第（）]{{0,120}}?(?:令|規則))"
LAW_NUMBER = (
    rf"(?:{ERA})(?:元|{_N}|[0-9０-９]+)年"
    rf"(?:{LAW_KIND}第(?:{_N}|[0-9０-９]+)号"
    rf"|人事院規則{_N}(?:―{_N})+"
    rf"|{_N}月{_N}日内閣総理大臣決定"
    rf"|憲法|勅令|[^\s第（）]{{0,120}}?省令)"
)
LAW_NUMBER_LINE_RE = re.compile(rf"^（?(?P<num>{LAW_NUMBER})）?$")
# PDF title lines sometimes carry the number: 「地域再生法（平成十七年法律第二十四号）」.
TITLE_WITH_NUMBER_RE = re.compile(rf"^(?P<title>[^（）]+)（(?P<num>{LAW_NUMBER})）$")

ARTICLE_RE = re.compile(
    rf"^第(?P<num>{_N})条(?P<br>(?:[のノ]{_N})*)"
    rf"(?:(?P<conj>から|及び|乃至|、)第(?P<num2>{_N})条(?P<br2>(?:[のノ]{_N})*)(?:まで)?)?"
    # Older laws put the caption on the label's line: 「第一条（この法律の趣旨）　日本国憲法に…」 (裁判所法).
    rf"(?P<cap>（[^（）。\s]{{1,40}}）)?"
    rf"{_SP}(?P<rest>\S.*)$"
)
# An article of an excerpt (抄) printed as its label alone, followed only by the paragraphs the
# excerpt keeps: 「第五条」 then 「３ 新労働組合法第十九条の三…」 (労働組合法 附則).
ARTICLE_BARE_RE = re.compile(rf"^第(?P<num>{_N})条(?P<br>(?:[のノ]{_N})*)(?P<rest>)$")
HEADING_RE = re.compile(rf"^第(?P<num>{_N})(?P<level>編|章|節|款|目)(?:[のノ]{_N})*{_SP}(?P<title>\S.*)$")
# 国家公務員法 heads the 附則 of its first amending acts 「第一次改正法律附則 （昭和二三年…）」.
SUPPL_RE = re.compile(
    rf"^(?:第{_N}次改正法律)?附[ \u3000]*則(?:[ \u3000]*（(?P<act>[^（）]*)）)?(?:[ \u3000]*(?P<sho>抄))?$"
)
APPDX_RE = re.compile(
    rf"^(?P<label>別表(?:第{_N}(?:[のノ]{_N})*)?)"
    rf"(?P<title>(?:（[^（）]*関係）)?(?:{_SP}[^。]*)?)$"
)
CAPTION_RE = re.compile(r"^（[^（）]*(?:（[^（）]*）[^（）]*)*）$")
PARAGRAPH_RE = re.compile(rf"^(?P<num>[0-9０-９]+|[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]){_SP}(?P<rest>\S.*)$")
ITEM_RE = re.compile(
    rf"^(?P<label>(?P<num>{_N})(?:[のノ]{_N})*(?:から{_N}(?:[のノ]{_N})*まで)?){_SP}(?P<rest>\S.*)$"
)
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン"
SUBITEM_RE = re.compile(
    rf"^(?:[{_IROHA}](?:の{_N})*{_SP}\S"
    r"|[（(](?:[0-9０-９]+|[ivxlｉｖｘｌ]+|[a-zａ-ｚ])[）)][ \u3000]*\S"
    r"|[\u2474-\u2487]{1}[ \u3000]*\S)"
)
PAGE_NUMBER_RE = re.compile(
    r"^(?:[-－‐―—–ー]\s*)?[0-9０-９]{1,4}(?:\s*[-－‐―—–ー])?$"
    r"|^[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}$"
    r"|^(?:page|ページ)\s*[0-9０-９]+$",
    re.IGNORECASE,
)
TABLE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
TOC_RE = re.compile(r"^(?:\S{0,60})目次$")

_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
_CIRCLED.update({chr(0x3251 + i): 21 + i for i in range(15)})
_CIRCLED.update({chr(0x32B1 + i): 36 + i for i in range(15)})


@dataclass(frozen=True)
class Line:
    """One line: `no` is 1-based; start/end bound the content without surrounding blanks."""

    no: int
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Split on "\\n" only: str.splitlines would also split on U+2028, \\x1c… and shift line numbers."""
    out: list[Line] = []
    pos = 0
    for no, raw in enumerate(text.split("\n"), start=1):
        lead = len(raw) - len(raw.lstrip(STRIP))
        content = raw.strip(STRIP)
        start = pos + lead
        out.append(Line(no, start, start + len(content), content))
        pos += len(raw) + 1
    return out


def paragraph_number(token: str) -> int:
    """「２」, "2", 「②」 → 2."""
    if token in _CIRCLED:
        return _CIRCLED[token]
    return int(token.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def is_table_row(line: Line) -> bool:
    return "|" in line.text


def is_noise(line: Line) -> bool:
    return bool(PAGE_NUMBER_RE.match(line.text))
