"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright) against the real server.

The flows an official goes through: search, filter by facets, open a record and follow a
cross-reference, copy a citation, download CSV, click a prefecture on the case map, sort
the KPI table, compare the eras by theme. Every page visited must load without console
errors, uncaught exceptions, failed same-origin responses or Content-Security-Policy
violations. Screenshots go to the test's tmp_path (look at them; they are not compared).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.support import CHROMIUM, MISSING_CHROMIUM, SAKAI_CASE, TRANSPORT_MEASURE, count_of, facet_link, result_hrefs


def test_chromium_is_installed():
    """A missing browser is a failure (reported here as FAILED, the browser tests as ERROR), never a skip."""
    assert CHROMIUM.exists(), MISSING_CHROMIUM



def test_search_from_the_box_highlights_and_ranks_the_measure_first(tab):
    page = tab.page
    tab.goto("/")
    assert page.locator("h1").count() >= 1
    tab.shot("overview")

    page.fill("#q", "交通空白 対策")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url(re.compile(r"/search\?"))
    assert tab.query()["q"] == ["交通空白 対策"]
    assert tab.query().get("mode", ["hybrid"]) == ["hybrid"]
    assert page.locator("#q").input_value() == "交通空白 対策"   # the box keeps the query

    results = page.locator("ol.result-list li.result")
    assert results.count() == 10
    first = results.first
    assert first.locator("a.result-title").get_attribute("href") == TRANSPORT_MEASURE
    assert "交通空白" in first.locator("a.result-title").inner_text()
    assert first.locator(".badge").inner_text() == "施策"
    marks = first.locator(".snippet mark").all_inner_texts()
    assert "交通空白" in marks, marks
    assert all(m in ("交通空白", "交通", "空白", "対策") for m in marks), marks
    assert page.locator(".snippet mark").count() >= 10
    assert "一致の理由" in first.locator(".why").inner_text()
    assert count_of(page.locator(".results-count").inner_text()) > 10
    tab.shot("search")

    # Switching the mode re-runs the query (small JS) and keeps it in the URL.
    page.check("input[name=mode][value=keyword]")
    page.wait_for_url(re.compile(r"mode=keyword"))
    assert tab.query()["q"] == ["交通空白 対策"]
    assert page.locator("ol.result-list li.result").count() > 0
    tab.assert_clean()


def test_facet_links_filter_and_keep_each_other(tab):
    page = tab.page
    tab.goto("/search?q=交通空白")
    case_link = facet_link(page, "kind", "好事例")
    expected = count_of(case_link.locator(".count").inner_text())
    assert expected >= 2
    case_link.click()
    page.wait_for_url(re.compile(r"kind=case"))
    assert tab.query() == {"q": ["交通空白"], "kind": ["case"]}
    badges = page.locator("ol.result-list li.result .result-head .badge")
    # A facet's count is exactly what clicking it returns.
    total = count_of(page.locator(".results-count").inner_text())
    assert total == expected
    assert badges.count() == min(total, 10)
    assert set(badges.all_inner_texts()) == {"好事例"}
    assert badges.evaluate_all("els => els.every(b => b.classList.contains('badge-case'))")
    assert facet_link(page, "kind", "好事例").get_attribute("aria-current") == "true"

    # A second facet (the first prefecture offered) keeps the first one.
    pref_link = page.locator("section.facet:has(h3#facet-prefecture) li a").first
    pref = pref_link.locator(".facet-label").inner_text().strip()
    pref_count = count_of(pref_link.locator(".count").inner_text())
    pref_link.click()
    page.wait_for_url(re.compile(r"prefecture="))
    q = tab.query()
    assert q["q"] == ["交通空白"] and q["kind"] == ["case"] and q["prefecture"] == [pref]
    results = page.locator("ol.result-list li.result")
    assert pref_count == count_of(page.locator(".results-count").inner_text()) <= 10
    assert results.count() == count_of(page.locator(".results-count").inner_text())
    assert set(page.locator("ol.result-list .result-head .badge").all_inner_texts()) == {"好事例"}
    for meta in results.locator(".meta").all_inner_texts():
        assert pref in meta, (pref, meta)
    chips = page.locator(".chips a.chip").all_inner_texts()
    assert len(chips) == 2 and any("好事例" in c for c in chips) and any(pref in c for c in chips), chips
    # Removing the kind chip keeps the prefecture.
    page.locator(".chips a.chip", has_text="好事例").click()
    page.wait_for_url(lambda url: "kind=" not in url)
    assert tab.query()["prefecture"] == [pref]
    tab.shot("search-filtered")
    tab.assert_clean()


def test_record_cross_reference_and_back(tab):
    page = tab.page
    tab.goto("/search?q=交通空白 対策")
    page.locator("ol.result-list li.result a.result-title").first.click()
    page.wait_for_url(re.compile(re.escape(TRANSPORT_MEASURE) + "$"))
    title = page.locator("h1.record-title").inner_text()
    assert "交通空白" in title
    assert page.locator("blockquote.source-text").inner_text().strip()
    assert page.locator(".xref-group").count() >= 3
    tab.shot("record-measure")

    case_link = page.locator(f".xref-case a[href='{SAKAI_CASE}']")
    assert case_link.count() == 1, "the 交通空白 measure should list the 境町 自動運転バス case"
    case_link.click()
    page.wait_for_url(re.compile(re.escape(SAKAI_CASE) + "$"))
    assert page.locator("h1.record-title").inner_text() == "自動運転バス"
    assert page.locator(".badge").first.inner_text() == "好事例"
    assert "境町" in page.locator(".record-facts").inner_text()
    # The case points back to the measure it illustrates.
    back_link = page.locator(f".xref-measure a[href='{TRANSPORT_MEASURE}']")
    assert back_link.count() == 1
    tab.shot("record-case")

    page.go_back()
    page.wait_for_url(re.compile(re.escape(TRANSPORT_MEASURE) + "$"))
    assert page.locator("h1.record-title").inner_text() == title
    back_link_page = page.locator(f".xref-case a[href='{SAKAI_CASE}']")
    assert back_link_page.count() == 1
    tab.assert_clean()


def test_copy_citation_plain_and_markdown(tab):
    page = tab.page
    tab.goto(TRANSPORT_MEASURE)
    citation = page.request.get(f"/api{TRANSPORT_MEASURE}").json()["record"]["citation"]

    buttons = page.locator(".record-cite .copy-buttons")
    assert buttons.is_visible(), "JS should reveal the copy buttons"
    shown = page.locator("#cite-plain").text_content()
    # The page puts its base URL in front of the citation's permalink path.
    assert shown == citation["text"].replace(citation["permalink"], tab.base_url + citation["permalink"])
    status = buttons.locator(".copy-status")
    assert status.text_content() == ""

    page.click("button[data-copy-target='cite-plain']")
    page.wait_for_function("document.querySelector('.record-cite .copy-status').textContent !== ''")
    assert status.text_content() == "コピーしました"
    assert page.evaluate("navigator.clipboard.readText()") == shown

    page.click("button[data-copy-target='cite-md']")
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.startsWith('> '))")
    assert page.evaluate("navigator.clipboard.readText()") == \
        citation["markdown"].replace(citation["permalink"], tab.base_url + citation["permalink"])
    assert status.text_content() == "コピーしました"
    tab.assert_clean()


def test_download_csv_of_the_results_page(tab):
    page = tab.page
    tab.goto("/search?q=交通空白")
    hrefs = result_hrefs(page)
    assert len(hrefs) == 10
    link = page.locator("a", has_text="結果をすべてCSVで保存")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "policykb-search.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 BOM (Excel)"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["順位", "ID", "種別", "タイトル", "政策の柱", "時代", "地域", "期限", "期限の基準", "値", "節", "抜粋",
                       "スコア", "URL", "引用"]
    url, cite = rows[0].index("URL"), rows[0].index("引用")
    total = int(re.search(r"([\d,]+)件", page.locator(".results-count").inner_text()).group(1).replace(",", ""))
    assert len(rows) - 1 == total > len(hrefs)  # every row of the result, not the page
    body = rows[1:len(hrefs) + 1]
    assert [r[0] for r in body] == [str(n) for n in range(1, len(hrefs) + 1)]
    assert [urlsplit(r[url]).path for r in body] == hrefs
    assert [f"/records/{r[1]}" for r in body] == hrefs
    titles = page.locator("ol.result-list a.result-title").all_inner_texts()
    assert [r[3] for r in body] == titles
    # The citation names the source: the seed's publisher, or the statute's own title.
    assert all(r[cite].startswith("内閣官房") if not r[1].startswith("law-") else r[cite].startswith(r[3].split()[0])
               for r in body)

    # Page 2 shows ranks 11–20 of the same export.
    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    hrefs2 = result_hrefs(page)
    with page.expect_download() as info:
        page.locator("a", has_text="結果をすべてCSVで保存").click()
    rows2 = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"), newline="")))
    assert rows2 == rows
    assert [f"/records/{r[1]}" for r in rows2[11:11 + len(hrefs2)]] == hrefs2
    tab.assert_clean()


def test_case_map_click_prefecture(tab):
    page = tab.page
    tab.goto("/cases")
    assert page.locator("svg.tilemap a.tile").count() == 47
    tab.shot("cases")
    tile = page.locator("svg.tilemap a.tile[data-pref='島根県']")
    on_tile = int(tile.locator("text.tile-count").text_content())
    assert on_tile >= 1
    tile.click()
    page.wait_for_url(re.compile(r"prefecture="))
    assert tab.query() == {"prefecture": ["島根県"]}
    cases = page.locator(".case-list li.case")
    assert cases.count() == on_tile
    places = cases.locator(".case-place").all_inner_texts()
    assert places and all("島根県" in p for p in places), places
    assert count_of(page.locator("#list-h .count").inner_text()) == on_tile
    selected = page.locator("svg.tilemap a.tile.selected")
    assert selected.count() == 1 and selected.get_attribute("data-pref") == "島根県"
    assert int(selected.locator("text.tile-count").text_content()) == on_tile
    assert "島根県" in page.locator(".map-selected").inner_text()
    tab.shot("cases-shimane")

    # Clicking the selected tile again clears the filter.
    selected.click()
    page.wait_for_url(lambda url: "prefecture=" not in url)
    assert page.locator("svg.tilemap a.tile.selected").count() == 0
    tab.assert_clean()


def test_targets_sort_by_deadline_year(tab):
    page = tab.page
    tab.goto("/targets")
    tab.shot("targets")
    rows = page.locator("table.targets-table tbody tr")
    n = rows.count()
    assert n >= 20
    headers = page.locator("table.targets-table thead th").evaluate_all(
        "ths => ths.map(th => th.getAttribute('data-sort-key'))")
    col = headers.index("deadline_year")

    def years() -> list[str]:
        return rows.evaluate_all(f"trs => trs.map(tr => tr.children[{col}].getAttribute('data-sort-value'))")

    def in_order(values: list[str], descending: bool) -> bool:
        dated = [int(v) for v in values if v]
        blanks_last = values == [v for v in values if v] + [v for v in values if not v]
        return blanks_last and dated == sorted(dated, reverse=descending)

    assert not in_order(years(), False), "the default (document) order should not already be by year"
    th = page.locator("th[data-sort-key='deadline_year']")
    th.locator("a").click()
    page.wait_for_function("document.querySelector(\"th[data-sort-key='deadline_year']\")"
                           ".getAttribute('aria-sort') === 'ascending'")
    assert rows.count() == n
    values = years()
    assert in_order(values, False), values
    assert len({v for v in values if v}) >= 3
    assert tab.query().get("sort") == ["deadline_year"] and "order" not in tab.query()
    # The in-page sort gives the same rows in the same order as the server's sort (the shareable URL).
    server = page.request.get("/targets.json?sort=deadline_year").json()["targets"]
    shown = page.locator("table.targets-table tbody a.target-wording").evaluate_all(
        "els => els.map(a => a.getAttribute('href'))")
    assert shown == [t["url"] for t in server]

    th.locator("a").click()
    page.wait_for_function("document.querySelector(\"th[data-sort-key='deadline_year']\")"
                           ".getAttribute('aria-sort') === 'descending'")
    assert in_order(years(), True), years()
    assert tab.query().get("order") == ["desc"]
    tab.shot("targets-sorted")

    # Reloading the rewritten URL sorts on the server the same way.
    page.reload()
    assert in_order(years(), True)
    tab.assert_clean()


def test_compare_by_theme(tab):
    page = tab.page
    tab.goto("/compare")
    assert page.locator("table.compare-table tbody tr").count() >= 3
    page.fill("#theme", "デジタル")
    page.click("form.theme-form button[type=submit]")
    page.wait_for_url(re.compile(r"theme="))
    assert tab.query() == {"theme": ["デジタル"]}
    cols = page.locator(".era-columns section.era-col")
    assert cols.count() == 3
    assert cols.locator("h3").all_inner_texts() == ["日本列島改造論", "地方創生1.0", "地方創生2.0"]
    # 列島改造論 never spoke of デジタル (hand labels, tests/gold/compare_themes.jsonl): it says so.
    assert cols.nth(0).locator("ol.theme-hits li").count() == 0
    assert "該当なし" in cols.nth(0).inner_text()
    for i in (1, 2):
        hits = cols.nth(i).locator("ol.theme-hits li")
        assert hits.count() >= 1, f"column {i} is empty"
        assert hits.first.locator("a").get_attribute("href").startswith("/records/")
    assert page.locator(".era-columns .snippet mark").count() >= 1
    tab.shot("compare-digital")
    tab.assert_clean()


def test_csp_violations_are_caught(tab):
    """The watchdog itself: an inline script (forbidden by the CSP) must show up as a problem."""
    page = tab.page
    tab.goto("/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__x = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__x") is None, "the CSP should block inline scripts"
    assert any("CSP violation" in p for p in tab.problems), tab.problems


# ---- source reader and selection citations ------------------------------------------------
# An official opens a record, clicks 「原文で見る」 and lands on the quote highlighted in the
# whole document; selects a sentence there (or on the record page) and copies a citation of
# exactly that sentence with its source and a link back. At desktop width and at 390 px.

