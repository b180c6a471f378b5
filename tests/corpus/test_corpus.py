"""The knowledge base: every record valid, the whole source covered, errors readable."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.corpus.loader import CorpusError, load_corpus
from indexer.corpus.quote_coverage import coverage
from indexer.corpus.schema import ERAS
from tests import source_scan

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "broken"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REPO / "corpus")


@pytest.fixture(scope="module")
def source_text() -> str:
    return source_scan.SOURCE.read_text(encoding="utf-8")


def _quoted_by(corpus, kinds: set[str]) -> list[tuple[str, int, int]]:
    return [(r.id, q.start, q.end) for r in corpus.records if r.kind in kinds for q in r.quotes]


def _covering(spans, start: int, end: int) -> set[str]:
    return {rid for rid, s, e in spans if s <= start and end <= e}


def test_source_copy_is_byte_identical_to_shared(corpus):
    shared = REPO.parent / "shared" / "sources" / "000_d6e3501eb99efd2f.txt"
    src = corpus.sources["chihou-sousei-2.0"]
    assert src.verify_checksum()
    if shared.exists():
        assert shared.read_bytes() == src.path.read_bytes()


def test_every_policy_package_measure_is_a_measure_record(corpus, source_text):
    lines = source_scan.measure_lines(source_text)
    assert len(lines) >= 30
    spans = _quoted_by(corpus, {"measure"})
    for m in lines:
        assert _covering(spans, m.start, m.end), f"line {m.line}: no measure record quotes {m.text!r}"
    assert sum(r.kind == "measure" for r in corpus.records) == len(lines)


def test_every_target_bracket_is_covered_by_target_records(corpus, source_text):
    brackets = source_scan.target_brackets(source_text)
    assert len(brackets) >= 30
    spans = _quoted_by(corpus, {"target"})
    for b in brackets:
        inner = [i for i in range(b.start + 1, b.end - 1) if not source_text[i].isspace()]
        missing = [i for i in inner if not any(s <= i < e for _, s, e in spans)]
        assert not missing, f"line {b.line}: {b.text!r} is not wholly quoted by target records"


def test_targets_link_to_a_measure_and_carry_parsed_fields(corpus):
    for r in corpus.records:
        if r.kind != "target":
            continue
        assert r.target is not None
        assert any(l.type == "measure" for l in r.links), f"{r.id} names no measure"
        if r.target.deadline_year is not None:
            assert 2025 <= r.target.deadline_year <= 2040, r.id


def test_every_case_heading_is_a_case_record(corpus, source_text):
    headings = source_scan.case_headings(source_text)
    assert len(headings) >= 50
    spans = _quoted_by(corpus, {"case"})
    for h in headings:
        assert any(s <= h.start < e for _, s, e in spans), f"line {h.line}: no case record quotes {h.text!r}"
    cases = [r for r in corpus.records if r.kind == "case"]
    assert len(cases) >= len(headings)
    for c in cases:
        assert c.pillar in (1, 2, 3, 4, 5) and c.section.startswith("IV"), c.id
        assert any(l.type == "illustrates" and l.id == f"pillar-{c.pillar}" for l in c.links), c.id


def test_every_data_finding_is_in_a_data_record_with_its_statistical_source(corpus, source_text):
    spans = _quoted_by(corpus, {"data"})
    for f in source_scan.data_findings(source_text):
        assert any(s <= f.start < e for _, s, e in spans), f"line {f.line}: finding not quoted: {f.text!r}"
    data = [r for r in corpus.records if r.kind == "data"]
    assert len(data) >= 10
    assert all(r.statistical_source for r in data)


def test_comparison_has_every_row_in_all_three_eras(corpus, source_text):
    eras, labels = source_scan.comparison_rows(source_text)
    assert len(eras) == 3 and len(labels) == 4
    cells = [r for r in corpus.records if r.kind == "comparison" and r.era]
    for label in labels:
        row = [c for c in cells if (c.category or "").startswith(label)]
        assert sorted(c.era for c in row) == sorted(ERAS), f"row {label}: eras {[c.era for c in row]}"
        for c in row:
            others = {l.id for l in c.links if l.type == "counterpart"}
            back = {o.id for o in row if any(l.type == "counterpart" and l.id == c.id for l in o.links)}
            assert len(others | back) == 2, f"{c.id} is not tied to its row's other eras"


def test_stance_pairs_link_1_0_and_2_0(corpus):
    pairs = [r for r in corpus.records if r.kind == "stance" and r.era == "2.0" and r.id.endswith("-2.0")]
    assert len(pairs) == 6
    for r in pairs:
        partner = r.id[:-4] + "-1.0"
        linked = any(l.type == "pair" and l.id == partner for l in r.links) or any(
            l.type == "pair" and l.id == r.id for l in corpus.by_id[partner].links)
        assert linked, r.id


def test_records_quote_the_whole_source(corpus):
    cov = coverage(corpus, corpus.sources["chihou-sousei-2.0"])
    assert cov.ratio >= 0.995, [l for l in cov.uncovered_lines[:10]]


def test_citations_name_source_section_and_statistical_source(corpus):
    from indexer.corpus.citation import cite

    src = corpus.sources["chihou-sousei-2.0"]
    rec = next(r for r in corpus.records if r.kind == "data")
    c = cite(rec, src)
    assert src.title in c.plain() and "2025年" in c.plain() and "Ⅰ" in c.section
    # The primary source is named once, without its own 資料：/出典： label (never 「原資料：資料：」).
    label_free = re.sub(r"^(（(出典|資料|備考)）|(資料|出典|備考)[：:])\s*", "", rec.statistical_source).rstrip("。")
    assert "原資料：" + label_free in c.plain() and "原資料：資料" not in c.plain() and "原資料：（出典）" not in c.plain()
    assert c.markdown().startswith("> ")


def test_records_jsonl_holds_every_record_with_the_promised_fields(corpus):
    out = subprocess.run([sys.executable, "-m", "policykb", "records", "--jsonl"], capture_output=True,
                         text=True, check=True, cwd=REPO)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == len(corpus.records)
    for row in rows:
        for key in ("id", "kind", "title", "text", "section", "pillar", "era", "place", "targets", "links", "quotes", "citation"):
            assert key in row, (row["id"], key)
        src = corpus.sources[row["source"]].text
        for q in row["quotes"]:
            assert src[q["start"]:q["end"]].replace("\n", "").replace(" ", "")[:5] != ""
    measure = next(r for r in rows if r["id"] == "measure-1-ccrc")
    assert measure["targets"] and measure["pillar"] == 1
    assert {"type": "pillar", "id": "pillar-1"} in measure["links"]


# -- broken records: the promised messages ------------------------------------

def _corpus_with(tmp_path: Path, fixture: str) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus" / "sources", root / "sources")
    (root / "records").mkdir(parents=True)
    shutil.copy(FIXTURES / fixture, root / "records" / fixture)
    return root


@pytest.mark.parametrize("fixture, record_id, field, reason", [
    ("duplicate-id.yaml", "case-dup", "id", "duplicate id"),
    ("dangling-link.yaml", "measure-x", "links.0", "dangling link to unknown id 'pillar-9'"),
    ("quote-not-found.yaml", "case-invented", "quotes.0", "quote not found in the source"),
    ("missing-field.yaml", "pillar-x", "title", "required field is missing"),
    ("unknown-kind.yaml", "thing-x", "kind", "unknown value 'policy'"),
    ("unknown-era.yaml", "cmp-x", "era", "unknown value '3.0'"),
    ("bad-pillar.yaml", "measure-y", "pillar", "less than or equal to 5"),
    ("bad-prefecture.yaml", "case-atlantis", "place.prefecture", "not one of the 47 prefectures"),
    ("not-utf8.yaml", "-", "line 4", "not UTF-8 (byte 0x82)"),
])
def test_broken_records_fail_with_file_id_field_and_reason(tmp_path, fixture, record_id, field, reason):
    with pytest.raises(CorpusError) as exc:
        load_corpus(_corpus_with(tmp_path, fixture))
    message = str(exc.value)
    expected_line = f"records/{fixture}: record '{record_id}': {field}: "
    assert expected_line in message, message
    assert reason in message, message


def test_short_prefecture_names_are_normalised(tmp_path):
    corpus = load_corpus(_corpus_with(tmp_path, "short-prefecture.yaml"))
    assert corpus.by_id["case-ama"].place.prefecture == "島根県"


def test_validate_cli_reports_problems_and_exits_1(tmp_path):
    root = _corpus_with(tmp_path, "dangling-link.yaml")
    out = subprocess.run([sys.executable, "-m", "policykb", "--corpus", str(root), "validate"],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 1
    assert "measure-x" in out.stderr and "pillar-9" in out.stderr and "Traceback" not in out.stderr
