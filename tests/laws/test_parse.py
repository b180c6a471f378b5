"""parse_statute on the 21 statutes: exact offsets, counts checked against independent regexes,
附則 keyed by act, 削除 articles, PDF-like text, malformed input."""

from __future__ import annotations

import re

import pytest

from indexer.laws.model import StatuteParseError
from indexer.laws.parse import looks_like_statute, parse_statute
from tests.laws.conftest import statute_files

FILES = statute_files()
IDS = [f.name[:15] for f in FILES]
N = "[一二三四五六七八九十百千〇]+"
# Written apart from the parser's regexes on purpose: a line that starts with 第…条 and a space
# (or a 削除 range), outside Markdown tables. Captions start with （ and never match.
ARTICLE_LINE = re.compile(rf"^第{N}条(の{N})*((から|及び|乃至|、)第{N}条(の{N})*(まで)?)?[ 　]")
PARAGRAPH_LINE = re.compile(r"^([０-９0-9]+|[①-⑳])[ 　]")
ITEM_LINE = re.compile(rf"^{N}(の{N})*(から{N}(の{N})*まで)?[ 　]")
SUPPL_LINE = re.compile(r"^附[ 　]+則")
# An excerpted article (抄) printed as its label alone, its kept paragraphs after it.
BARE_ARTICLE_LINE = re.compile(rf"^第{N}条(の{N})*$")


def _article_lines(lines: list[str]) -> int:
    """Article lines: label and text, or a bare label followed by a numbered paragraph or an item."""
    count = 0
    for i, ln in enumerate(lines):
        if ARTICLE_LINE.match(ln):
            count += 1
        elif BARE_ARTICLE_LINE.match(ln.strip()):
            nxt = next((x for x in lines[i + 1:] if x.strip()), "")
            count += bool(PARAGRAPH_LINE.match(nxt) or ITEM_LINE.match(nxt))
    return count


def _outside_tables(text: str) -> list[str]:
    """Lines outside Markdown tables (a table runs from its header row to the next blank line)."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        if "|" in lines[i] and i + 1 < len(lines) and re.match(r"^-{3}", lines[i + 1]):
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return out


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_offset_is_exact(path):
    text = path.read_text(encoding="utf-8")
    s = parse_statute(text)
    for a in s.articles:
        span = text[a.start:a.end]
        assert span == span.strip(), a.key
        if a.label != "附則":
            assert span.startswith(a.label.removeprefix("附則")), a.key
        if a.caption is not None:
            assert text[a.caption_span[0]:a.caption_span[1]] == a.caption
        if a.deleted:
            assert span.endswith("削除") and not a.paragraphs
        nums = [p.num for p in a.paragraphs]
        assert nums == sorted(set(nums)), a.key
        for p in a.paragraphs:
            assert a.start <= p.start < p.end <= a.end
            body = text[p.start:p.end]
            assert body == body.strip()
            if p.num > 1 or a.label == "附則":
                assert re.match(r"^([０-９]+|[①-⑳])[ 　]|^[^０-９①-⑳]", body), (a.key, p.num)
            for it in p.items:
                assert p.start < it.start < it.end <= p.end
                assert text[it.start:it.end].startswith(it.label + " "), (a.key, p.num, it.label)
    for t in s.tables:
        assert text[t.start:t.end].startswith(t.label)
        for r in t.rows:
            assert t.start < r.start < r.end <= t.end and "|" in text[r.start:r.end]
    for b in s.suppl_blocks:
        assert text[b.start:b.end].startswith(b.label)
    for h in s.toc:
        assert text[h.start:h.end] == h.label


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_counts_match_an_independent_count(path):
    text = path.read_text(encoding="utf-8")
    s = parse_statute(text)
    lines = _outside_tables(text)
    assert sum(1 for a in s.articles if a.label != "附則") == _article_lines(lines)
    # One 附則 block per 附則 heading (the 目次 entry 「附則」 has no space and does not count).
    assert len(s.suppl_blocks) == sum(1 for ln in lines if SUPPL_LINE.match(ln))
    # A block without article lines is one article 「附則」 of bare paragraphs.
    assert sum(1 for a in s.articles if a.label == "附則") == sum(
        1 for b in s.suppl_blocks
        if not any(ARTICLE_LINE.match(ln) for ln in text[b.start:b.end].split("\n")))
    numbered = sum(1 for a in s.articles for p in a.paragraphs if text[p.start] in "０１２３４５６７８９①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
    assert numbered == sum(1 for ln in lines if PARAGRAPH_LINE.match(ln))
    items = sum(len(p.items) for a in s.articles for p in a.paragraphs)
    assert items == sum(1 for ln in lines if ITEM_LINE.match(ln))


def test_known_counts(statutes):
    # Counted by hand from the 目次 and the last article of each file.
    assert len(statutes["426AC0000000136"].main_articles) == 20  # まち・ひと・しごと創生法 第一条―第二十条
    assert statutes["426AC0000000136"].main_articles[-1].label == "第二十条"
    saisei = statutes["417AC0000000024"]
    assert saisei.main_articles[-1].label == "第四十二条"
    assert saisei.title == "地域再生法" and saisei.law_number == "平成十七年法律第二十四号"
    assert len(statutes["322AC0000000067"].suppl_blocks) == 569


def test_article_fields(statutes, law_texts):
    s = statutes["417AC0000000024"]
    a = s.article("5")
    assert (a.label, a.caption, a.deleted, a.suppl_act) == ("第五条", "（地域再生計画の認定）", False, None)
    assert a.heading_path == ["第三章 地域再生計画の認定等"]
    assert [p.num for p in a.paragraphs] == list(range(1, 19))
    assert [i.label for i in a.paragraph(4).items][-1] == "十八"
    b = s.article("17-24")
    assert b.label == "第十七条の二十四"
    assert b.heading_path[-1].startswith("第十一節")
    text = law_texts["417AC0000000024"]
    assert text[a.paragraph(2).items[0].start:a.paragraph(2).items[0].end] == "一 地域再生計画の区域"


def test_suppl_blocks_are_keyed_by_act(statutes):
    s = statutes["417AC0000000024"]
    first, second = s.suppl_blocks[0], s.suppl_blocks[2]
    assert first.act is None and first.act_key is None and first.excerpt
    assert (second.act, second.act_key) == ("平成二十年法律第三十六号", "h20-36")
    art = s.article("suppl-h20-36-2")
    assert art.label == "附則第二条" and art.caption == "（経過措置）"
    assert art.suppl_act == "平成二十年法律第三十六号"
    assert art.heading_path == ["附 則 （平成二〇年五月二一日法律第三六号） 抄"]
    # The original 附則 belongs to the statute's own act; its bare paragraphs form one article.
    orig = s.article("suppl")
    assert orig.label == "附則" and orig.suppl_act == s.law_number and [p.num for p in orig.paragraphs] == [1, 2]
    keys = [a.key for a in s.articles]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_keys_are_unique_slugs(path):
    s = parse_statute(path.read_text(encoding="utf-8"))
    keys = [a.key for a in s.articles]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys)


def test_deleted_articles(statutes, law_texts):
    jichi = statutes["322AC0000000067"]
    single = jichi.article("146")
    assert single.deleted and single.label == "第百四十六条" and single.paragraphs == []
    ranged = jichi.article("20-to-73")
    assert ranged.deleted and ranged.label == "第二十条乃至第七十三条"
    both = jichi.article("110-and-111")
    assert both.deleted and both.label == "第百十条及び第百十一条"
    shuto = statutes["331AC0000000083"].article("3-to-17")
    assert shuto.deleted and law_texts["331AC0000000083"][shuto.start:shuto.end] == "第三条から第十七条まで 削除"
    assert not statutes["417AC0000000024"].article("5").deleted


def test_circled_paragraph_numbers(statutes, law_texts):
    a = statutes["322AC0000000067"].article("2")
    assert [p.num for p in a.paragraphs] == list(range(1, 18))
    assert law_texts["322AC0000000067"][a.paragraph(17).start] == "⑰"


def test_appended_tables(statutes, law_texts):
    jichi = statutes["322AC0000000067"]
    assert [t.label for t in jichi.tables] == ["別表第一", "別表第二"]
    first = jichi.tables[0]
    assert first.title == "第一号法定受託事務（第二条関係）"
    text = law_texts["322AC0000000067"]
    row = text[first.rows[1].start:first.rows[1].end]
    # A cell holding items 一/イ/ロ/二 stays one row; those lines are not articles' items.
    assert row.startswith("砂防法") and "\nイ " in row and "\n二 " in row
    assert first.rows[0].header and not first.rows[1].header
    kouzou = statutes["414AC0000000189"].tables[0]
    assert kouzou.label == "別表" and len(kouzou.rows) == 27


def test_toc_is_the_body_headings(statutes):
    s = statutes["417AC0000000024"]
    assert s.toc[0].label == "第一章 総則" and s.toc[0].level == "章"
    assert any(h.level == "節" for h in s.toc)
    assert [h.level for h in statutes["322AC0000000067"].toc][:2] == ["編", "編"]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_detected_as_statute(path):
    assert looks_like_statute(path.read_text(encoding="utf-8"))


def test_policy_text_is_not_a_statute():
    policy = "# 地方創生2.0基本構想\n\n第１ 基本的な考え方\n\n地域再生法第五条に基づき…\n\n第一条 とあるが\n"
    assert not looks_like_statute(policy)


# ---- PDF-extracted text -------------------------------------------------------------------
def _as_pdf_text(text: str, title: str, width: int = 38, page: int = 45) -> str:
    """What pdftotext gives for e-Gov's PDF of a statute: no Markdown title mark, ideographic
    spaces, sentences wrapped at the page width, page numbers and running headers, extra blanks."""
    out: list[tuple[str, bool]] = []  # (line, breakable): a Markdown table is kept whole
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        if "|" in ln and i + 1 < len(lines) and re.match(r"^-{3}", lines[i + 1]):
            while i < len(lines) and lines[i].strip():
                out.append((lines[i], False))
                i += 1
            continue
        i += 1
        ln = ln.removeprefix("# ").replace(" ", "\u3000")
        while len(ln) > width:
            out.append((ln[:width], True))
            ln = ln[width:]
        out.append((ln, True))
        if not ln:
            out.append(("", True))
    paged: list[str] = []
    for n, (ln, breakable) in enumerate(out):
        if n and n % page == 0 and breakable:
            paged += ["", f"- {n // page} -", "\f" + title, ""]
        paged.append(ln)
    return "\n".join(paged)


def _shape(statute, text):
    furniture = re.compile(r"- \d+ -\n\f" + re.escape(statute.title))

    def flat(s, e):
        return re.sub(r"\s+", "", furniture.sub("", text[s:e]))

    return [(a.key, a.label, a.caption, a.deleted, a.suppl_act, flat(a.start, a.end),
             [(p.num, flat(p.start, p.end), [(i.label, flat(i.start, i.end)) for i in p.items])
              for p in a.paragraphs])
            for a in statute.articles]


@pytest.mark.parametrize("width", [33, 40])
@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_pdf_text_gives_the_same_articles(path, width):
    # Below ~30 characters a line, breaks start landing on quoted headings (「第三章 検疫…」
    # inside a sentence of 構造改革特別区域法's 附則) and such a line reads as a heading.
    text = path.read_text(encoding="utf-8")
    md = parse_statute(text)
    pdf_text = _as_pdf_text(text, md.title, width=width)
    assert looks_like_statute(pdf_text)
    pdf = parse_statute(pdf_text)
    assert (pdf.title, pdf.law_number) == (md.title, md.law_number)
    assert _shape(pdf, pdf_text) == _shape(md, text)
    assert [len(t.rows) for t in pdf.tables] == [len(t.rows) for t in md.tables]


def test_title_line_carrying_the_law_number():
    text = "地域再生法（平成十七年法律第二十四号）\n\n第一条　この法律は、…目的とする。\n\n２　前項の…。\n"
    s = parse_statute(text)
    assert (s.title, s.law_number, [p.num for p in s.articles[0].paragraphs]) == ("地域再生法", "平成十七年法律第二十四号", [1, 2])


# ---- malformed input ----------------------------------------------------------------------
HEAD = "# 試験法\n\n平成十七年法律第二十四号\n\n試験法\n\n"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("地方創生に関する文書\n\n第一条 とある。\n", 1, "法令番号"),
    (HEAD + "（目的）\n\n第一条 目的とする。\n\n第三条 …。\n\n第二条 …。\n", 13, "out of order"),
    (HEAD + "第一条 目的とする。\n\n３ …。\n\n２ …。\n", 11, "paragraph 2 after paragraph 3"),
    (HEAD + "２ 宙に浮いた項。\n\n第一条 …。\n", 7, "outside any article"),
    (HEAD + "一 宙に浮いた号\n\n第一条 …。\n", 7, "outside any article"),
    (HEAD + "第一条 削除\n\n一 削除された条の号\n", 9, "deleted article"),
    (HEAD + "第一条から第三条まで 定義する。\n", 7, "not 削除"),
    (HEAD + "\n", 5, "no article"),
    (HEAD + "第一条 …。\n\n附 則\n\n１ …。\n\n附 則 抄\n\n１ …。\n", 13, "second 附則"),
    (HEAD + "第一条 …。\n\n附 則 （平成二〇年某日法律第三六号）\n\n１ …。\n", 9, "cannot read"),
])
def test_malformed_input_names_the_line(text, line, words):
    with pytest.raises(StatuteParseError) as err:
        parse_statute(text)
    assert err.value.line == line, err.value
    assert words in err.value.reason
    assert str(err.value).startswith(f"line {line}: ")
