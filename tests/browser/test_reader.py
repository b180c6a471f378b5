"""The source reader and selection citations in the browser: a record opens the reader at its quote,
a selected sentence is copied with its source, and the reader works on a phone."""

from __future__ import annotations

DATA = "/records/data-tokyo-net-inflow-age"
READER = "/sources/chihou-sousei-2.0"
FIGURE = "○ 2023年の東京圏の転入超過数は11.5万人。"
HEAD = ("内閣官房 新しい地方経済・生活環境創生本部事務局『地方創生2.0基本構想（概要）及び関連資料 ― "
        "東京一極集中の現状、日本列島改造論／地方創生1.0／地方創生2.0の比較表、好事例』（令和7年（2025年）6月13日）")

ORIGIN = "総務省「住民基本台帳人口移動報告」（日本人移動者）を基に作成"
OFFICIAL = "https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html"

SELECT_TEXT_OF = """(sel) => {
  const el = document.querySelector(sel);
  const node = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange();
  range.setStart(node, 0); range.setEnd(node, node.textContent.length);
  const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
  return s.toString();
}"""


def _copy_selection(page) -> str:
    from playwright.sync_api import expect

    bar = page.locator(".selection-cite")
    bar.wait_for(state="visible")
    page.click(".selection-cite button")
    # (a locator assertion: polling a string expression would need eval, which the CSP forbids)
    expect(page.locator(".selection-cite .copy-status")).to_have_text("コピーしました")
    return page.evaluate("navigator.clipboard.readText()")


def test_record_opens_the_reader_at_its_quote_highlighted(tab):
    page = tab.page
    tab.goto(DATA)
    links = page.locator(".quote-list a.source-link")
    assert links.count() == 4
    assert page.locator(".record-section a.source-link").inner_text() == "原文で見る"
    links.nth(1).click()
    page.wait_for_url(f"**{READER}#q-data-tokyo-net-inflow-age-2")

    target = page.locator("mark.q:target")
    assert target.count() == 1
    assert FIGURE in target.inner_text()
    assert target.is_visible() and target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    other = page.locator("#q-data-tokyo-net-inflow-age-3")
    lit, plain = (el.evaluate("e => getComputedStyle(e).backgroundColor") for el in (target, other))
    assert lit != plain, "the quote the record points to is highlighted, its neighbour is not"

    # Every quote of every record is marked and links back to its record.
    # (a quote cut by a heading is marked in pieces; its anchor is on the first)
    quote_count = page.request.get(f"{READER}.json").json()["source"]["quote_count"]
    anchors = page.locator("mark.q[id^='q-']").evaluate_all("els => els.map(e => e.id)")
    pieces = page.locator("mark.q").evaluate_all("els => [...new Set(els.map(e => e.dataset.quote))]")
    assert len(anchors) == len(set(anchors)) == len(pieces) == quote_count > 600
    back = target.locator("a.q-link")
    assert back.get_attribute("href") == DATA
    # The table of contents follows the outline; the publication is linked.
    toc = page.locator(".reader-toc a")
    assert toc.first.inner_text() == "Ⅰ 東京一極集中の現状について"
    assert page.locator("a.official-link").get_attribute("href") == \
        "https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html"
    tab.shot("reader-desktop")
    page.locator(".reader-toc a", has_text="６．政策パッケージ").click()
    page.wait_for_url("**#sec-III.6")
    page.locator("#q-data-tokyo-net-inflow-age-2 a.q-link").click()
    page.wait_for_url(f"**{DATA}")
    tab.assert_clean()


def test_select_a_sentence_in_the_reader_and_copy_its_citation(tab):
    page = tab.page
    tab.goto(f"{READER}#q-data-tokyo-net-inflow-age-2")
    assert page.locator(".selection-cite").is_hidden()
    selected = page.evaluate(SELECT_TEXT_OF, "#q-data-tokyo-net-inflow-age-2")
    assert selected == FIGURE
    copied = _copy_selection(page)
    # The quote's record cites a statistical source: the selection keeps it, as on the record page.
    assert copied == (f"{HEAD}、Ⅰ 東京一極集中の現状について「{FIGURE}」（原資料：{ORIGIN}）（{OFFICIAL}）"
                      f"{tab.base_url}{DATA}")
    assert "11.5万人" in copied
    tab.assert_clean()


def test_select_a_sentence_on_the_record_page_and_copy_its_citation(tab):
    page = tab.page
    tab.goto(DATA)
    selected = page.evaluate(SELECT_TEXT_OF, f".record-body blockquote p:nth-child(2)")
    assert selected == FIGURE
    copied = _copy_selection(page)
    # On a record page the selection keeps the record's 原資料 and the official URL, as its whole citation does.
    assert copied == (f"{HEAD}、Ⅰ 東京一極集中の現状について「{FIGURE}」（原資料：{ORIGIN}）（{OFFICIAL}）"
                      f"{tab.base_url}{DATA}")
    tab.assert_clean()


def test_record_citation_button_copies_the_figures_with_a_full_link(tab):
    page = tab.page
    tab.goto(DATA)
    page.click("button[data-copy-target='cite-plain']")
    page.wait_for_function("document.querySelector('.record-cite .copy-status').textContent !== ''")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(HEAD)
    assert "2023年の東京圏の転入超過数は11.5万人" in copied
    assert "（原資料：総務省「住民基本台帳人口移動報告」（日本人移動者）を基に作成）" in copied
    assert copied.endswith(f"」（原資料：{ORIGIN}）（{OFFICIAL}）{tab.base_url}{DATA}")
    tab.assert_clean()


def test_reader_on_a_phone(phone):
    page = phone.page
    phone.goto(DATA)
    phone.shot("record-390")
    page.locator(".record-section a.source-link").click()
    page.wait_for_url(f"**{READER}#q-data-tokyo-net-inflow-age-1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling at 390 px"
    assert page.locator("mark.q:target").is_visible()
    page.evaluate(SELECT_TEXT_OF, "#q-data-tokyo-net-inflow-age-2")
    bar = page.locator(".selection-cite button")
    bar.wait_for(state="visible")
    box = bar.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(phone.shots / "reader-390.png"))
    copied = _copy_selection(page)
    assert "11.5万人" in copied and copied.endswith(DATA)
    phone.assert_clean()


def test_unknown_document_is_a_readable_404(tab):
    resp = tab.page.goto(tab.base_url + "/sources/no-such-document")
    assert resp.status == 404
    assert "資料「no-such-document」は見つかりませんでした" in tab.page.inner_text("main")
    json_resp = tab.page.request.get(f"{READER}.json")
    data = json_resp.json()
    assert data["source"]["url"].startswith("https://www.cas.go.jp/")
    assert [p["heading"] for p in data["source"]["parts"]][:3] == [None, "I", "II"]
