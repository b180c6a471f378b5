"""An article page as an official uses it, at desktop width and on a phone (issue 20): a selected
item copied as a citation at its 条・項・号 (the selection bar asks /api/cite), a reference in the
text followed to the article and 項 it names, and the citation one tap from the top of the page."""

from __future__ import annotations

from playwright.sync_api import expect

ART5 = "/records/law-417ac0000000024-art5"   # 地域再生法 第五条
ART9 = "/records/law-426ac0000000136-art9"   # まち・ひと・しごと創生法 第九条
HEAD = "地域再生法（平成十七年法律第二十四号）"


def _shot(view, name: str) -> None:
    """The screen as seen (an article page is long: a full-page shot at 2× outlasts the timeout)."""
    view.page.screenshot(path=str(view.shots / f"{name}-{view.name}.png"))

SELECT_LINE = """([sel, n]) => {
  const el = document.querySelectorAll(sel)[n];
  const range = document.createRange();
  range.selectNodeContents(el);
  const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
  return s.toString();
}"""


def test_copy_an_item_as_a_citation_at_its_article_paragraph_and_item(view):
    page = view.page
    view.goto(ART5)
    # The 項's first 号, the line after its sentence.
    assert page.evaluate(SELECT_LINE, ["#para-2 p[data-at]", 1]) == "一 地域再生計画の区域"
    page.locator(".selection-cite").wait_for(state="visible")
    with page.expect_response(lambda r: "/api/cite?" in r.url) as answer:
        page.click(".selection-cite button")
    assert answer.value.status == 200
    expect(page.locator(".selection-cite .copy-status")).to_have_text("コピーしました")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"{HEAD}第五条第二項第一号「地域再生計画の区域」（本文：e-Gov法令検索（デジタル庁）")
    assert copied.endswith(view.base_url + ART5)
    view.assert_clean()


def test_follow_a_reference_in_the_text_to_the_paragraph_it_names(view):
    page = view.page
    view.goto(ART5)
    link = page.locator("#para-1 a.ref-link", has_text="まち・ひと・しごと創生法第九条第一項").first
    if not link.count():  # the citation stands in 第三項 or later: any link to 第九条 will do
        link = page.locator(f"a.ref-link[href='{ART9}#para-1']").first
    link.click()
    page.wait_for_url(f"**{ART9}#para-1")
    target = page.locator("#para-1")
    expect(target).to_be_in_viewport()
    _shot(view, "article-reference")
    view.assert_clean()


def test_the_citation_is_one_tap_from_the_top(view):
    page = view.page
    view.goto(ART5)
    jump = page.locator(".jump-links a", has_text="出典・引用")
    box = jump.bounding_box()
    height = page.viewport_size["height"]
    assert box["y"] + box["height"] <= height, "the jump link is on the first screen"
    if view.phone:
        assert box["height"] >= 44 and page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(view, "article-top")
    jump.tap() if view.phone else jump.click()
    page.wait_for_url("**#cite-h")
    expect(page.locator("button[data-copy-target='cite-plain']")).to_be_in_viewport()
    _shot(view, "article-citation")
    view.assert_clean()
