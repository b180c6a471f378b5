"""Citations in a statute (第五条第四項第一号, 前条, 同項第二号, 前各号, 地方税法（…）第六条) resolved to provisions.

Why not jlawcite underneath: run as its authors intend, with the whole archive (9,380 laws)
loaded and scored on what its pipeline resolves (`scripts/measure_refs`), jlawcite 2.5.0 gets
86.1 % of the 79 cross-law citations of the gold right (83.3 % of the 18 held-out ones), but
67.6 % of the 173 same-law ones and none of the 42 bare 第三項 / 第一号 inside an article (its
locator needs 第N条). Its other misses: 第十二条第二号 without 第N項 (sent to the article),
「まち・ひと・しごと創生法」 (its law-name class has no 中黒), 前各号 read as the paragraph, 次条 in a
附則 e-Gov prints only in part (抄), an article carried over a parenthetical (「…（…）又は第二百
九十一条の二第二項」). So the rules are ours, written for these forms, with precision first: a
link that is not sure is left as text. On the gold this resolver now gets all 252 right; the
three held-out misses it had (a citation inside 「第三条（第一項を除く。）」, two inside 「」 of a
読替え) were fixed by the general rules below after they were seen, so the held-out split no
longer measures unseen text: precision is measured on a random sample instead
(scripts/sample_refs, tests/laws/precision_sample.jsonl).

How a citation is read, in text order within each paragraph and item:
  - law: a 法令番号 in parentheses before the locator (「地方税法（昭和二十五年法律第二百二十六号）
    第六条」) decides it; else the longest name of `known_laws` (or one the text gives with a
    法令番号, or an abbreviation it defines) that ends right before it and stands whole: glued to a
    longer run of kanji (「電線」+「共同溝の整備等に関する特別措置法」) it is another law's name, and
    after 旧/新/改正前の it is another version. 同法 is the law named last in the article within the
    same text (see 「」 below). No name: the statute itself, or, in an enumeration (「…第二項、第五条
    及び第七条」, parentheses and 及び/又は/、/から/まで only between), the law of the citation before;
    the first citation of a parenthetical that excludes or limits (「行政不服審査法第二章第三節
    （第二十九条…を除く。）」, 「第三条（第一項を除く。）」) continues the citation it follows.
  - abbreviations: 「（…号。以下「中心市街地活性化法」という。）」 and 「…法律（以下「感染症法」
    という。）」 name the law before them; 「改正後の地方自治法（以下「新法」という。）」 names it too,
    「改正前の…（以下「旧法」…）」 a text no longer in force. Those defined in an amending act's
    附則 block hold in that block only (each defines its own 新法).
  - a name that is no known law, has no 法令番号 in the text and no definition (「給与法」,
    「準用する旧通訳案内士法」) is read, so that what continues it is not taken for this statute's,
    but stays text: the reference is unresolved. Nothing resolves to a non-law.
  - locator: 第N条(のM)*, 第N項, 第N号(のM)*, 附則第N条/附則第N項, and 各号 after a paragraph. A bare
    第N項 belongs to the article cited just before it in an enumeration, else to the citing
    article; a bare 第N号 likewise to a paragraph. Not citations: the 第N号 of a 法令番号, of a
    term (「第一号法定受託事務」), of a table row (「別表第二十一号」, 「同表第二十二号」).
    第N章/第N節 are read for the law they carry, and link nothing.
  - relative: 前条/次条 move within the citing part (本則, or the 附則 block); in a 附則 printed
    in part (抄) a missing neighbour is the next/previous number. 前項/次項, 前号/次号, 前各号,
    前二号 move within the citing article/paragraph. 同条/同項/同号 repeat the last article /
    paragraph / item named in the same paragraph and the same text, else the citing one; 同項
    needs a 項 named (「同法第三条第二号」 names none).
  - Text that is another law's words stays open: citations without a law name inside 「」 (a
    読替え reads them into the law it names; unless the 「」 are the citing article's own words,
    「第十一項中「要件」とあるのは「要件及び第十三項第二号…」」) and in the rows of a table set
    in an article (a substitution table: 「次の表の上欄に掲げる酒税法の規定中…」). In a 附則 of
    an amending act, citations without a law name point into that act and stay open, and nothing
    inside 「」 is a citation (they are the amendment's words).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.laws.gold import Target
from indexer.laws.model import Article, Paragraph, Statute
from indexer.laws.numerals import KANJI_NUM, article_number_key, int_to_kanji, kanji_to_int, normalize_article_refs
from indexer.laws.lines import LAW_NUMBER, LAW_NUMBER_LINE_RE

_N = KANJI_NUM

# The 21 statutes of shared/laws (title → law id), the default for policy text.
CORPUS_LAWS: dict[str, str] = {
    "地方自治法": "322AC0000000067",
    "国土形成計画法": "325AC0000000205",
    "首都圏整備法": "331AC0000000083",
    "山村振興法": "340AC1000000064",
    "半島振興法": "360AC1000000063",
    "多極分散型国土形成促進法": "363AC0000000083",
    "地方拠点都市地域の整備及び産業業務施設の再配置の促進に関する法律": "404AC0000000076",
    "中心市街地の活性化に関する法律": "410AC0000000092",
    "構造改革特別区域法": "414AC0000000189",
    "地域再生法": "417AC0000000024",
    "観光立国推進基本法": "418AC1000000117",
    "農山漁村の活性化のための定住等及び地域間交流の促進に関する法律": "419AC0000000048",
    "広域的地域活性化のための基盤整備に関する法律": "419AC0000000052",
    "地域公共交通の活性化及び再生に関する法律": "419AC0000000059",
    "総合特別区域法": "423AC0000000081",
    "国家戦略特別区域法": "425AC0000000107",
    "強くしなやかな国民生活の実現を図るための防災・減災等に資する国土強靱化基本法": "425AC1000000095",
    "まち・ひと・しごと創生法": "426AC0000000136",
    "空家等対策の推進に関する特別措置法": "426AC1000000127",
    "地域人口の急減に対処するための特定地域づくり事業の推進に関する法律": "501AC1000000064",
    "デジタル社会形成基本法": "503AC0000000035",
}

# 「第二百八十五条の一部事務組合」 is 第二百八十五条's 一部事務組合, not a 第二百八十五条の一.
_BR = rf"(?:[のノ]{_N}(?![一二三四五六七八九十百千〇部般体定時種団層方]))"
_LOCATOR = (
    rf"(?P<suppl>附則)?第(?P<art>{_N})条(?P<br>{_BR}*)"
    rf"(?:第(?P<para>{_N})項)?(?:第(?P<item>{_N})号(?P<ibr>{_BR}*))?"
)
# 「行政不服審査法第二章第三節」: a part of a law, not a provision; read so that what its
# parenthetical excludes (「（第二十九条…を除く。）」) is known to be that law's.
_DIVISION = rf"第{_N}編(?:第{_N}章)?(?:第{_N}節)?(?:第{_N}款)?|第{_N}章(?:第{_N}節)?(?:第{_N}款)?|第{_N}節(?:第{_N}款)?"
_TOKEN_RE = re.compile(
    rf"(?P<div>{_DIVISION})"
    rf"|(?P<loc>{_LOCATOR})"
    rf"|(?P<bpara>(?P<bsuppl>附則)?第(?P<p2>{_N})項(?:第(?P<i2>{_N})号(?P<ibr2>{_BR}*))?)"
    rf"|(?P<bitem>第(?P<i3>{_N})号(?P<ibr3>{_BR}*))"
    rf"|(?P<rel>前各号|前各項|前(?P<count>[二三四五六七八九])号|前条|次条|同条|前項|次項|同項|前号|次号|同号)"
    rf"(?:第(?P<rp>{_N})項)?(?:第(?P<ri>{_N})号(?P<ribr>{_BR}*))?"
)
_EACH = "各号"
_PARAGRAPH_MARKS = "０１２３４５６７８９①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_SAME_LAW = "同法"
# Between two citations of one enumeration: connectors and parentheticals only.
_PAREN = r"（[^（）]*(?:（[^（）]*(?:（[^（）]*）[^（）]*)*）[^（）]*)*）"
_ENUM_GAP_RE = re.compile(
    rf"^(?:{_PAREN}|、|及び|並びに|又は|若しくは|から|まで|ただし書|本文|前段|後段|各号列記以外の部分)*$"
)
_NUMBER_PAREN_RE = re.compile(rf"（(?P<num>{LAW_NUMBER})(?:[。、][^（）]*)?）$")
# 「（平成十年法律第百十四号）」 after a name: the name is the run of characters before 「（」
# (at most 80, none of 、。（）「」, space or |), found by looking back from each number.
_NUMBER_AFTER_NAME_RE = re.compile(rf"（(?P<num>{LAW_NUMBER})(?:。以下「[^」]{{1,30}}?[法令則]」という。)?）")
_NAME_RUN_RE = re.compile(r"[^、。（）「」\s|]{2,80}$")
# 「…法律（以下「感染症法」という。）」, 「改正後の地方自治法（以下「新法」という。）」: an abbreviation
# defined without a number; the name before it is read with the lexicon.
_ABBREV_RE = re.compile(r"（(?:[^（）]*号。)?以下「(?P<abbr>[^「」（）]{1,30}?(?:法|法律|令|規則))」という。）")
# What a definition says of the version it names: before the amendment (旧法) is not the text in force.
_PRE_AMENDMENT_RE = re.compile(r"(?:改正前の|改正される前の|旧)$")
# Words a name harvested before 「（…号）」 can carry in front of it (「又は地方自治法」,
# 「別表第一公営住宅法」, 「の項及び道路法」).
_NAME_PREFIX_RE = re.compile(
    rf"^(?:(?:別表第{_N}(?:の{_N})*|の項(?:及び|並びに)?|及び|並びに|又は|若しくは|であって|であつて|につき|当該)+)"
)
_LAW_END_RE = re.compile(r"(?:法|法律|令|規則|条例)$")
# A clause ending before an unknown law name: 「…市に対する地方住宅供給公社法第八条」.
_CLAUSE_RE = re.compile(
    r".*(?:[、。（）「」]|に対する|に対し|について|において|の規定により|の規定による|に規定する|"
    r"により|に基づく|とあるのは|又は|及び|並びに|若しくは|は|が|を|で)"
)


# What may stand right before a law name without being part of it. A name glued to a longer
# run of kanji or katakana (「電線」 + 「共同溝の整備等に関する特別措置法」) is another law's name.
_NAME_GLUE = re.compile(r"[\u4e00-\u9fff\u3005\u30a0-\u30ff・ー]$")
_NAME_OPEN = re.compile(
    rf"(?:中|及び|並びに|又は|若しくは|同|第{_N}[条項号章節款目編](?:の{_N})*|別表第{_N}(?:の{_N})*|附則|"
    rf"前条|次条|同条|前項|次項|同項|前号|次号|同号|各号|本文|ただし書|前段|後段)$"
)
# 旧地方自治法, 新地方自治法: a version before or after an amendment, not the text in force.
_VERSION_MARK = re.compile(r"(?:旧|新|改正前の|改正後の)$")


_LAW_NUMBER_RE = re.compile(LAW_NUMBER)


def _is_number(key: str) -> bool:
    """A 法令番号 (「平成十七年法律第二十四号」) rather than a title, among the keys of known_laws."""
    return key.endswith("号") and _LAW_NUMBER_RE.match(key) is not None


@dataclass(frozen=True)
class Reference:
    """One citation. Offsets are into the statute's text: text[start:end] is the citation.

    type: "same-law" (this statute, by number or by its own name), "cross-law" (another statute
    of `known_laws`), "external" (a law outside them), "relative" (前条, 同項, 同法第十条 …:
    whatever law it lands in). target_law is the law number when known, else the title.
    target_items: one item, several (前各号, 第二項各号), or none. resolved is False when the
    citation was read but points into text that is not this statute's (amending 附則, 「」).
    """

    source_article: str
    source_paragraph: int | None
    source_item: str | None
    start: int
    end: int
    text: str
    type: str
    target_law_id: str | None
    target_law: str | None
    target_law_title: str | None
    target_article: str | None
    target_paragraph: int | None
    target_items: tuple[int, ...]
    target_item_label: str | None = None
    resolved: bool = True

    def as_target(self) -> Target:
        number = self.target_law if self.target_law and _is_number(self.target_law) else None
        return Target(self.target_law_id, number, self.target_law_title, self.target_article or "",
                      self.target_paragraph, self.target_items)


@dataclass(frozen=True)
class _Law:
    law_id: str | None
    number: str | None
    title: str | None

    @property
    def known(self) -> bool:
        """A law of `known_laws`, or one the text gives a 法令番号 for. Any other name (an
        abbreviation defined nowhere, 「旧法」, a clause read as a name) stays text."""
        return self.law_id is not None or self.number is not None


_NO_LAW = _Law(None, None, None)  # 「同法」 with no law cited before it


@dataclass
class _Cited:
    """A citation read, for 同条/同項/同号 and for carrying a law or article along an enumeration.

    names_article: it named an article (第五条, 前条, 同条), so 同条 may repeat it; names_paragraph
    likewise for 同項. A 次号 or 前項 in between names neither article nor, for 同条, counts.
    """

    end: int
    law: _Law
    article: str | None
    paragraph: int | None
    item: int | None
    names_article: bool = False
    names_paragraph: bool = False
    quote: tuple[int, int] | None = None  # the innermost 「」 it stands in


def known_laws_from(statutes: dict[str, Statute]) -> dict[str, str]:
    """law id → Statute to the map `resolve_references` takes: title → law id, and 法令番号 → law id."""
    out: dict[str, str] = {}
    for law_id, s in statutes.items():
        out[s.title] = law_id
        out[s.law_number] = law_id
    return out


def known_laws_in(files: Iterable[Path]) -> dict[str, str]:
    """Files named <law id>_….md (the e-Gov archive's layout) → the map `resolve_references` takes.

    Only the head of each file is read: 「# title」, then its 法令番号 line. A title that two
    laws carry (a law repealed and made again under the same name) names neither: a citation
    of it stays text rather than risk the wrong one.
    """
    by_title: dict[str, set[str]] = {}
    out: dict[str, str] = {}
    for f in files:
        law_id = f.name.split("_", 1)[0]
        with f.open(encoding="utf-8") as fh:
            head = [ln.strip() for _, ln in zip(range(12), fh)]
        lines = [ln for ln in head if ln]
        if not lines:
            continue
        by_title.setdefault(lines[0].lstrip("#").strip(), set()).add(law_id)
        for ln in lines[1:4]:
            m = LAW_NUMBER_LINE_RE.match(ln)
            if m:
                out.setdefault(m.group("num"), law_id)
                break
    for title, ids in by_title.items():
        if len(ids) == 1 and title:
            out[title] = next(iter(ids))
    return out


def cited_law_numbers(texts: list[str]) -> dict[str, str]:
    """Names that the texts give with a 法令番号 (「港湾法（昭和二十五年法律第二百十八号）」): name → number.

    A name's start is taken at the last 、。（）「」 before it, less the words that stand before
    names in these statutes (「又は」, 「別表第一」, 「の項及び」…); a name seen once with junk in
    front is outvoted by the same number seen with a clean name.
    """
    votes: dict[str, dict[str, int]] = {}
    for text in texts:
        for m in _NUMBER_AFTER_NAME_RE.finditer(text):
            run = _NAME_RUN_RE.search(text, max(0, m.start() - 80), m.start())
            if run is None:
                continue
            name = _clean_name(run.group())
            if _LAW_END_RE.search(name) and not name.startswith("第"):
                votes.setdefault(m.group("num"), {}).setdefault(name, 0)
                votes[m.group("num")][name] += 1
    out: dict[str, str] = {}
    for number, names in votes.items():
        for name in names:
            # 「中地方自治法」 (from 「第二十条中地方自治法（…）」) carries junk when a shorter
            # spelling of the same number is its suffix.
            if not any(other != name and name.endswith(other) for other in names):
                out[name] = number
    return out


class _Lexicon:
    """Law names a citation may start with, longest first, and the abbreviations the statute defines.

    Abbreviations are scoped: those defined in the 本則 or the original 附則 hold there; those
    defined in an amending act's 附則 block (each defines its own 「新法」「旧法」) hold in that
    block only. An abbreviation of a version before the amendment (「改正前の地方自治法（以下
    「旧法」という。）」) or of a name that is no known law stays text.
    """

    def __init__(self, statute: Statute, known: dict[str, str], numbers: dict[str, str]) -> None:
        self.known = known
        self.numbers = dict(numbers)
        self.own_id = known.get(statute.title) or known.get(statute.law_number)
        self.own = _Law(self.own_id, statute.law_number, statute.title)
        titles = [k for k in known if not _is_number(k)]
        self.by_id_title = {known[k]: k for k in titles}
        for name, number in cited_law_numbers([statute.text]).items():
            self.numbers.setdefault(name, number)
        names = set(self.numbers) | set(titles)
        self._index(names)
        self.block_starts = [b.start for b in statute.suppl_blocks]
        self.own_blocks = {i for i, b in enumerate(statute.suppl_blocks)
                           if b.act is None or b.act == statute.law_number}
        self.abbrev: dict[int, dict[str, _Law]] = {}
        text = statute.text
        for m in _ABBREV_RE.finditer(text):
            defs = self.abbrev.setdefault(self.scope_at(m.start()), {})
            if m.group("abbr") not in defs:
                defs[m.group("abbr")] = self._defined(text, m)
        abbrevs = {a for defs in self.abbrev.values() for a in defs}
        self._index(names | abbrevs)

    def _index(self, names: set[str]) -> None:
        # Two passes, known titles and abbreviations first: a name harvested before a 法令番号
        # may carry words of the clause (「市町村又は地方自治法」) that a title never has.
        # Looked up by length, longest first: with the whole body of law known (18,000 names),
        # trying each length in a set beats walking the names that share a last character.
        self.name_sets: list[set[str]] = [set(), set()]
        for name in names:
            self.name_sets[name in self.numbers and name not in self.known].add(name)
        self.lengths = [sorted({len(n) for n in names_}, reverse=True) for names_ in self.name_sets]

    def scope_at(self, pos: int) -> int:
        """-1 for the 本則 and the original 附則, else the index of the amending act's 附則 block."""
        i = bisect.bisect_right(self.block_starts, pos) - 1
        return -1 if i < 0 or i in self.own_blocks else i

    def _defined(self, text: str, m: re.Match[str]) -> _Law:
        """The law an abbreviation definition names: its 法令番号, else the name before 「（」."""
        open_ = m.start()
        inner = text[open_ + 1:m.end() - 1]
        num = _LAW_NUMBER_RE.match(inner)
        floor = max(0, open_ - 120)
        named = self.name_before(text, open_, floor, scope=None)
        if named and not _stands_whole(text, named[1], amended=True):
            named = None
        if num:
            return self.by_number(num.group(), named[0] if named else text[_unknown_name_start(text, open_, floor):open_])
        if named is None or _PRE_AMENDMENT_RE.search(text[max(0, named[1] - 8):named[1]]):
            return _Law(None, None, m.group("abbr"))
        return self.by_name(named[0], None)

    def by_number(self, number: str, name: str | None) -> _Law:
        name = _clean_name(name) if name else None
        # known_laws may hold titles only (CORPUS_LAWS): then the name decides.
        law_id = self.known.get(number) or (self.known.get(name) if name else None)
        if law_id:
            return _Law(law_id, number, self.by_id_title.get(law_id, name))
        return _Law(None, number, name)

    def by_name(self, name: str, scope: int | None) -> _Law:
        if scope is not None and name in self.abbrev.get(scope, {}):
            return self.abbrev[scope][name]
        law_id = self.known.get(name)
        number = self.numbers.get(name)
        if law_id is None and number is not None:
            law_id = self.known.get(number)
        if law_id is not None or number is not None:
            return _Law(law_id, number, self.by_id_title.get(law_id, name) if law_id else name)
        return _Law(None, None, name)

    def name_before(self, text: str, pos: int, floor: int, scope: int | None) -> tuple[str, int] | None:
        """The longest known title or in-scope abbreviation ending at pos that stands whole, else
        the longest name the texts give a 法令番号 for: (name, its start)."""
        fallback = None
        for names, lengths in zip(self.name_sets, self.lengths):
            for length in lengths:
                start = pos - length
                if start < floor or text[start:pos] not in names:
                    continue
                name = text[start:pos]
                if name not in self.numbers and name not in self.known and (
                        scope is None or name not in self.abbrev.get(scope, {})):
                    continue  # an abbreviation of another block
                if _stands_whole(text, start, amended=True):
                    return name, start
                fallback = fallback or (name, start)
                break
        return fallback


def _stands_whole(text: str, start: int, amended: bool = False) -> bool:
    """A name starting at `start` is not the tail of a longer name, nor a version (旧/新 …法).
    amended: the version after an amendment (「改正後の地方自治法」, as a 新法 is defined) is
    the law; only the one before it (改正前の, 旧) is another text."""
    before = text[max(0, start - 12):start]
    if amended and re.search(r"改正後の$", before):
        return True
    if _VERSION_MARK.search(before):
        return False
    return not _NAME_GLUE.search(before) or bool(_NAME_OPEN.search(before))


_LOCATOR_IN_NAME_RE = re.compile(rf".*第{_N}[条項号](?:の{_N})*(?:中)?")


def _clean_name(name: str) -> str:
    """Drop what stands before a name: 「又は」…, and a locator (「附則第十三条中国家公務員退職手当法」
    is 附則第十三条 中 国家公務員退職手当法)."""
    return _NAME_PREFIX_RE.sub("", _LOCATOR_IN_NAME_RE.sub("", name))


def resolve_references(statute: Statute, known_laws: dict[str, str] | None = None,
                       law_numbers: dict[str, str] | None = None) -> list[Reference]:
    """Every citation in the articles of `statute`, resolved; see the module docstring.

    known_laws: title (or 法令番号) → law id of the laws that can be targets (default: the 21
    of shared/laws); law_numbers: name → 法令番号 of laws outside them, e.g. from
    `cited_law_numbers` over a corpus (the statute's own text is always read for these).
    """
    if not statute.text:
        raise ValueError("the statute carries no text: parse it with parse_statute")
    known = CORPUS_LAWS if known_laws is None else known_laws
    lex = _Lexicon(statute, known, law_numbers or {})
    parts = _parts(statute)
    out: list[Reference] = []
    for article in statute.articles:
        out.extend(_Reader(statute, article, lex, parts).read())
    return out


@dataclass(frozen=True)
class ArticleLink:
    """A citation that lands on an article of a law with an id: what becomes a `cites` link.

    source_article: the citing article's key; target_article: the cited one's key in its law
    ("5", "17-24", "suppl-3" for the original 附則's 第三条), as indexer.corpus.derived keys them.
    """

    source_article: str
    target_law_id: str
    target_article: str


def article_links(statute: Statute, known_laws: dict[str, str] | None = None,
                  law_numbers: dict[str, str] | None = None) -> list[ArticleLink]:
    """The article → article links of `statute`, once each, in text order: resolved citations of
    a law in `known_laws` (give it every law of 全法令, `known_laws_in`, and cross-law citations
    land on any of them), less those inside the citing article itself (前項, 同項第二号)."""
    out: dict[ArticleLink, None] = {}
    own_id = (known_laws or CORPUS_LAWS).get(statute.title)
    for r in resolve_references(statute, known_laws, law_numbers):
        if not (r.resolved and r.target_law_id and r.target_article):
            continue
        key = article_key(r.target_article)
        if key is None or (r.target_law_id == own_id and key == r.source_article):
            continue
        out.setdefault(ArticleLink(r.source_article, r.target_law_id, key), None)
    return list(out)


def article_key(label: str) -> str | None:
    """「第十七条の二十四」→ "17-24", 「附則第三条」→ "suppl-3"; None for what has no key of its own
    (「附則」 alone, an amending act's 附則)."""
    suppl = label.startswith("附則")
    try:
        key = article_number_key(label.removeprefix("附則"))
    except ValueError:
        return None
    return f"suppl-{key}" if suppl else key


def _parts(statute: Statute) -> dict[int, list[Article]]:
    """id(article) → the articles of its part (本則, or its 附則 block), for 前条/次条."""
    starts = [b.start for b in statute.suppl_blocks]
    groups: dict[int, list[Article]] = {}
    for a in statute.articles:
        block = -1 if a.suppl_act is None else bisect.bisect_right(starts, a.start) - 1
        groups.setdefault(block, []).append(a)
    return {id(a): group for group in groups.values() for a in group}


class _Reader:
    """Reads one article's citations in text order."""

    def __init__(self, statute: Statute, article: Article, lex: _Lexicon, parts: dict[int, list[Article]]) -> None:
        self.s, self.a, self.lex, self.text = statute, article, lex, statute.text
        self.part = parts[id(article)]
        self.own_act = article.suppl_act is None or article.suppl_act == statute.law_number
        self.scope = lex.scope_at(article.start)
        # (end, law, quote) of each law named or carried in this article: antecedents of 同法.
        self.laws_named: list[tuple[int, _Law, tuple[int, int] | None]] = []
        self.quote: tuple[int, int] | None = None

    def read(self) -> list[Reference]:
        out: list[Reference] = []
        for p in self.a.paragraphs:
            self.history: list[_Cited] = []
            head_end = p.items[0].start if p.items else p.end
            labelled = (p.num == 1 and self.a.label != "附則") or self.text[p.start] in _PARAGRAPH_MARKS
            out.extend(self._segment(p, None, self._body_start(p.start, labelled), head_end))
            for it in p.items:
                out.extend(self._segment(p, it, self._body_start(it.start, True), it.end))
        return out

    def _body_start(self, start: int, labelled: bool) -> int:
        """Past the label (「第五条」, 「２」, 「一」): a label is no citation."""
        m = re.match(r"\S+[ \u3000]+", self.text[start:start + 80]) if labelled else None
        return start + m.end() if m else start

    # ---- antecedents of 同法・同条・同項・同号 --------------------------------------------------
    # The latest one in the same text: a law or article named inside a parenthetical is the
    # antecedent of a 同法 after it (「市民農園（市民農園整備促進法（…）第二条第二項に規定する
    # 市民農園をいう。）…は、同法第七条第一項」), as the gold shows every time it occurs. But the
    # words inside 「」 are another text (a 読替え, an amendment): what is cited there is no
    # antecedent outside them, and a 同法 there with none inside refers into that other text.
    def _antecedent(self, pos: int, want) -> _Cited | None:
        for c in reversed(self.history):
            if c.end <= pos and c.quote == self.quote and want(c):
                return c
        return None

    def _same_law(self, pos: int, floor: int) -> _Law | None:
        noted = next(((end, law) for end, law, quote in reversed(self.laws_named)
                      if end <= pos and quote == self.quote), None)
        # A law named after it with no locator counts too: 「介護保険法の目次の改正規定、同法第七条」.
        t = self.text
        low = max(floor, noted[0] if noted else floor)
        for e in range(pos, low, -1):
            if t[e - 1] not in "法律令則例" or self._quote_at(e - 1) != self.quote:
                continue
            named = self.lex.name_before(t, e, low, self.scope)
            if named and _stands_whole(t, named[1]):
                return self.lex.by_name(named[0], self.scope)
        return noted[1] if noted else None

    def _quote_at(self, pos: int) -> tuple[int, int] | None:
        return max((span for span in self.nested if span[0] <= pos < span[1]), default=None)

    # ---- one paragraph head or item ------------------------------------------------------
    def _segment(self, p: Paragraph, item, start: int, end: int) -> list[Reference]:
        t = self.text
        # Inside 「」 (a 読替え) and inside a table (a substitution table's rows), a citation
        # without a law name belongs to the text being read in, which may be another law's.
        # But a 読替え of this statute's own provision (「第十一項中「要件」とあるのは「要件及び
        # 第十三項第二号に掲げる要件」と」) reads in this statute's text: its citations are ours.
        quotes = _quoted_spans(t, start, end)
        nested = _quoted_spans(t, start, end, nested=True)
        self.nested = nested
        tables = _table_rows(t, start, end)
        # 「平成十四年法律第百八十九号」 holds a 第百八十九号 that is no item.
        numbers = [(m.start(), m.end()) for m in re.finditer(LAW_NUMBER, t[start:end])]
        numbers = [(start + a, start + b) for a, b in numbers]
        hosts: dict[int, bool] = {}
        out: list[Reference] = []
        for m in _TOKEN_RE.finditer(t, start, end):
            if any(a <= m.start() < b for a, b in numbers) or _not_a_citation(t, m):
                continue
            q = next((i for i, (qs, qe) in enumerate(quotes) if qs <= m.start() < qe), None)
            if q is not None and q not in hosts:
                hosts[q] = self._reads_own_text(quotes, q, hosts)
            self.quote = self._quote_at(m.start())
            foreign = (q is not None and not hosts[q]) or any(rs <= m.start() < re_ for rs, re_ in tables)
            if q is not None and not self.own_act:
                # In an amending act's 附則 the words in 「」 are the amendment's: nothing there is cited.
                if not m.group("div"):
                    out.append(self._ref(p, item, m.start(), m.end(), "relative" if m.group("rel") else "same-law",
                                         None, None, None, (), None, resolved=False))
                continue
            ref = self._token(m, p, item, start, foreign)
            if ref is not None:
                out.append(ref)
        return out

    def _reads_own_text(self, quotes: list[tuple[int, int]], q: int, hosts: dict[int, bool]) -> bool:
        """Quote q is the words of the citing article itself being read in: 「第十一項中「…」」 with
        第十一項 this article's, or the 「…」 after 「とあるのは」 of such a quote."""
        qs = quotes[q][0]
        t = self.text
        if "「" in t[qs + 1:quotes[q][1]]:
            return False  # words that themselves read another text in (a 読替え within a 読替え)
        if q > 0 and t[quotes[q - 1][1] + 1:qs] == "とあるのは":
            if q - 1 not in hosts:
                hosts[q - 1] = self._reads_own_text(quotes, q - 1, hosts)
            return hosts[q - 1]
        if t[qs - 1:qs] != "中":
            return False
        host = next((c for c in reversed(self.history) if c.end == qs - 1), None)
        # Only the citing article's own words: in 「同条第十二項中「…第八項…」」 about another article,
        # a bare 第八項 is that article's.
        return host is not None and host.law == self.lex.own and host.article == self.a.label

    def _token(self, m: re.Match[str], p: Paragraph, item, seg_start: int, in_quote: bool) -> Reference | None:
        t = self.text
        start, end = m.start(), m.end()
        each = t.startswith(_EACH, end)
        if each:
            end += len(_EACH)
        law: _Law | None = None
        named = False
        if m.group("loc") or m.group("bpara") or m.group("div"):
            law, lstart = self._law_before(start, seg_start, in_quote)
            if law is not None:
                named, start = True, lstart
        if m.group("div"):
            # A part of a law: no provision to link, but what follows may continue it.
            if named or not (not self.own_act or in_quote):
                carried = self._carry(start) if law is None else None
                dlaw = law or (carried.law if carried else self.lex.own)
                self.history.append(_Cited(end, dlaw, None, None, None, False, False, self.quote))
            return None
        kind = "relative" if m.group("rel") else None
        # Citations that point into an amending act, or into the law a 「」 reads, stay open.
        # 同法 with no antecedent (_NO_LAW) is read on: what continues it is that unknown law's too.
        if not named and (not self.own_act or in_quote):
            return self._ref(p, item, start, end, "relative" if kind else "same-law", None,
                             None, None, (), None, resolved=False)
        if m.group("rel"):
            target = self._relative(m, p, item, each, start)
        elif m.group("loc"):
            target = self._locator(m, law, start, each)
        elif m.group("bpara"):
            target = self._bare_paragraph(m, law, start, each)
        else:
            target = self._bare_item(m, p, item, start)
        if target is None:
            return self._ref(p, item, start, end, kind or "same-law", None, None, None, (), None, resolved=False)
        tlaw, art, para, items, item_label = target
        names = m.group("rel") or ""
        self._remember(end, tlaw, art, para, items,
                       names_article=bool(m.group("loc")) or names.startswith(("前条", "次条", "同条")),
                       names_paragraph=bool(m.group("para") or m.group("p2") or m.group("rp"))
                       or names.startswith(("前項", "次項", "同項")))
        if kind is None:
            kind = "same-law" if tlaw == self.lex.own else ("cross-law" if tlaw.law_id else "external")
        # A name that is no known law (「旧法」, an abbreviation defined nowhere) is read, so that
        # what continues it is not taken for this statute's, but it links nowhere.
        return self._ref(p, item, start, end, kind, tlaw, art, para, items, item_label, resolved=tlaw.known)

    def _ref(self, p, item, start, end, kind, law, art, para, items, item_label, resolved=True) -> Reference:
        return Reference(
            self.a.key, p.num, item.label if item is not None else None, start, end, self.text[start:end], kind,
            law.law_id if law else None, (law.number or law.title) if law else None, law.title if law else None,
            art, para, tuple(items), item_label, resolved and law is not None and art is not None)

    # ---- the law a locator belongs to ------------------------------------------------------
    def _law_before(self, pos: int, floor: int, in_quote: bool) -> tuple[_Law | None, int]:
        t = self.text
        if t.startswith(_SAME_LAW, pos - len(_SAME_LAW)) and pos - len(_SAME_LAW) >= floor:
            return (self._same_law(pos - len(_SAME_LAW), floor) or _NO_LAW), pos - len(_SAME_LAW)
        # 「名（法令番号）第六条」: the number decides; the name is kept for display.
        if pos > floor and t[pos - 1] == "）":
            open_ = _matching_open(t, pos - 1, floor)
            if open_ is not None:
                m = _NUMBER_PAREN_RE.search(t, open_, pos)
                if m and m.start() == open_:
                    named = self.lex.name_before(t, open_, floor, self.scope)
                    if named and not _stands_whole(t, named[1]):
                        named = None
                    name_start = named[1] if named else _unknown_name_start(t, open_, floor)
                    law = self.lex.by_number(m.group("num"), t[name_start:open_])
                    if law.law_id is None and named:
                        law = _Law(None, m.group("num"), named[0])
                    self._note_law(pos, law, in_quote)
                    return law, name_start
        named = self.lex.name_before(t, pos, floor, self.scope)
        if named and _stands_whole(t, named[1]):
            law = self.lex.by_name(named[0], self.scope)
            self._note_law(pos, law, in_quote)
            return law, named[1]
        start = _unknown_name_start(t, pos, floor)
        if named and named[1] < start:
            start = named[1]
        name = t[start:pos]
        if len(name) >= 2 and _LAW_END_RE.search(name) and not name.endswith(("この法律", "同法")):
            # Not a law of the lexicon (or the tail of a longer name): read, never linked.
            law = _Law(None, None, name)
            self._note_law(pos, law, in_quote)
            return law, start
        return None, pos

    def _note_law(self, pos: int, law: _Law, in_quote: bool) -> None:
        # Inside 「」 of a 読替え a statute naming itself is not the antecedent of 同法; outside
        # them it is (「構造改革特別区域法第二十八条の二…、同法第三十条第一項」).
        if not (in_quote and (law == self.lex.own or law.law_id == self.lex.own_id)):
            self.laws_named.append((pos, law, self.quote))

    def _carry(self, start: int) -> _Cited | None:
        """The citation that `start` continues: the latest one separated from it by an
        enumeration gap only. Not always the last one: in 「地方自治法第二百五十二条の十七の二
        第一項（同法第二百八十三条第一項の規定により…含む。）又は第二百九十一条の二第二項」 the
        citation inside the parenthesis is skipped over. A parenthetical that excludes or limits
        a part of the citation before it (「第三条（第一項を除く。）」, 「行政不服審査法第二章第三節
        （第二十九条…を除く。）」) lists that citation's own parts: its first citation continues it."""
        for c in reversed(self.history):
            if c.end > start:
                continue
            gap = self.text[c.end:start]
            if _ENUM_GAP_RE.match(gap):
                return c
            if gap == "（" and _limits(self.text, c.end):
                return c
        return None

    # ---- locators ----------------------------------------------------------------------------
    def _locator(self, m, law: _Law | None, start: int, each: bool):
        carried = self._carry(start) if law is None else None
        if law is None:
            law = carried.law if carried else self.lex.own
        key = "-".join(str(kanji_to_int(x)) for x in [m.group("art"), *re.findall(_N, m.group("br"))])
        art = ("附則" if m.group("suppl") else "") + _label(key)
        para = kanji_to_int(m.group("para")) if m.group("para") else None
        items: tuple[int, ...] = ()
        item_label = None
        if m.group("item"):
            items = (kanji_to_int(m.group("item")),)
            item_label = (m.group("item") + m.group("ibr")).replace("ノ", "の")
        elif each and para is not None:
            items = self._all_items(law, art, para)
        return law, art, para, items, item_label

    def _bare_paragraph(self, m, law: _Law | None, start: int, each: bool):
        para = kanji_to_int(m.group("p2"))
        items: tuple[int, ...] = ()
        item_label = None
        if m.group("bsuppl"):
            law, art = law or self.lex.own, "附則"
        else:
            carried = self._carry(start)
            if carried is not None and carried.article is not None:
                law, art = carried.law, carried.article
            else:
                law, art = self.lex.own, self.a.label
        if m.group("i2"):
            items = (kanji_to_int(m.group("i2")),)
            item_label = (m.group("i2") + m.group("ibr2")).replace("ノ", "の")
        elif each:
            items = self._all_items(law, art, para)
        return law, art, para, items, item_label

    def _bare_item(self, m, p: Paragraph, item, start: int):
        carried = self._carry(start)
        if carried is not None and carried.paragraph is not None:
            law, art, para = carried.law, carried.article, carried.paragraph
        else:
            law, art, para = self.lex.own, self.a.label, p.num
        return law, art, para, (kanji_to_int(m.group("i3")),), (m.group("i3") + m.group("ibr3")).replace("ノ", "の")

    def _all_items(self, law: _Law, art: str, para: int) -> tuple[int, ...]:
        if law != self.lex.own:
            return ()
        target = self._article_by_label(art)
        p = target.paragraph(para) if target else None
        return tuple(i.num for i in p.items) if p else ()

    # ---- 前条, 同項, 前各号 … --------------------------------------------------------------------
    def _relative(self, m, p: Paragraph, item, each: bool, pos: int):
        word = re.match(r"前各号|前各項|前[二三四五六七八九]号|前条|次条|同条|前項|次項|同項|前号|次号|同号", m.group("rel")).group()
        own = self.lex.own
        para = kanji_to_int(m.group("rp")) if m.group("rp") else None
        items: tuple[int, ...] = ()
        item_label = None
        if m.group("ri"):
            items = (kanji_to_int(m.group("ri")),)
            item_label = (m.group("ri") + m.group("ribr")).replace("ノ", "の")
        if word in ("前条", "次条"):
            art = self._neighbour(-1 if word == "前条" else 1)
            if art is None:
                return None
            if each and para is not None:
                items = self._all_items(own, art, para)
            return own, art, para, items, item_label
        if word == "同条":
            c = self._antecedent(pos, lambda c: c.names_article)
            law, art = (c.law, c.article) if c else (own, self.a.label)
            if each and para is not None:
                items = self._all_items(law, art, para)
            return law, art, para, items, item_label
        if word in ("前項", "次項"):
            nums = [x.num for x in self.a.paragraphs]
            i = nums.index(p.num) + (-1 if word == "前項" else 1)
            if not 0 <= i < len(nums):
                return None
            if each:
                items = self._all_items(own, self.a.label, nums[i])
            return own, self.a.label, nums[i], items, item_label
        if word == "同項":
            # 同項 repeats a 項 named: 「同法第三条第二号」 names none (its item is of paragraph 1
            # only by reading), so a 同項 after it is the 項 named before.
            c = self._antecedent(pos, lambda c: c.names_paragraph)
            law, art, para = (c.law, c.article, c.paragraph if c.paragraph is not None else 1) if c else (own, self.a.label, p.num)
            if each:
                items = self._all_items(law, art, para)
            return law, art, para, items, item_label
        if word == "前各項":
            return None  # several paragraphs: not one target
        # items of the citing paragraph
        labels = [x.num for x in p.items]
        if word == "同号":
            c = self._antecedent(pos, lambda c: c.item is not None)
            if c is not None:
                return c.law, c.article, c.paragraph, (c.item,), None
            if item is None:
                return None
            return own, self.a.label, p.num, (item.num,), item.label
        if item is None:
            return None
        i = next(k for k, x in enumerate(p.items) if x is item)
        if word == "前号":
            return (own, self.a.label, p.num, (labels[i - 1],), p.items[i - 1].label) if i > 0 else None
        if word == "次号":
            return (own, self.a.label, p.num, (labels[i + 1],), p.items[i + 1].label) if i + 1 < len(labels) else None
        count = i if word == "前各号" else kanji_to_int(m.group("count"))
        if count <= 0 or count > i:
            return None
        return own, self.a.label, p.num, tuple(labels[i - count:i]), None

    def _neighbour(self, step: int) -> str | None:
        """前条/次条: the article before/after in the same part (本則, or this 附則 block)."""
        same = self.part
        i = next(k for k, x in enumerate(same) if x is self.a)
        prefix = "附則" if self.a.suppl_act is not None else ""
        own_key = _number_key(self.a)
        if own_key is None:
            return None
        j = i + step
        if 0 <= j < len(same):
            other = _number_key(same[j])
            if other is not None and (_adjacent(other, own_key) if step < 0 else _adjacent(own_key, other)):
                return same[j].label
        # 抄: the neighbour is not printed; its number is the next/previous one.
        if step > 0:
            return prefix + _label(str(own_key[0] + 1))
        if len(own_key) > 1:
            return prefix + _label("-".join(map(str, own_key[:-1])) if len(own_key) > 2 else str(own_key[0]))
        return prefix + _label(str(own_key[0] - 1)) if own_key[0] > 1 else None

    def _article_by_label(self, label: str) -> Article | None:
        for x in self.s.articles:
            if x.label == label and (x.suppl_act is None or x.suppl_act == self.s.law_number):
                return x
        return None

    def _remember(self, end: int, law: _Law, art: str | None, para: int | None, items: tuple[int, ...],
                  names_article: bool, names_paragraph: bool) -> None:
        """Antecedents for 同条/同項/同号: 同条 is the last article *named* (第五条, 前条), not the
        article of a 次号 or 前項 in between (「…第九条第一項…（次号において…）に同条第二項」)."""
        self.history.append(_Cited(end, law, art, para, items[0] if len(items) == 1 else None,
                                   names_article, names_paragraph, self.quote))
        if law != self.lex.own:
            self.laws_named.append((end, law, self.quote))


def _number_key(a: Article) -> tuple[int, ...] | None:
    m = re.search(r"(?:^|-)(\d+(?:-\d+)*)$", a.key)
    if a.label == "附則" or "-to-" in a.key or "-and-" in a.key or not m:
        return None
    label = a.label.removeprefix("附則")
    try:
        return tuple(int(x) for x in article_number_key(label).split("-"))
    except ValueError:
        return None


def _adjacent(prev: tuple[int, ...], nxt: tuple[int, ...]) -> bool:
    """nxt can directly follow prev: 10 → 11, 10 → 10の2, 10の2 → 10の3, 10の2 → 11."""
    if nxt[0] == prev[0] + 1 and len(nxt) == 1:
        return True
    return nxt[0] == prev[0] and nxt > prev


def _label(key: str) -> str:
    parts = [int(x) for x in key.split("-")]
    return "第" + int_to_kanji(parts[0]) + "条" + "".join("の" + int_to_kanji(x) for x in parts[1:])


def _matching_open(t: str, close: int, floor: int) -> int | None:
    depth = 0
    for i in range(close, floor - 1, -1):
        if t[i] == "）":
            depth += 1
        elif t[i] == "（":
            depth -= 1
            if depth == 0:
                return i
    return None


def _unknown_name_start(t: str, pos: int, floor: int) -> int:
    """Where a law name not in the lexicon starts: after the last clause ending before it."""
    window_start = max(floor, pos - 60)
    m = _CLAUSE_RE.match(t, window_start, pos)
    start = m.end() if m else window_start
    loc = _LOCATOR_IN_NAME_RE.match(t, start, pos)
    return loc.end() if loc else start


# After a citation: particles, connectors, 各号/中/前段…, イロハ of an item, punctuation. A bare
# 第N号 followed by another kanji is part of a term (「第一号法定受託事務」, 「第二号被保険者」).
_TERM_AFTER = re.compile(r"[\u4e00-\u9fff]")
_CITATION_NEXT = "中及並又若各前後本第同"


def _not_a_citation(t: str, m: re.Match[str]) -> bool:
    """A token that only looks like a citation: a 号 of a term, or a row of a table (「別表第二十一号」)."""
    if m.group("bitem") is None:
        return False
    nxt = t[m.end():m.end() + 1]
    if _TERM_AFTER.match(nxt) and nxt not in _CITATION_NEXT:
        return True
    return t[m.start() - 1:m.start()] == "表"  # 「別表第二十一号」, 「同表第二十二号」: rows of a table


def _table_rows(t: str, start: int, end: int) -> list[tuple[int, int]]:
    """The rows of a table set inside an article (a substitution table: 「次の表の上欄に掲げる…」);
    a row is a line holding 「|」, as indexer.laws.lines.is_table_row reads it."""
    spans = []
    for m in re.finditer(r"(?m)^.*\|.*$", t[start:end]):
        spans.append((start + m.start(), start + m.end()))
    return spans


def _limits(t: str, open_: int) -> bool:
    """The parenthetical opening at `open_` excludes or limits parts of what it follows:
    「（第一項を除く。）」, 「（第二号に係る部分に限る。）」, 「（第三号を除く。ハにおいて同じ。）」."""
    close = _matching_close(t, open_)
    # Its first sentence: 「（第三号を除く。ハにおいて同じ。）」 excludes, then says how far it holds.
    return close is not None and t[open_ + 1:close].split("。")[0].endswith(("を除く", "に限る"))


def _matching_close(t: str, open_: int) -> int | None:
    depth = 0
    for i in range(open_, min(len(t), open_ + 2000)):
        if t[i] == "（":
            depth += 1
        elif t[i] == "）":
            depth -= 1
            if depth == 0:
                return i
    return None


def _quoted_spans(t: str, start: int, end: int, nested: bool = False) -> list[tuple[int, int]]:
    """The 「」 spans (open, close) in t[start:end]: outermost ones, or every one when nested."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for m in _QUOTE_MARK_RE.finditer(t, start, end):
        i = m.start()
        if t[i] == "「":
            opened.append(i)
        elif opened:
            open_at = opened.pop()
            if nested or not opened:
                spans.append((open_at, i))
    return spans


_QUOTE_MARK_RE = re.compile("[「」]")


def resolve_policy_reference(text: str, known_laws: dict[str, str] | None = None) -> tuple[str, str] | None:
    """「まち・ひと・しごと創生法第１条」 → ("426AC0000000136", 「第一条」): a statute cited in policy text.

    Digits in any script are read (「第17条の2」); the law is the longest known title that the
    article number follows. None when no known law is cited with an article.
    """
    known = CORPUS_LAWS if known_laws is None else known_laws
    norm = normalize_article_refs(text)
    best: tuple[int, int, str, str] | None = None
    for title, law_id in known.items():
        for m in re.finditer(re.escape(title) + rf"(?:（[^（）]*）)?第({_N})条((?:の{_N})*)", norm):
            label = "第" + m.group(1) + "条" + m.group(2)
            cand = (m.start(), -len(title), law_id, label)
            if best is None or cand[:2] < best[:2]:
                best = cand
    return (best[2], best[3]) if best else None
