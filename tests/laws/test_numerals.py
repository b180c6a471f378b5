"""Kanji numerals both ways and article references normalised to the statutes' form."""

from __future__ import annotations

import pytest

from indexer.laws.numerals import (
    article_label,
    article_number_key,
    int_to_kanji,
    kanji_to_int,
    normalize_article_refs,
    parse_number,
)


@pytest.mark.parametrize(("kanji", "value"), [
    ("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("二十四", 24), ("百", 100), ("百二", 102),
    ("二百五", 205), ("千", 1000), ("千五百", 1500), ("二千二百五十二", 2252),
    # digit-by-digit, as in 附則 headings: 平成二〇年, 法律第一〇五号, 一二月
    ("二〇", 20), ("一〇五", 105), ("一二", 12), ("〇", 0), ("元", 1),
])
def test_kanji_to_int(kanji, value):
    assert kanji_to_int(kanji) == value


@pytest.mark.parametrize("bad", ["", "abc", "二三十", "第一", "十x"])
def test_kanji_to_int_rejects(bad):
    with pytest.raises(ValueError):
        kanji_to_int(bad)


@pytest.mark.parametrize("n", [1, 9, 10, 11, 19, 20, 24, 99, 100, 101, 110, 205, 999, 1000, 1500, 2252, 9999])
def test_round_trip(n):
    assert kanji_to_int(int_to_kanji(n)) == n


def test_int_to_kanji_uses_statute_form():
    assert (int_to_kanji(10), int_to_kanji(102), int_to_kanji(1500)) == ("十", "百二", "千五百")


def test_parse_number_any_script():
    assert parse_number("17") == parse_number("１７") == parse_number("十七") == 17


@pytest.mark.parametrize(("policy", "statute"), [
    ("第１条", "第一条"),
    ("第17条の2", "第十七条の二"),
    ("第１７条の２４第３項第２号", "第十七条の二十四第三項第二号"),
    ("まち・ひと・しごと創生法第１条", "まち・ひと・しごと創生法第一条"),
    ("第五条第四項", "第五条第四項"),
    ("2024年度の第3章", "2024年度の第三章"),
])
def test_normalize_article_refs(policy, statute):
    assert normalize_article_refs(policy) == statute


def test_article_keys():
    assert article_number_key("第十七条の二十四") == article_number_key("第17条の24") == "17-24"
    assert article_label("17-24") == "第十七条の二十四"
    with pytest.raises(ValueError):
        article_number_key("第五項")
