"""parse_statute: statute text (e-Gov Markdown or PDF-extracted text) → `Statute` with exact offsets.

One pass over the lines (see `lines.py` for what a line can be) with a small state: the open
附則 block or 別表, the open article, paragraph and item, the heading stack, a pending caption.
Decisions measured on the 21 statutes of shared/laws:

- The header is `# title`, the 法令番号 line, the title again, sometimes an enactment line
  (観光立国推進基本法: 「観光基本法（…）の全部を改正する。」), then 目次. The 目次 lists headings
  with article ranges and ends with a bare 「附則」 line in all 18 files that have one; in case
  a 目次 has no such line it also ends where its first heading comes again or where a line
  that no 目次 holds (caption, article, paragraph, item) appears. Other text lines are 目次
  entries broken over two lines (PDF page width).
- Text before the first heading or article (title repeated, 前文, enactment line) belongs to no
  article and is skipped.
- Markdown tables (読替え tables inside articles, and 別表) run from a row followed by a
  `---|---` line to the next blank line; cells continue over lines (地方自治法 別表第一 puts
  items 「一…」「イ…」 inside a cell), so nothing inside a table is read as structure. In an
  article a table belongs to the paragraph or item before it.
- 別表 come after the last 附則 except in 地方自治法, where they sit between the original
  附則 and the first amending one: a 別表 heading closes the 附則 block, and a 附則 heading
  closes the 別表.
- 附則 of amending acts are mostly 抄 (excerpts): their article numbers jump (第一条, then
  第百四十六条) and are only checked to increase; so are main-provision article numbers, and
  paragraph numbers within an article. A decrease is a StatuteParseError, as in text that is
  not one statute.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from indexer.laws.lines import (
    APPDX_RE,
    ARTICLE_BARE_RE,
    ARTICLE_RE,
    CAPTION_RE,
    ERA,
    HEADING_RE,
    ITEM_RE,
    LAW_KIND,
    LAW_NUMBER_LINE_RE,
    PARAGRAPH_RE,
    SUBITEM_RE,
    SUPPL_RE,
    TABLE_SEPARATOR_RE,
    TITLE_WITH_NUMBER_RE,
    TOC_RE,
    Line,
    is_noise,
    is_table_row,
    paragraph_number,
    split_lines,
)
from indexer.laws.model import (
    Article,
    Heading,
    Item,
    Paragraph,
    Statute,
    StatuteParseError,
    SupplBlock,
    Table,
    TableRow,
)
from indexer.laws.numerals import KANJI_NUM, int_to_kanji, kanji_to_int

_LEVELS = ("編", "章", "節", "款", "目")
_ERA_KEY = {"明治": "m", "大正": "t", "昭和": "s", "平成": "h", "令和": "r"}
_HEADER_SCAN = 60  # the 法令番号 line is within the first few lines of any real statute
# An amending act as a 附則 heading names it: 「平成二〇年五月二一日法律第三六号」; also a date
# followed by a number of another year (「平成一二年八月一四日 平成一三年内閣府令第六号」: the
# ordinances of the 2001 ministry reform, made in 2000), and 「令和四年年三月二五日政令第一一二号」
# as e-Gov misprints it once (the number is still whole).
# Also the numbering of 人事院規則 (「平成四年一月一七日人事院規則一―一八」), full-width digits
# (「昭和６０年４月６日国家公安委員会規則第９号」) and a space between date and kind.
_D = rf"(?:{KANJI_NUM}|[0-9０-９]+)"
_ACT_RE = re.compile(
    rf"^(?:(?:{ERA})(?:元|{_D})年{_D}月{_D}日[ \u3000]+(?={ERA}))?"
    rf"(?P<era>{ERA})(?P<year>元|{_D})年年?(?:{_D}月{_D}日)?[ \u3000]*"
    rf"(?:(?P<kind>{LAW_KIND})第(?P<num>{_D})号|人事院規則(?P<jr>{_D}(?:―{_D})+))$"
)
# The end of an amendment instruction that quotes new wording on the lines after it.
_AMEND_RE = re.compile(r"(?:改める|加える|付する|置く)。$")
_ARTICLE_LIKE_RE = re.compile(rf"^第{KANJI_NUM}条")
_BRANCH_RE = re.compile(rf"[のノ]({KANJI_NUM})")
_TOC_RANGE_RE = re.compile(rf"^[^（）]*（第{KANJI_NUM}条[^（）]*）$")
_SUPPL_START_RE = re.compile(r"^附[ \u3000]*則[ \u3000]*（[^（）]*$")


@dataclass
class _ItemB:
    num: int
    label: str
    start: int
    end: int


@dataclass
class _ParaB:
    num: int
    start: int
    end: int
    items: list[_ItemB] = field(default_factory=list)


@dataclass
class _ArticleB:
    label: str
    key: str
    order: tuple[int, ...]
    last: tuple[int, ...]  # the last number a range covers, for the order check
    caption: tuple[str, int, int] | None
    heading_path: list[str]
    start: int
    end: int
    deleted: bool
    suppl_act: str | None
    line: int
    paragraphs: list[_ParaB] = field(default_factory=list)
    quotes: bool = False  # an amendment instruction (「…を次のように改める。」) came: what follows may be quoted text


@dataclass
class _BlockB:
    label: str
    act: str | None
    act_key: str | None
    excerpt: bool
    start: int
    end: int
    line: int
    last_order: tuple[int, ...] = ()


@dataclass
class _TableB:
    label: str
    title: str
    start: int
    end: int
    line: int
    rows: list[TableRow] = field(default_factory=list)


def parse_statute(text: str) -> Statute:
    """Structure a statute; raises StatuteParseError(line, reason) when the text is not one."""
    return _Parser(text).run()


def looks_like_statute(text: str) -> bool:
    """True for a statute's text whatever its file format: a 法令番号 line near the top and articles.

    Detection is by structure, not by file name or Markdown syntax, so the text extracted from
    a PDF of the same statute is detected too.
    """
    lines = [ln for ln in split_lines(text) if not ln.blank and not is_noise(ln)]
    head = lines[:_HEADER_SCAN]
    if not any(LAW_NUMBER_LINE_RE.match(ln.text) or TITLE_WITH_NUMBER_RE.match(ln.text) for ln in head):
        return False
    return any(ARTICLE_RE.match(ln.text) and not is_table_row(ln) for ln in lines)


def suppl_act_key(act_law_number: str) -> str:
    """「平成二十年法律第三十六号」→ "h20-36" (an act of another kind: "h20-政令" → "h20-co36")."""
    m = _ACT_RE.match(act_law_number)
    if not m:
        raise ValueError(f"not a law number: {act_law_number!r}")
    year = 1 if m.group("year") == "元" else _num(m.group("year"))
    if m.group("jr"):  # 人事院規則一―一八 → "jr1-18"
        return f"{_ERA_KEY[m.group('era')]}{year}-jr" + "-".join(str(_num(x)) for x in m.group("jr").split("―"))
    kind = {"法律": "", "政令": "co", "勅令": "io"}.get(m.group("kind"), "x")
    return f"{_ERA_KEY[m.group('era')]}{year}-{kind}{_num(m.group('num'))}"


def _num(token: str) -> int:
    return int(token) if token.isdigit() else kanji_to_int(token)


def _act_law_number(act: str) -> str:
    """「平成二〇年五月二一日法律第三六号」→「平成二十年法律第三十六号」, the 法令番号 form."""
    m = _ACT_RE.match(act.strip())
    if not m:
        raise ValueError(act)
    year = "元" if m.group("year") == "元" else int_to_kanji(_num(m.group("year")))
    if m.group("jr"):
        return f"{m.group('era')}{year}年人事院規則" + "―".join(int_to_kanji(_num(x)) for x in m.group("jr").split("―"))
    return f"{m.group('era')}{year}年{m.group('kind')}第{int_to_kanji(_num(m.group('num')))}号"


def _numbers(num: str, branches: str) -> tuple[int, ...]:
    return (kanji_to_int(num), *(kanji_to_int(b) for b in _BRANCH_RE.findall(branches)))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.articles: list[Article] = []
        self.tables: list[Table] = []
        self.blocks: list[SupplBlock] = []
        self.toc: list[Heading] = []
        self.headings: dict[str, str] = {}
        self.article: _ArticleB | None = None
        self.block: _BlockB | None = None
        self.table: _TableB | None = None
        self.caption: tuple[str, int, int] | None = None
        self.last_main: tuple[int, ...] = ()
        self.last_main_label = ""
        self.last_heading: Heading | None = None
        self.act_keys: set[str | None] = set()
        self.acts: dict[str | None, str | None] = {}
        self.title = ""
        self.law_number = ""
        self.loose: list[Line] = []  # text lines before any article, 附則 or 別表
        self.main_pseudo = 0  # line of the first bare paragraph/item of a main provision without 条
        self.skip_to = 0  # a handler that consumes more lines than its own moves this on

    # ---- driver -------------------------------------------------------------------------
    def run(self) -> Statute:
        title, law_number, i = self._header()
        self.title, self.law_number = title, law_number
        i = self._skip_toc(i)
        n = len(self.lines)
        while i < n:
            ln = self.lines[i]
            if ln.blank or self._noise(ln):
                i += 1
                continue
            if is_table_row(ln) and i + 1 < n and TABLE_SEPARATOR_RE.match(self.lines[i + 1].text):
                i = self._table(i)
                continue
            self.skip_to = i
            self._line(ln, i)
            i = self.skip_to + 1
        self._close_article()
        self._close_table()
        self._close_block()
        self._close_loose()
        if not self.articles:
            last = max((ln.no for ln in self.lines if not ln.blank), default=1)
            raise StatuteParseError(last, "no article (「第一条　…」) found")
        return Statute(title, law_number, self.articles, self.tables, self.blocks, self.toc, self.text)

    def _noise(self, ln: Line) -> bool:
        """Page furniture: a page number, or the title repeated as a running header (at a page
        break: after a form feed or beside a page number), which a sentence quoting the title
        in full on a line of its own is not."""
        if is_noise(ln):
            return True
        if ln.text != self.title:
            return False
        if "\f" in self.text[self.text.rfind("\n", 0, ln.start) + 1:ln.start]:
            return True
        i = ln.no - 1
        near = [self.lines[j] for j in (i - 1, i - 2, i + 1, i + 2) if 0 <= j < len(self.lines)]
        return any(not x.blank and is_noise(x) for x in near)

    def _header(self) -> tuple[str, str, int]:
        title: str | None = None
        seen: list[Line] = []
        for idx, ln in enumerate(self.lines):
            if ln.blank or is_noise(ln):
                continue
            if len(seen) >= _HEADER_SCAN:
                break
            if ln.text.startswith("# ") and title is None:
                title = ln.text[2:].strip(" \u3000")
            elif m := TITLE_WITH_NUMBER_RE.match(ln.text):
                return m.group("title").strip(" \u3000"), m.group("num"), idx + 1
            elif m := LAW_NUMBER_LINE_RE.match(ln.text):
                if title is None:
                    # PDF text: the title is the run of lines right above the number (a long
                    # title is broken over two lines).
                    run: list[Line] = []
                    for prev in reversed(self.lines[:idx]):
                        if prev.blank:
                            if run:
                                break
                            continue
                        if not is_noise(prev):
                            run.insert(0, prev)
                    if run:
                        title = "".join(x.text for x in run)
                    else:
                        after = next((x for x in self.lines[idx + 1:] if not x.blank and not is_noise(x)), None)
                        if after is None:
                            raise StatuteParseError(ln.no, "法令番号 with no title before or after it")
                        title = after.text
                return title, m.group("num"), idx + 1
            seen.append(ln)
        first = next((ln.no for ln in self.lines if not ln.blank), 1)
        raise StatuteParseError(first, "no 法令番号 line near the top (one like 「平成十七年法律第二十四号」): not a statute")

    def _skip_toc(self, i: int) -> int:
        """Index of the first body line: past the 目次 when there is one."""
        n = len(self.lines)
        j = i
        while j < n and (self.lines[j].blank or is_noise(self.lines[j])):
            j += 1
        # The title may be repeated, and an enactment line may stand, before 目次.
        k = j
        for _ in range(3):
            if k < n and TOC_RE.match(self.lines[k].text):
                break
            k += 1
            while k < n and (self.lines[k].blank or is_noise(self.lines[k])):
                k += 1
        if k >= n or not TOC_RE.match(self.lines[k].text):
            return self._skip_unlabelled_toc(i, j)
        first: tuple[str, str] | None = None
        k += 1
        while k < n:
            ln = self.lines[k]
            if ln.blank or is_noise(ln):
                k += 1
                continue
            if (m := SUPPL_RE.match(ln.text)) and not m.group("act") and not m.group("sho"):
                return k + 1
            if m := HEADING_RE.match(ln.text):
                # The whole label: 「第一章の二」 is not 「第一章」 come again (健康保険法施行規則).
                key = (ln.text[:m.start("title")].rstrip(" \u3000"), m.group("level"))
                if first is None:
                    first = key
                elif key == first:
                    return k
                k += 1
                continue
            if ln.text in ("前文", "別表") or APPDX_RE.match(ln.text):
                k += 1
                continue
            if _TOC_RANGE_RE.match(ln.text):
                # The article range of an entry, broken onto its own line: 「（第十三条の三）」.
                k += 1
                continue
            if any(r.match(ln.text) for r in (ARTICLE_RE, CAPTION_RE, PARAGRAPH_RE, ITEM_RE, SUPPL_RE)):
                return k
            # A 目次 entry broken over two lines by a PDF page width.
            k += 1
        return k

    def _skip_unlabelled_toc(self, i: int, j: int) -> int:
        """A 目次 printed without its 「目次」 line (陪審法: 「第一章 総則」 … 「第六章 補則」, 「附則」,
        then 「第一章 総則」 again): from line j only headings, ended by a bare 「附則」 line (no
        space, as 目次 print it) or by the first heading again. Anything else: no 目次, body at i."""
        n = len(self.lines)
        if j < n and self.lines[j].text == self.title:  # the title printed again
            j += 1
            while j < n and (self.lines[j].blank or is_noise(self.lines[j])):
                j += 1
        first = HEADING_RE.match(self.lines[j].text) if j < n else None
        if first is None:
            return i
        k = j + 1
        while k < n:
            t = self.lines[k].text
            if self.lines[k].blank or is_noise(self.lines[k]):
                k += 1
            elif t == "附則":
                return k + 1
            elif t == self.lines[j].text:
                return k
            elif HEADING_RE.match(t):
                k += 1
            else:
                return i
        return i

    # ---- one line -------------------------------------------------------------------------
    def _line(self, ln: Line, i: int) -> None:
        t = ln.text
        if m := SUPPL_RE.match(t):
            self._open_block(ln, m)
        elif _SUPPL_START_RE.match(t) and (joined := self._joined_suppl(i)):
            self._open_block(joined[0], joined[1])
        elif (m := APPDX_RE.match(t)) and not is_table_row(ln):  # 「別表第二 | …」 is a table cell
            self._open_table(ln, m)
        elif m := HEADING_RE.match(t):
            self._heading(ln, m)
        elif (m := ARTICLE_RE.match(t)) and not is_table_row(ln):  # a cell 「第二十四条の二 | …」
            self._open_article(ln, m)
        elif (m := ARTICLE_BARE_RE.match(t)) and self._excerpt_follows(i):
            self._open_article(ln, m)
        elif t.startswith("（") and self._caption(ln, i):
            pass
        elif m := PARAGRAPH_RE.match(t):
            self._paragraph(ln, m)
        elif m := ITEM_RE.match(t):
            self._item(ln, m)
        else:
            self._text(ln)

    def _touch(self, ln: Line) -> None:
        """The line continues whatever is open: item, paragraph, article, 別表, 附則 block."""
        if self.table is not None:
            self.table.end = ln.end
            return
        if self.article is not None:
            self.article.end = ln.end
            if _AMEND_RE.search(ln.text):
                self.article.quotes = True
            if self.article.paragraphs:
                p = self.article.paragraphs[-1]
                p.end = ln.end
                if p.items:
                    p.items[-1].end = ln.end
        if self.block is not None:
            self.block.end = ln.end

    def _text(self, ln: Line) -> None:
        if self.table is not None or self.article is not None:
            self._touch(ln)
        elif self.block is not None:
            # A 附則 written as one unnumbered sentence: 「この法律は、公布の日から施行する。」
            self._open_pseudo(ln)
            self.article.paragraphs.append(_ParaB(1, ln.start, ln.end))
            self._touch(ln)
        elif self.last_heading is not None and self.caption is None:
            # A PDF line break inside a long heading.
            h = self.last_heading
            self.toc[-1] = Heading(h.level, self.text[h.start:ln.end], h.start, ln.end, h.line)
            self.last_heading = self.toc[-1]
            self.headings[h.level] = self.toc[-1].label
        elif ln.text != self.title and not self.toc:
            # Text before the first article: 前文 or the enactment line when articles follow
            # (then it belongs to none), or the main provision itself when none do (検疫所長等
            #服制: 「検疫所長、…の服制は、次のとおりとする。」): kept until that is known.
            self.loose.append(ln)

    # ---- 附則 and 別表 ------------------------------------------------------------------------
    def _joined_suppl(self, i: int) -> tuple[Line, re.Match[str]] | None:
        """A 附則 heading that a PDF page width broke after its opening parenthesis."""
        parts: list[Line] = []
        for ln in self.lines[i:]:
            if ln.blank or self._noise(ln):
                continue
            parts.append(ln)
            joined = "".join(p.text for p in parts)
            if m := SUPPL_RE.match(joined):
                self.skip_to = parts[-1].no - 1
                return Line(parts[0].no, parts[0].start, parts[-1].end, joined), m
            if len(parts) == 3:
                return None
        return None

    def _close_loose(self) -> None:
        """At the first 附則 or 別表, or at the end: a main provision with neither article nor
        numbered paragraph, written as sentences, is one article 「本則」 over those lines (its
        enactment line, 「…を次のように定める。」, inside it as written)."""
        if self.loose and not self.last_main and not self.main_pseudo and self.block is None \
                and not self.blocks and not self.tables:
            first, last = self.loose[0], self.loose[-1]
            self.article = _ArticleB("本則", "main", (0,), (0,), None, [], first.start, last.end, False, None,
                                     first.no, [_ParaB(1, first.start, last.end)])
            self.main_pseudo = first.no
            self._close_article()
        self.loose = []

    def _open_block(self, ln: Line, m: re.Match[str]) -> None:
        self._close_loose()
        self._close_article()
        self._close_table()
        self._close_block()
        act_text = m.group("act")
        excerpt = bool(m.group("sho"))
        if act_text and (sho := re.search(r"[ \u3000]*抄$", act_text)):
            # 「附則（令和六年一〇月一一日政令第三一七号 抄）」: the 抄 inside the parentheses.
            act_text, excerpt = act_text[:sho.start()], True
        act = act_key = None
        if act_text:
            try:
                act, act_key = _act_law_number(act_text), suppl_act_key(_act_law_number(act_text))
            except ValueError:
                raise StatuteParseError(ln.no, f"附則 heading names an act I cannot read: {act_text!r}") from None
        if act_key in self.act_keys and self.acts.get(act_key) not in (None, act):
            # Two ordinances of one year and number by different ministries share the key
            # "s22-x1" (every 省令 kind keys as x): the later block's key names its kind too.
            act_key = f"{act_key}-{zlib.crc32(act.encode()):08x}"
        if act_key in self.act_keys:
            which = f"of {act}" if act else "of the original act"
            raise StatuteParseError(ln.no, f"a second 附則 block {which}: article ids would collide")
        self.act_keys.add(act_key)
        self.acts[act_key] = act
        self.block = _BlockB(ln.text, act, act_key, excerpt, ln.start, ln.end, ln.no)
        self.headings = {}
        self.last_heading = None

    def _close_block(self) -> None:
        b = self.block
        if b is not None:
            self.blocks.append(SupplBlock(b.label, b.act, b.act_key, b.excerpt, b.start, b.end, b.line))
            self.block = None

    def _open_table(self, ln: Line, m: re.Match[str]) -> None:
        self._close_loose()
        self._close_article()
        self._close_table()
        self._close_block()
        self.table = _TableB(m.group("label"), m.group("title").strip(" \u3000"), ln.start, ln.end, ln.no)

    def _close_table(self) -> None:
        t = self.table
        if t is not None:
            self.tables.append(Table(t.label, t.title, t.start, t.end, t.rows, t.line))
            self.table = None

    def _table(self, i: int) -> int:
        """A Markdown table from line i (its first row) to the next blank line; returns the index after it."""
        region: list[Line] = []
        j = i
        while j < len(self.lines) and not self.lines[j].blank:
            region.append(self.lines[j])
            j += 1
        header, body = region[0], region[2:]
        columns = header.text.count("|")
        rows = [TableRow(header.start, header.end, header=True)]
        cur: list[Line] = []
        pipes = 0
        for ln in body:
            if cur and is_table_row(ln) and pipes >= columns:
                rows.append(TableRow(cur[0].start, cur[-1].end))
                cur, pipes = [], 0
            cur.append(ln)
            pipes += ln.text.count("|")
        if cur:
            rows.append(TableRow(cur[0].start, cur[-1].end))
        if self.table is not None:
            self.table.rows.extend(rows)
        self._touch(region[-1])
        return j

    # ---- headings, captions, articles --------------------------------------------------------
    def _heading(self, ln: Line, m: re.Match[str]) -> None:
        self._close_article()
        self._close_table()
        level = m.group("level")
        for deeper in _LEVELS[_LEVELS.index(level):]:
            self.headings.pop(deeper, None)
        self.headings[level] = ln.text
        h = Heading(level, ln.text, ln.start, ln.end, ln.no)
        self.toc.append(h)
        self.last_heading = h
        if self.block is not None:
            self.block.end = ln.end

    def _next_meaningful(self, i: int) -> Line | None:
        for ln in self.lines[i + 1:]:
            if not ln.blank and not self._noise(ln):
                return ln
        return None

    def _caption_lines(self, i: int) -> list[Line]:
        """The lines of a caption starting at line i: one line, or up to three when a PDF page
        width broke a long caption (「（地方公共団体の補助に係る…住宅の家賃又は価額）」)."""
        parts: list[Line] = []
        for ln in self.lines[i:]:
            if ln.blank or self._noise(ln):
                continue
            parts.append(ln)
            joined = "".join(p.text for p in parts)
            if CAPTION_RE.match(joined):
                return parts
            if len(parts) == 3 or joined.count("（") <= joined.count("）"):
                return []
        return []

    def _caption(self, ln: Line, i: int) -> bool:
        """A caption 「（目的）」 if an article or a paragraph follows; False lets the line be text."""
        parts = self._caption_lines(i)
        if not parts:
            return False
        last = parts[-1].no - 1
        nxt = self._next_meaningful(last)
        if nxt is None:
            return False
        end = parts[-1].end
        if (ARTICLE_RE.match(nxt.text) or (ARTICLE_BARE_RE.match(nxt.text) and self._excerpt_follows(nxt.no - 1))) \
                and not is_table_row(nxt):
            self._close_article()
            self._close_table()
            self.caption = ("".join(p.text for p in parts), ln.start, end)
            self.skip_to = last
            if self.block is not None:
                self.block.end = end
            return True
        if PARAGRAPH_RE.match(nxt.text) and self.block is not None:
            # 附則 paragraphs carry captions (「（施行期日）」 before 「１　この法律は…」).
            if self.article is None:
                self._open_pseudo(ln)
            self.article.end = end
            self.block.end = end
            self.skip_to = last
            return True
        return False

    def _excerpt_follows(self, i: int) -> bool:
        """A bare 「第五条」 line is an excerpted article only when a numbered paragraph or an item
        follows; otherwise (a PDF line broken after 「第五条」) it is text."""
        nxt = self._next_meaningful(i)
        return nxt is not None and bool(PARAGRAPH_RE.match(nxt.text) or ITEM_RE.match(nxt.text))

    def _open_article(self, ln: Line, m: re.Match[str]) -> None:
        self._close_article()
        self._close_table()
        rest = m.group("rest").strip(" \u3000")
        order = _numbers(m.group("num"), m.group("br"))
        label = ln.text[: m.start("cap") if m.groupdict().get("cap") else m.start("rest")].rstrip(" \u3000")
        if m.groupdict().get("cap") and self.caption is None:
            self.caption = (m.group("cap"), ln.start + m.start("cap"), ln.start + m.end("cap"))
        if m.groupdict().get("num2"):
            if rest != "削除":
                raise StatuteParseError(ln.no, f"an article range 「{label}」 that is not 削除")
            last = _numbers(m.group("num2"), m.group("br2"))
            conj = {"及び": "and", "、": "and"}.get(m.group("conj"), "to")
            key = "-".join(map(str, order)) + f"-{conj}-" + "-".join(map(str, last))
        else:
            last = order
            key = "-".join(map(str, order))
        deleted = rest == "削除"
        if self.block is None and self.main_pseudo:
            raise StatuteParseError(
                ln.no, f"{label} after a main provision of bare paragraphs or items (line {self.main_pseudo})")
        if self.block is None:
            if order <= self.last_main:
                raise StatuteParseError(
                    ln.no, f"{label} after {self.last_main_label}: main-provision articles out of order")
            self.last_main, self.last_main_label = last, label
            path = [self.headings[lv] for lv in _LEVELS if lv in self.headings]
            suppl_act = None
        else:
            b = self.block
            if order <= b.last_order:
                raise StatuteParseError(ln.no, f"附則{label} does not follow the article before it in {b.label}")
            b.last_order = last
            path = [b.label] + [self.headings[lv] for lv in _LEVELS if lv in self.headings]
            label = "附則" + label
            key = "suppl-" + (f"{b.act_key}-" if b.act_key else "") + key
            suppl_act = b.act or self.law_number
        self.article = _ArticleB(label, key, order, last, self.caption, path, ln.start, ln.end,
                                 deleted, suppl_act, ln.no)
        self.caption = None
        self.last_heading = None
        if not deleted and rest:
            # A bare label (an excerpt) has no paragraph 1 of its own: its paragraphs carry numbers.
            self.article.paragraphs.append(_ParaB(1, ln.start, ln.end))
        if self.block is not None:
            self.block.end = ln.end

    def _open_pseudo(self, ln: Line) -> None:
        """A 附則 block written as bare paragraphs: one article 「附則」 holding them."""
        b = self.block
        assert b is not None
        key = "suppl" + (f"-{b.act_key}" if b.act_key else "")
        self.article = _ArticleB("附則", key, (0,), (0,), None, [b.label], ln.start, ln.end, False,
                                 b.act or self.law_number, ln.no)
        self.last_heading = None

    def _open_main(self, ln: Line, what: str) -> None:
        """A main provision written as bare paragraphs or items, with no 条 (「① 年齢ハ出生ノ日ヨリ
        之ヲ起算ス」, 明治十九年勅令第五十一号's 「一 英国グリニツチ天文台…」): one article 「本則」
        keyed "main" holding them, as e-Gov's XML holds such paragraphs in the MainProvision."""
        # Only when no line of the main provision starts like an article: an article label this
        # parser does not read must be reported, not folded into a 本則 it is not.
        for later in self.lines[ln.no:]:
            if SUPPL_RE.match(later.text) or APPDX_RE.match(later.text):
                break
            if _ARTICLE_LIKE_RE.match(later.text) and not is_table_row(later):
                raise StatuteParseError(
                    ln.no, f"{what} outside any article (line {later.no} starts like one: 「{later.text[:12]}…」)")
        self.article = _ArticleB("本則", "main", (0,), (0,), None, [], ln.start, ln.end, False, None, ln.no)
        self.main_pseudo = ln.no
        self.last_heading = None

    def _unattached(self, ln: Line, what: str) -> bool:
        """A paragraph or item line with no article open: True when it was placed (in a 別表, a
        附則 block, or a main provision without articles); raises when it belongs nowhere."""
        if self.table is not None:
            # 別表 written as items (労働基準法 別表第一 「一 物の製造…の事業」): rows of the table.
            self._touch(ln)
            return True
        if self.block is not None:
            self._open_pseudo(ln)
            return False
        if self.articles or self.last_main:
            raise StatuteParseError(ln.no, f"{what} outside any article, after {self.last_main_label or '本則'}")
        self._open_main(ln, what)
        return False

    def _paragraph(self, ln: Line, m: re.Match[str]) -> None:
        num = paragraph_number(m.group("num"))
        if self.article is None and self._unattached(ln, f"paragraph 「{m.group('num')}」"):
            return
        a = self.article
        if a.deleted:
            raise StatuteParseError(ln.no, f"paragraph 「{m.group('num')}」 in the deleted article {a.label}")
        if a.paragraphs and num <= a.paragraphs[-1].num and a.quotes:
            # The new wording an amendment instruction quotes (調整規定 of 附則: 「第三十条第四項を次の
            # ように改める。」 then 「４ 前項に…」): text of this article, not one of its paragraphs.
            self._touch(ln)
            return
        if a.paragraphs and num <= a.paragraphs[-1].num:
            raise StatuteParseError(
                ln.no, f"paragraph {num} after paragraph {a.paragraphs[-1].num} in {a.label}")
        a.paragraphs.append(_ParaB(num, ln.start, ln.end))
        self._touch(ln)

    def _item(self, ln: Line, m: re.Match[str]) -> None:
        if self.article is None:
            if self._unattached(ln, f"item 「{m.group('label')}」"):
                return
            # Items with no paragraph number: they hang on the implicit paragraph 1.
            self.article.paragraphs.append(_ParaB(1, ln.start, ln.end))
        a = self.article
        if not a.paragraphs and not a.deleted:
            # Items right after an excerpt's bare label: they belong to its paragraph 1.
            a.paragraphs.append(_ParaB(1, ln.start, ln.end))
        if not a.paragraphs:
            raise StatuteParseError(ln.no, f"item 「{m.group('label')}」 outside the deleted article {a.label}")
        a.paragraphs[-1].items.append(_ItemB(kanji_to_int(m.group("num")), m.group("label"), ln.start, ln.end))
        self._touch(ln)

    def _close_article(self) -> None:
        a = self.article
        if a is None:
            return
        paragraphs = [
            Paragraph(p.num, p.start, p.end, [Item(it.num, it.label, it.start, it.end) for it in p.items])
            for p in a.paragraphs
        ]
        caption = a.caption[0] if a.caption else None
        span = (a.caption[1], a.caption[2]) if a.caption else None
        self.articles.append(Article(a.label, a.key, caption, a.heading_path, a.start, a.end, a.deleted,
                                     a.suppl_act, paragraphs, span, a.line))
        self.article = None


# Sub-item lines (イ, （１）, （ｉ）) continue the item before them; `_line` sends them to `_text`
# through the fall-through, which is what they are structurally. SUBITEM_RE is kept for callers
# that want to split items further.
__all__ = ["parse_statute", "looks_like_statute", "suppl_act_key", "SUBITEM_RE"]
