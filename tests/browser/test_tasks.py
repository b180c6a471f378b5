"""The eight everyday tasks of an official (issue 9), done in Chromium at desktop width and at 390 px.

Each test does the task the way a person would (type, click, copy, download) and asserts what
that person sees: the figure in the copied text, as many CSV rows as the page says, a list of
prefectures big enough to tap. At 390 px every page must fit the screen (no sideways page
scrolling); wide tables either stack as cards or scroll inside their own box with a visible cue.
Screenshots of every page go to $POLICYKB_SHOTS (see conftest.py); nothing depends on them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WIDTH

TRANSPORT = "/records/measure-1-transport-gaps"
KYOMARUEN = "/records/case-shizuoka-hamamatsu-kyomaruen"
DATA = "/records/data-tokyo-net-inflow-age"
READER = "/sources/chihou-sousei-2.0"
TAP = 44  # px: the smallest tap target we promise on phones


def assert_fits(view) -> None:
    """At 390 px the page never scrolls sideways (its wide tables scroll inside their own box)."""
    if view.phone:
        width = view.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{view.path()}: page is {width} px wide at {PHONE_WIDTH} px"


def submit(view, field: str, text: str, url: str) -> None:
    """Type into a form field, send it with Enter, wait for the page whose URL matches, and check it fits."""
    view.page.fill(field, text)
    view.page.press(field, "Enter")
    view.page.wait_for_url(re.compile(url))
    assert_fits(view)


def assert_on_screen(locator) -> dict:
    """Visible, and inside the page's width (not cut off at the right edge)."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = locator.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (box, width)
    return box


def count_of(text: str) -> int:
    m = re.search(r"(\d[\d,]*)件", text)
    assert m, f"no count in {text!r}"
    return int(m.group(1).replace(",", ""))


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def copy_citation(page) -> str:
    page.click("button[data-copy-target='cite-plain']")
    expect(page.locator(".record-cite .copy-status")).to_have_text("コピーしました")
    return clipboard(page)


def copy_selection(page) -> str:
    """Copy the current selection's citation with the selection bar's button (on screen), as a reader does."""
    button = page.locator(".selection-cite button")
    assert_on_screen(button)
    button.click()
    expect(page.locator(".selection-cite .copy-status")).to_have_text("コピーしました")
    return clipboard(page)


# ---- a. find a measure with its KPI and deadline ------------------------------------------

def test_a_find_a_measure_with_its_kpi_and_deadline(view):
    page = view.page
    view.goto("/")
    view.shot("overview")
    assert_fits(view)
    submit(view, "#q", "交通空白", r"/search\?q=")
    view.shot("search")
    link = page.locator(f"ol.result-list a.result-title[href='{TRANSPORT}']")
    assert_on_screen(link.first)
    link.first.click()
    page.wait_for_url(f"**{TRANSPORT}")
    assert_fits(view)

    kpi = page.locator(".kpis-table tbody tr").first
    kpi.scroll_into_view_if_needed()
    assert_on_screen(kpi)
    wording, metric, deadline = (kpi.locator("td").nth(i) for i in range(3))
    assert "交通空白" in wording.inner_text()
    assert "2027年度" in deadline.inner_text()
    # The KPI never wraps at two or three characters a line: each cell holds at least ten.
    for cell in (wording, metric, deadline):
        assert_on_screen(cell)
        width, em = cell.evaluate("e => { const s = getComputedStyle(e); return [e.clientWidth -"
                                  " parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), parseFloat(s.fontSize)]; }")
        assert width >= 10 * em, f"a KPI cell holds {width:.0f} px of text ({width / em:.1f} characters a line)"
    view.shot("record-measure")
    view.assert_clean()


# ---- b. compare 列島改造論, 1.0 and 2.0 on a theme -----------------------------------------

def test_b_compare_the_eras_on_a_theme(view):
    page = view.page
    view.goto("/compare")
    submit(view, "#theme", "GX", r"theme=GX")
    cols = page.locator(".era-columns section.era-col")
    assert cols.locator("h3").all_inner_texts() == ["日本列島改造論", "地方創生1.0", "地方創生2.0"]
    # The eras that never addressed GX say so, rather than offering something to cite.
    for i in (0, 1):
        expect(cols.nth(i).locator(".theme-none")).to_contain_text("該当なし")
        assert cols.nth(i).locator("ol.theme-hits li").count() == 0
    assert cols.nth(2).locator("ol.theme-hits li").count() >= 1
    expect(cols.nth(2)).not_to_contain_text("該当なし")

    # The comparison table shows its three eras; on a phone it scrolls inside its box, with a cue.
    table = page.locator("table.compare-table")
    heads = table.locator("thead th:not(.row-head) .era-name").all_inner_texts()
    assert len(heads) == 3
    box = page.locator(".table-scroll:has(table.compare-table)")
    box.scroll_into_view_if_needed()
    if view.phone:
        scroll, client = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroll > client, "the three eras do not fit 390 px: the table must scroll inside its box"
        cue = box.evaluate("e => getComputedStyle(e, '::before').content")
        assert "横にスクロールできます" in cue, cue
        cue_box = box.evaluate("e => e.getBoundingClientRect().toJSON()")
        assert cue_box["right"] <= PHONE_WIDTH
        # Scrolled to the right end, the 2.0 column comes into view and the row names stay.
        box.evaluate("e => { e.scrollIntoView({block: 'start'}); e.scrollLeft = e.scrollWidth; }")
        last = assert_on_screen(table.locator("thead th.era-2-0"))
        row_name = assert_on_screen(table.locator("tbody th.row-head").first)
        assert row_name["x"] + row_name["width"] <= last["x"] + 1, "the row names stay at the left edge"
    else:
        for th in table.locator("thead th:not(.row-head)").all():
            assert_on_screen(th)
    view.goto("/compare?theme=デジタル")
    assert_fits(view)
    view.shot("compare-digital")
    view.assert_clean()


# ---- c. cite a case study -------------------------------------------------------------------

def test_c_cite_a_case_study(view):
    page = view.page
    view.goto(KYOMARUEN)
    assert_fits(view)
    button = page.locator("button[data-copy-target='cite-plain']")
    box = assert_on_screen(button)
    if view.phone:
        assert box["height"] >= TAP
    copied = copy_citation(page)
    assert "農福連携" in copied
    assert copied.startswith("内閣官房")
    assert "地方創生2.0基本構想" in copied
    assert copied.endswith(view.base_url + KYOMARUEN)
    view.shot("record-case")
    view.assert_clean()


# ---- d. export every target due by 2030 --------------------------------------------------

def test_d_export_every_target_due_by_2030(view):
    page = view.page
    view.goto("/targets?deadline_to=2030")
    assert_fits(view)
    shown = count_of(page.locator(".results-title-sm").inner_text())
    rows = page.locator("table.targets-table tbody tr")
    assert rows.count() == shown > 5
    first = rows.first
    assert_on_screen(first)
    if view.phone:  # each KPI is one card, its values labelled, never a column of two characters
        assert first.bounding_box()["width"] >= PHONE_WIDTH - 60
        label = first.locator("td").nth(6).evaluate("e => getComputedStyle(e, '::before').content")
        assert "期限年" in label
    link = page.locator("a", has_text="CSVで保存")
    assert_on_screen(link.first)
    with page.expect_download() as info:
        link.first.click()
    table = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    assert len(body) == shown
    years = [int(r[header.index("期限年")]) for r in body]
    assert max(years) <= 2030
    view.goto("/targets")
    assert_fits(view)
    view.shot("targets")
    view.assert_clean()


# ---- e. find a prefecture's cases on the map --------------------------------------------

def test_e_find_a_prefectures_cases(view):
    page = view.page
    view.goto("/cases")
    assert_fits(view)
    view.shot("cases")
    tile = page.locator("svg.tilemap a.tile[data-pref='島根県']")
    expected = int(tile.locator("text.tile-count").text_content())
    if view.phone:
        # Tiles are too small to tap at 390 px: the prefecture list comes right below the map.
        item = page.locator(".facet[aria-labelledby='facet-prefecture'] a:has(.facet-label:text-is('島根県'))")
        item.scroll_into_view_if_needed()
        box = assert_on_screen(item)
        assert box["height"] >= TAP and box["width"] >= TAP
        heights = page.locator(".facet[aria-labelledby='facet-prefecture'] li a").evaluate_all(
            "els => els.map(a => a.getBoundingClientRect().height)")
        assert len(heights) >= 20 and min(heights) >= TAP, heights
        map_box = page.locator("svg.tilemap").bounding_box()
        list_box = page.locator("section.case-list").first.bounding_box()
        assert map_box["y"] + map_box["height"] <= box["y"] < list_box["y"], "the list sits between map and cases"
        item.tap()
    else:
        tile.click()
    page.wait_for_url(re.compile(r"prefecture="))
    cases = page.locator(".case-list li.case")
    assert cases.count() == expected >= 1
    places = cases.locator(".case-place").all_inner_texts()
    assert all("島根県" in p for p in places), places
    assert_on_screen(cases.first.locator(".case-title"))
    assert_fits(view)
    view.shot("cases-shimane")
    view.assert_clean()


# ---- f. cite a number from the data slides -----------------------------------------------

def test_f_cite_a_number_from_the_data_slides(view):
    page = view.page
    view.goto(DATA)
    assert_fits(view)
    copied = copy_citation(page)
    assert "11.5万人" in copied
    assert "住民基本台帳人口移動報告" in copied
    assert copied.endswith(view.base_url + DATA)
    view.goto(READER)
    assert_fits(view)
    view.shot("reader")
    view.assert_clean()


# ---- g. a plain-language query ----------------------------------------------------------

def test_g_plain_language_query(view):
    page = view.page
    view.goto("/")
    submit(view, "#q", "バスがなくなって病院に行けない", r"/search\?q=")
    top = page.locator("ol.result-list li.result").all()[:5]
    transport = [r for r in top
                 if r.locator(".badge").first.inner_text() == "施策" and "交通" in r.locator("a.result-title").inner_text()]
    assert transport, "no 交通 measure in the first five results"
    why = transport[0].locator(".why")
    assert_on_screen(why)
    reason = why.inner_text()
    assert "バス" in reason, reason                      # the words as the user typed them
    assert not re.search(r"為る|有る|成る|居る", reason), reason  # never a dictionary form of a function word
    view.assert_clean()


# ---- h. bad input --------------------------------------------------------------------------

def test_h_bad_input(view):
    page = view.page
    view.goto("/")
    page.press("#q", "Enter")          # an empty box, sent on purpose
    page.wait_for_url(re.compile(r"/search\?q="))
    alert = page.locator("[role=alert]")
    assert_on_screen(alert)
    assert "検索語を入力してください" in alert.inner_text()
    examples = page.locator(".examples a")
    assert examples.count() >= 3
    assert_on_screen(examples.first)
    assert_fits(view)
    view.shot("empty-query")

    page.fill("#q", "交通" * 5000)
    page.press("#q", "Enter")
    page.wait_for_load_state()
    view.expect_status(400)
    message = page.locator(".error-message")
    assert_on_screen(message)
    assert "長すぎます" in message.inner_text() and "10,000文字" in message.inner_text()
    # The message sits with the form to correct it, and the heading does not fill the screen.
    expect(page.locator("form.search-form #q")).to_be_visible()
    assert page.locator("h1").bounding_box()["height"] < 120
    assert_fits(view)
    view.shot("long-query")
    view.assert_clean()


# ---- keyboard: the skip link and the first result ---------------------------------------

def test_keyboard_reaches_the_first_result_in_a_few_presses(view):
    page = view.page
    view.goto("/search?q=交通空白")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "検索結果へ移動"
    assert_on_screen(skip)                  # the skip link shows itself when focused
    outline = skip.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.boxShadow, s.backgroundColor]; }")
    assert outline[0] != "none" or outline[1] != "none", outline
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results-h"
    first = page.locator("ol.result-list a.result-title").first
    presses = 0
    while presses < 6 and not first.evaluate("e => e === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    assert first.evaluate("e => e === document.activeElement"), "the first result is not reached in 6 Tab presses"
    # The CSV and JSON links come first (and the 絞り込み link, shown on narrow screens only).
    assert presses <= (4 if view.phone else 3), presses
    style = first.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.boxShadow, s.backgroundColor]; }")
    assert style[0] != "none" or style[1] != "none", f"no visible focus on the first result: {style}"
    assert_on_screen(first)
    view.shot("search-keyboard")
    view.assert_clean()


# ==== issue 21: the second round of tasks, each failure asserted as a person sees it ================

OFFICIAL = "https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html"


def flat(locator) -> str:
    """A element's visible text without spaces (a phrase and its basis sit in separate inline elements)."""
    return re.sub(r"\s+", "", locator.inner_text())


@pytest.fixture(scope="module")
def warm_model(engine):
    """Load the model before the browser asks (a record page's similar records need it), as `serve` does at start:
    on a loaded machine a cold load alone can pass the 15 s page timeout."""
    engine.search("交通", k=1)


def test_i21_deadlines_are_shown_as_written_with_their_basis(view, warm_model):
    page = view.page
    view.goto("/search?q=交通空白&mode=keyword")  # keyword: no model to warm up
    chip = page.locator("ol.result-list li.result", has=page.locator(f"a.result-title[href='{TRANSPORT}']"))
    chip = chip.first.locator(".meta-deadline")
    assert_on_screen(chip)
    assert flat(chip) == "期限集中対策期間（2025年度～2027年度）〔会計年度〕"   # not 「期限 2027年」
    assert_fits(view)
    view.shot("i21-search-chips")

    # The measure page: the phrase once, the filter year with its basis, never 「2025年度中（2025年）」.
    view.goto(TRANSPORT)
    cell = page.locator(".kpis-table tbody tr td").nth(2)
    cell.scroll_into_view_if_needed()
    assert_on_screen(cell)
    assert flat(cell) == "集中対策期間（2025年度～2027年度）期限年2027年度（会計年度）"
    assert "（2027年）" not in page.locator("main").inner_text()

    # The timeline groups 2027年度 and 2027年 under one year and says how many of each.
    view.goto("/targets")
    year = page.locator(".timeline-year", has=page.locator(".year", has_text="2027年"))
    year.scroll_into_view_if_needed()
    assert_on_screen(year.locator("h3"))
    assert re.search(r"会計年度\d+件・期間の最終年\d+件", flat(year.locator("h3")))
    assert "〔会計年度〕" in year.locator("ul").inner_text()
    assert_fits(view)
    view.assert_clean()


def test_i21_search_csv_has_deadline_basis_and_value(view):
    page = view.page
    view.goto("/search?q=交通空白&mode=keyword")  # keyword: no model to warm up
    with page.expect_download() as info:
        page.locator(".downloads a", has_text="CSVで保存").click()
    table = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"), newline="")))
    gaps = next(r for r in table if r["ID"] == "target-1-transport-gaps")
    assert (gaps["期限"], gaps["期限の基準"]) == ("集中対策期間（2025年度～2027年度）", "会計年度")
    assert "約2,000地区" in gaps["値"]
    view.assert_clean()


def test_i21_choose_a_deadline_range_by_keyboard_or_phone(view):
    page = view.page
    view.goto("/targets")
    start, end = page.get_by_label("開始年"), page.get_by_label("終了年")
    assert_on_screen(start)
    if view.phone:   # a phone's picker: big enough to tap, chosen by value
        for control in (start, end, page.get_by_role("button", name="この範囲で絞り込む")):
            assert control.bounding_box()["height"] >= TAP
        start.select_option("2025")
        end.select_option("2030")
        page.get_by_role("button", name="この範囲で絞り込む").tap()
    else:            # keyboard only: focus, type the year, Tab on, Enter on the button
        start.focus()
        page.keyboard.type("2025")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "deadline_to"
        page.keyboard.type("2030")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "この範囲で絞り込む"
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"deadline_to=2030"))
    assert view.query() == {"deadline_from": ["2025"], "deadline_to": ["2030"]}
    shown = count_of(page.locator(".results-title-sm").inner_text())
    years = [int(y) for y in page.locator("table.targets-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.children[6].getAttribute('data-sort-value'))")]
    assert len(years) == shown > 5 and min(years) >= 2025 and max(years) <= 2030
    # Still chosen after the page reloads, and the year pills inside the range are marked.
    assert start.input_value() == "2025" and end.input_value() == "2030"
    assert page.locator(".facet-inline a.pill.selected", has_text="2030年").count() == 1
    assert_fits(view)
    view.shot("i21-targets-range")

    # The same control on /search, keeping the other filters; an old single-year link still works.
    view.goto("/search?kind=target&deadline_year=2030")
    start, end = page.get_by_label("開始年"), page.get_by_label("終了年")
    assert start.input_value() == "2030" and end.input_value() == "2030"
    start.select_option("2026")
    page.get_by_role("button", name="この範囲で絞り込む").click()
    page.wait_for_url(re.compile(r"deadline_from=2026"))
    assert view.query() == {"kind": ["target"], "deadline_from": ["2026"], "deadline_to": ["2030"]}
    expect(page.locator(".chips")).to_contain_text("2026年〜2030年")
    assert_fits(view)
    view.assert_clean()


def test_i21_case_plain_copy_carries_the_official_url(view):
    page = view.page
    view.goto(KYOMARUEN)
    copied = copy_citation(page)
    assert f"（{OFFICIAL}）" in copied
    assert copied.endswith(view.base_url + KYOMARUEN)
    view.assert_clean()


def test_i21_a_selected_sentence_keeps_its_statistical_source(view):
    page = view.page
    view.goto(DATA)
    para = page.locator(".record-body blockquote p", has_text="11.5万人").first
    para.scroll_into_view_if_needed()
    page.evaluate("""(el) => { const r = document.createRange(); r.selectNodeContents(el);
                     const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }""", para.element_handle())
    copied = copy_selection(page)
    assert "11.5万人" in copied
    assert "（原資料：総務省「住民基本台帳人口移動報告」" in copied
    assert copied.endswith(view.base_url + DATA)
    view.assert_clean()


def test_i21_home_page_says_what_is_inside(view):
    page = view.page
    view.goto("/")
    lead = page.locator(".hero .lead")
    assert "関係法令21法令" in lead.inner_text()
    statutes = page.locator(".corpus-statutes")
    statutes.scroll_into_view_if_needed()
    assert_on_screen(statutes.locator("h3"))
    assert "21法令" in statutes.locator("h3").inner_text()
    counts = page.locator(".kind-counts li").all_inner_texts()
    assert counts and not any(re.search(r"(?<![\d,])0\s*件", c) for c in counts), counts   # no 「本文 0件」
    assert any("条文" in c for c in counts)
    footer = page.locator(".site-footer").inner_text()
    assert "関係法令21法令" in footer and "同資料の原文" not in footer
    assert_fits(view)
    view.shot("i21-home")

    # The law reader's title is a heading, not 「# 地域再生法」; /api shows code, not backticks.
    view.goto("/search?q=地域再生法&kind=article&mode=keyword")
    page.locator("ol.result-list a.result-title").first.click()
    page.wait_for_url(re.compile(r"/records/"))
    page.locator(".record-section a.source-link, a.source-link").first.click()
    page.wait_for_url(re.compile(r"/sources/"))
    title = page.locator(".doc-text h2.doc-title").first
    expect(title).to_be_visible()
    assert "#" not in page.locator(".doc-text").inner_text()[:200]
    view.goto("/api")
    assert "`" not in page.locator("main").inner_text()
    expect(page.locator(".api-table code", has_text="policykb search --json")).to_be_visible()
    assert_fits(view)
    view.assert_clean()


def test_i21_choosing_a_prefecture_moves_to_its_cases(view):
    page = view.page
    view.goto("/cases")
    lead = page.locator(".page-header .lead").inner_text()
    assert re.search(r"好事例 (\d+)件：都道府県のわかる事例 (\d+)件と、広域・地域名のみの事例 (\d+)件", lead), lead
    note = page.locator(".case-list .count-note")
    assert "広域・地域名のみの事例" in note.inner_text() and "合わせて" in note.inner_text()
    if view.phone:
        item = page.locator(".facet[aria-labelledby='facet-prefecture'] a:has(.facet-label:text-is('島根県'))")
        item.scroll_into_view_if_needed()
        item.tap()
    else:
        page.locator("svg.tilemap a.tile[data-pref='島根県']").click()
    page.wait_for_url(re.compile(r"prefecture=.*#list-h"))
    heading = page.locator("#list-h")
    expect(heading).to_contain_text("島根県の好事例")
    # The cases are on screen without scrolling: the heading is in the viewport, the first case below it.
    box = heading.bounding_box()
    height = page.viewport_size["height"]
    assert 0 <= box["y"] < height / 2, f"the list heading is at {box['y']:.0f} px, screen {height} px"
    first = page.locator(".case-list li.case").first
    assert first.bounding_box()["y"] < height
    assert_fits(view)
    view.shot("i21-cases-chosen")
    view.assert_clean()


def test_i21_search_box_says_how_long_a_query_may_be(view):
    page = view.page
    view.goto("/")
    hint = page.locator("#q-limit")
    assert_on_screen(hint)
    assert "1,000文字まで" in hint.inner_text()
    page.fill("#q", "地方創生" * 300)          # 1,200 characters, before sending
    expect(hint).to_contain_text("1,200文字です")
    expect(hint).to_contain_text("200文字減らして")
    assert page.get_attribute("#q", "aria-invalid") == "true"
    page.fill("#q", "交通空白")
    expect(hint.locator(".search-limit-count")).to_have_text("")
    assert_fits(view)
    view.assert_clean()


# ---- issue 21, second round: what a person saw fail, asserted as they see it ---------------------

def test_i21_compare_never_denies_what_its_own_table_says(view):
    page = view.page
    view.goto("/compare")
    submit(view, "#theme", "交通", r"theme=")
    cols = page.locator(".era-columns section.era-col")
    kaizoron = cols.nth(0)
    # The table's own 列島改造論 row lists 高速道路・新幹線: the theme box shows that row, not 「該当なし」.
    row = page.locator("table.compare-table tbody tr", has_text="施策の手法").locator("td").nth(0)
    assert "高速道路・新幹線" in row.inner_text()
    expect(kaizoron).not_to_contain_text("該当なし")
    hit = kaizoron.locator("ol.theme-hits li").first
    assert_on_screen(hit)
    assert "施策の手法・考え方" in hit.inner_text() and "高速道路・新幹線" in hit.inner_text()
    assert hit.locator("mark").count() >= 1
    view.shot("i21-compare-transport")
    # 観光: 2.0 says インバウンドの地方誘客; 移住: 2.0 has 人の流れ・地方分散; 1.0 never spoke of 観光.
    view.goto("/compare?theme=観光")
    two = cols.nth(2)
    expect(two).not_to_contain_text("該当なし")
    expect(two.locator("ol.theme-hits")).to_contain_text("インバウンドの地方誘客")
    expect(cols.nth(1).locator(".theme-none")).to_contain_text("該当なし")
    view.goto("/compare?theme=移住")
    expect(cols.nth(2)).not_to_contain_text("該当なし")
    assert cols.nth(2).locator("ol.theme-hits li").count() >= 1
    assert_fits(view)
    view.assert_clean()


def test_i21_laws_not_on_this_server_is_a_note_not_an_error(view, warm_model):
    page = view.page
    for query in ("q=補助金の交付&collection=laws", "q=補助金の交付&collection=laws&collection=regional"):
        view.goto(f"/search?{query}")
        note = page.locator(".notice.unavailable-collection")
        assert_on_screen(note)
        assert note.inner_text() == "全法令はこのサーバーには収録されていません。地域政策の資料から検索した結果を表示しています。"
        assert page.locator("ol.result-list li.result").count() >= 1
        main = page.locator("main").inner_text()
        assert "`" not in main and "policykb" not in main and "入力内容を確認" not in main
        assert_fits(view)
    view.shot("i21-laws-not-here")
    # Every example the /api page offers answers, on this server as it is.
    view.goto("/api")
    links = page.locator("main a[href^='/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 8
    for href in links:
        resp = page.request.get(href)
        assert resp.status == 200, (href, resp.status)
    view.assert_clean()


def test_i21_invisible_characters_and_queries_without_a_word(view, warm_model):
    page = view.page
    view.goto("/")
    # A zero-width space pasted inside 交通空白 finds 交通空白, with no 「「交」「」「白」…」 notice.
    submit(view, "#q", "交通\u200b空白", r"/search\?")
    expect(page.locator("h1.results-title .q")).to_have_text("交通空白")
    assert page.locator(".notice.absent-terms").count() == 0
    expect(page.locator("ol.result-list li.result").first).to_contain_text("交通空白")
    for query in ("😀🙂", "\u200b\u200b", "a", "。、！？"):
        page.fill("#q", query)
        page.press("#q", "Enter")
        page.wait_for_load_state()
        message = page.locator(".no-words")
        assert_on_screen(message)
        assert "検索できる語句が含まれていません" in message.inner_text()
        assert page.locator("ol.result-list li.result").count() == 0   # not 40 unrelated 附則
        assert "附則" not in page.locator("main").inner_text()
        example = message.locator(".example-queries a").first
        assert_on_screen(example)
        assert_fits(view)
    view.shot("i21-no-words")
    # An example gets a real search.
    page.locator(".no-words .example-queries a", has_text="交通空白").click()
    page.wait_for_url(re.compile(r"q=%E4%BA%A4"))
    assert page.locator("ol.result-list li.result").count() >= 1
    view.assert_clean()


def test_i21_a_sentence_selected_in_the_reader_keeps_its_statistical_source(view):
    page = view.page
    view.goto(f"{READER}#q-data-tokyo-net-inflow-age-2")
    mark = page.locator("#q-data-tokyo-net-inflow-age-2")
    page.evaluate("""(el) => { const node = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
                     const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, node.textContent.length);
                     const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }""", mark.element_handle())
    copied = copy_selection(page)
    assert "「○ 2023年の東京圏の転入超過数は11.5万人。」" in copied
    assert "（原資料：総務省「住民基本台帳人口移動報告」（日本人移動者）を基に作成）" in copied
    assert f"（{OFFICIAL}）" in copied and copied.endswith(view.base_url + DATA)
    assert_fits(view)
    view.assert_clean()
