"""Kanji numerals as statutes write them, and article references normalised to that form.

Two ways of writing a number occur in the 21 statutes of shared/laws:
  - place-value, in article/paragraph/item numbers and 法令番号: 「二十四」, 「百二」, 「千五百」,
    「二百五」 (国土形成計画法 is 昭和二十五年法律第二百五号);
  - digit-by-digit with 〇, in the dates and act numbers of 附則 headings:
    「平成二〇年五月二一日法律第三六号」, 「法律第一〇五号」.
`kanji_to_int` reads both (a string with no 十/百/千 is read digit by digit), plus 「元」 for
the first year of an era. `int_to_kanji` always writes the place-value form, the only form
used for article numbers.

Policy text cites statutes with Arabic or full-width digits (「第１条」, 「第17条の2」,
「第３条第２項」); `normalize_article_refs` rewrites such references to the kanji form the
statute itself uses, so a reference can be looked up by label.
"""

from __future__ import annotations

import re

KANJI_DIGITS: dict[str, int] = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_MAN = 10_000

# One numeral token as it can stand in a statute or in policy text.
KANJI_NUM = "[〇零一二三四五六七八九十百千万]+"
ANY_NUM = "[〇零一二三四五六七八九十百千万0-9０-９]+"

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _below_man(s: str) -> int:
    total = 0
    digit: int | None = None
    for ch in s:
        if ch in KANJI_DIGITS:
            if digit is not None:
                raise ValueError(f"two digits in a row in a place-value numeral: {s!r}")
            digit = KANJI_DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a kanji numeral: {s!r}")
    return total + (digit or 0)


def kanji_to_int(s: str) -> int:
    """「二十四」→24, 「百二」→102, 「千五百」→1500, 「二〇」→20, 「一〇五」→105, 「元」→1.

    Raises ValueError for anything else (empty string, other characters).
    """
    s = s.strip()
    if not s:
        raise ValueError("empty numeral")
    if s == "元":
        return 1
    if "万" in s:
        high, _, low = s.partition("万")
        return (kanji_to_int(high) if high else 1) * _MAN + (kanji_to_int(low) if low else 0)
    if any(ch in _UNITS for ch in s):
        return _below_man(s)
    if all(ch in KANJI_DIGITS for ch in s):
        # Digit-by-digit form of dates and act numbers in 附則 headings.
        return int("".join(str(KANJI_DIGITS[ch]) for ch in s))
    raise ValueError(f"not a kanji numeral: {s!r}")


def parse_number(s: str) -> int:
    """A number written in kanji, ASCII or full-width digits: 「十七」, "17", 「１７」 → 17."""
    t = s.strip().translate(_FULLWIDTH)
    if t.isascii() and t.isdigit():
        return int(t)
    return kanji_to_int(t)


def int_to_kanji(n: int) -> str:
    """17→「十七」, 102→「百二」, 1500→「千五百」, 0→「〇」: the place-value form of statutes."""
    if n < 0:
        raise ValueError(f"negative number: {n}")
    if n == 0:
        return "〇"
    if n >= _MAN:
        high, low = divmod(n, _MAN)
        return int_to_kanji(high) + "万" + (int_to_kanji(low) if low else "")
    digits = "〇一二三四五六七八九"
    out = []
    for unit, value in (("千", 1000), ("百", 100), ("十", 10)):
        d, n = divmod(n, value)
        if d:
            # Statutes write 「十」「百」「千」, never 「一十」.
            out.append(("" if d == 1 else digits[d]) + unit)
    if n:
        out.append(digits[n])
    return "".join(out)


# 第N条(のM)*, 第N項, 第N号(のM)*, and the division words, each number in any script.
_REF_RE = re.compile(
    rf"第\s*(?P<num>{ANY_NUM})\s*(?P<unit>条|項|号|編|章|節|款|目)"
    rf"(?P<branches>(?:の\s*{ANY_NUM})*)"
)
_BRANCH_RE = re.compile(rf"の\s*({ANY_NUM})")


def normalize_article_refs(text: str) -> str:
    """「第１条」→「第一条」, 「第17条の2第3項」→「第十七条の二第三項」; kanji text is unchanged.

    Only numbers inside 第…条/項/号/編/章/節/款/目 (and their の-branches) are rewritten:
    other digits in the text (dates, amounts) are left alone.
    """

    def one(m: re.Match[str]) -> str:
        num = int_to_kanji(parse_number(m.group("num")))
        branches = "".join("の" + int_to_kanji(parse_number(b))
                           for b in _BRANCH_RE.findall(m.group("branches")))
        return f"第{num}{m.group('unit')}{branches}"

    return _REF_RE.sub(one, text)


def article_number_key(label: str) -> str:
    """「第十七条の二十四」→ "17-24", 「第五条」→ "5": the slug fragment of an article number.

    Accepts any digit script (「第17条の24」). Raises ValueError when `label` is not one
    article number.
    """
    m = re.fullmatch(rf"第({ANY_NUM})条((?:の{ANY_NUM})*)", normalize_article_refs(label).strip())
    if not m:
        raise ValueError(f"not an article label: {label!r}")
    parts = [parse_number(m.group(1))] + [parse_number(b) for b in _BRANCH_RE.findall(m.group(2))]
    return "-".join(str(p) for p in parts)


def article_label(key: str) -> str:
    """"17-24" → 「第十七条の二十四」: the inverse of `article_number_key`."""
    parts = [int(p) for p in key.split("-")]
    return "第" + int_to_kanji(parts[0]) + "条" + "".join("の" + int_to_kanji(p) for p in parts[1:])
