"""Which held law a name in a query means (issue 19, honesty about the law not held).

A question names a law as people write it: in full (地域再生法), or shortened (空家法 for
空家等対策の推進に関する特別措置法, 特区法, 過疎法). `find_law` matches such a name against the titles
of the laws a collection holds: the exact title, a title that contains the name, and then an
abbreviation — the name's characters before 法 appear in that order in the title (空家法 →
空家等対策の…特別措置法). A name that ends in 法 only meets Acts (titles ending in 法 or 法律), so the
cabinet order of a law (…特別措置法施行令) does not pass for the law itself.

Pure functions over titles; the engine gives them the titles each collection holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PAREN = re.compile(r"[（(][^）)]*[）)]$")
_ENDINGS = ("特別措置法", "特措法", "法律", "法")


def _act(title: str) -> bool:
    """An Act (法律), not an order or a rule made under one."""
    return _PAREN.sub("", title).endswith(("法", "法律"))


def _stem(name: str) -> str:
    for end in _ENDINGS:
        if name.endswith(end) and len(name) > len(end):
            return name[: -len(end)]
    return name


def _in_order(chars: str, text: str) -> bool:
    it = iter(text)
    return all(ch in it for ch in chars)


def find_law(name: str, titles: Iterable[str]) -> str | None:
    """The held title `name` means, or None: exact, then containing, then an abbreviation."""
    titles = list(titles)
    wants_act = name.endswith("法") or name.endswith("法律")
    pool = [t for t in titles if _act(t)] if wants_act else titles
    for t in pool:
        if _PAREN.sub("", t) == name:
            return t
    for t in pool:
        if name in t:
            return t
    stem = _stem(name)
    if len(stem) < 2:
        return None
    for t in pool:
        if stem in t:
            return t
    # An abbreviation: the stem's characters in order (空家 → 空家等対策…); kanji only, at least two.
    if re.fullmatch(r"[一-龥々]{2,}", stem):
        for t in pool:
            if _in_order(stem, t):
                return t
    return None


def titles_in(query: str, titles: Iterable[str]) -> list[str]:
    """Titles written out in full in the query (まち・ひと・しごと創生法, which a word list misses)."""
    return [t for t in titles if len(t) >= 3 and t in query]
