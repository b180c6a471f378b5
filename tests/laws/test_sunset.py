"""A law's own expiry read from its 附則 (indexer.laws.sunset), on real statutes: 過疎地域自立促進特別措置法
as the e-Gov archive holds it (tests/laws/egov_sunset/, copied unchanged; it lost effect in 2021), and
半島振興法 and 地域再生法 of the regional corpus."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from indexer.corpus.derived import statute_records
from indexer.corpus.sources import load_sources
from indexer.laws import parse_statute
from indexer.laws.sunset import sunset_of

ROOT = Path(__file__).resolve().parents[2]
KASO = Path(__file__).parent / "egov_sunset" / "412AC1000000015_20210401_000000000000000.md"
HEAD = "# 試験法\n\n平成十七年法律第二十四号\n\n試験法\n\n第一条 この法律は、試験をする。\n\n"


def test_a_law_past_its_last_day_says_so():
    s = parse_statute(KASO.read_text(encoding="utf-8"))
    got = sunset_of(s)
    # 「第三条 この法律は、平成三十三年三月三十一日限り、その効力を失う。」: 平成33 counts on from 平成 (2021).
    assert got is not None and got.date == dt.date(2021, 3, 31) and got.article == "附則第三条"


def test_the_sunset_of_a_supplementary_provision_of_paragraphs_names_its_paragraph():
    src = next(s for s in load_sources(ROOT / "corpus" / "sources").values() if s.title == "半島振興法")
    got = sunset_of(parse_statute(src.text))
    assert got is not None and got.date == dt.date(2035, 3, 31) and got.article == "附則第二項"
    # Every article record of the law carries it, so a page or an API client can say so.
    recs = statute_records(src)
    assert recs and all(r.law.sunset is not None and r.law.sunset.date == "2035-03-31" for r in recs)


def test_only_the_whole_law_of_the_original_act_counts():
    regional = next(s for s in load_sources(ROOT / "corpus" / "sources").values() if s.title == "地域再生法")
    assert sunset_of(parse_statute(regional.text)) is None
    # An article's own expiry, or the provisions of the law, are not the law's.
    part = HEAD + "附 則\n\n１ 第一条の規定は、令和三年三月三十一日限り、その効力を失う。\n"
    assert sunset_of(parse_statute(part)) is None
    provisions = HEAD + "附 則\n\n１ この法律の規定は、令和三年三月三十一日限り、その効力を失う。\n"
    assert sunset_of(parse_statute(provisions)) is None
    # An amending act's 附則 speaks of that act, not of this law.
    amending = HEAD + "附 則\n\n１ この法律は、公布の日から施行する。\n\n附 則 （令和二年三月三一日法律第八号）\n\n" \
                      "１ この法律は、令和三年三月三十一日限り、その効力を失う。\n"
    assert sunset_of(parse_statute(amending)) is None
    whole = HEAD + "附 則\n\n１ この法律は、公布の日から施行する。\n\n２ この法律は、令和三年三月三十一日限り、その効力を失う。\n"
    got = sunset_of(parse_statute(whole))
    assert got is not None and (got.date, got.article) == (dt.date(2021, 3, 31), "附則第二項")
