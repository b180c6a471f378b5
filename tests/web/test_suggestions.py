"""Suggested measure → article links: apart from resolved references, labelled, with their reason."""

from __future__ import annotations


def test_a_measure_gets_suggested_articles_with_reasons(engine):
    found = engine.suggest_articles("measure-1-ccrc")
    assert 1 <= len(found) <= 3
    assert all(s["record"]["kind"] == "article" and not s["record"]["law"]["suppl_act"] for s in found)
    assert all(s["reason"] for s in found)
    # The law's own scheme for 生涯活躍のまち (地域再生法 第十七条の二十四 onward) is among them.
    assert any("生涯活躍のまち" in s["record"]["title"] and s["record"]["id"].startswith("law-417ac0000000024")
               for s in found)


def test_suggestions_are_shown_apart_and_labelled(client):
    html = client.get("/records/measure-1-ccrc").get_data(as_text=True)
    assert "関連しそうな条文（自動の提案）" in html and "提案の理由" in html
    section = html.split('class="xref-group xref-suggested"')[1].split("</section>")[0]
    assert "/records/law-417ac0000000024-art17-2" in section


def test_articles_get_no_suggestions(engine):
    assert engine.suggest_articles("law-426ac0000000136-art1") == []
