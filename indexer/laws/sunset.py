"""A law's own expiry (失効): the 附則 provision 「この法律は、令和三年三月三十一日限り、その効力を失う。」.

e-Gov's archive keeps such a law after its date (過疎地域自立促進特別措置法, which lost effect on
平成三十三年（2021年）3月31日, is there beside its successor's cabinet order), with nothing in the
file to say so: read as current law, its articles would be cited as if in force. The archive is the
consolidated text, so a sunset date extended by a later amendment reads as extended, and one repealed
reads as 削除 (no match).

Only the whole law counts: the subject is 「この法律は」 at the start of a paragraph of the original
act's 附則 (not an amending act's 附則, not 「第五条の規定は」 nor 「この法律の規定は…」).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from indexer.laws.lines import ERA
from indexer.laws.model import Statute
from indexer.laws.numerals import KANJI_NUM, int_to_kanji, kanji_to_int

__all__ = ["Sunset", "sunset_of"]

# First years of the eras, as the year before their 元年: a year written past an era's end
# (平成三十三年, as laws enacted before 2019 write 2021) still counts from its era.
_ERA_BASE = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_SUNSET = re.compile(
    rf"^(?:第{KANJI_NUM}条(?:の{KANJI_NUM})*|[0-9０-９]+)?[ \u3000]*この法律は、"
    rf"(?P<era>{ERA})(?P<year>元|{KANJI_NUM})年(?P<month>{KANJI_NUM})月(?P<day>{KANJI_NUM})日限り、その効力を失う。"
)


@dataclass(frozen=True)
class Sunset:
    """The date after which the law no longer has effect, and the 附則 article that says so."""

    date: dt.date
    article: str  # 「附則第三条」, 「附則第二項」 (a 附則 of paragraphs), 「附則第二条第二項」

    def as_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "article": self.article}


def sunset_of(statute: Statute) -> Sunset | None:
    """The law's own expiry, when its original 附則 provides one."""
    for art in statute.articles:
        if not art.in_suppl or art.suppl_act != statute.law_number:
            continue
        for para in art.paragraphs:
            m = _SUNSET.match(statute.text[para.start:para.end])
            if m is None:
                continue
            year = 1 if m["year"] == "元" else kanji_to_int(m["year"])
            try:
                date = dt.date(_ERA_BASE[m["era"]] + year, kanji_to_int(m["month"]), kanji_to_int(m["day"]))
            except ValueError:  # a date no calendar has: not a sunset this reader can state
                return None
            where = f"第{int_to_kanji(para.num)}項" if len(art.paragraphs) > 1 else ""
            return Sunset(date, art.label + where)
    return None
