"""extract_pdf_text on real typeset PDFs: the text, joined lines, no furniture, the page map, the errors."""

from __future__ import annotations

import difflib
import re

import pypdfium2 as pdfium
import pytest

from indexer.ingest import DamagedPdf, EmptyDocument, NoTextLayer, NotAPdf, extract_pdf_text
from tests.ingest import pdf_maker as mk
from tests.ingest.conftest import POLICY_HEADER, STATUTE_TITLE

PAGE_NUMBER = re.compile(r"^[-－ ]*[0-9０-９]{1,3}[-－ ]*$")


def _matched_share(ref: str, out: str) -> tuple[float, float]:
    """Shares of ref's and of out's characters that the diff matches (both must be high: nothing lost, nothing added)."""
    sm = difflib.SequenceMatcher(None, ref, out, autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks())
    return matched / len(ref), matched / len(out)


@pytest.fixture(scope="module")
def statute(pdfs):
    return extract_pdf_text(pdfs.statute)


def _raw_pages(path) -> list[list[str]]:
    doc = pdfium.PdfDocument(str(path))
    pages = [[line.strip() for line in doc[i].get_textpage().get_text_range().splitlines() if line.strip()] for i in range(len(doc))]
    doc.close()
    return pages


def test_statute_text_equals_the_markdown_source(pdfs, statute):
    ref = mk.reference_text(pdfs.statute_blocks)  # headings without '#', whitespace removed
    out = mk.strip_ws(statute.text)
    of_source, of_output = _matched_share(ref, out)
    assert of_source >= 0.99
    assert of_output >= 0.99


def test_the_pdf_really_wraps_inside_words_and_breaks_pages_mid_paragraph(pdfs):
    raw = _raw_pages(pdfs.statute)
    assert len(raw) >= 5
    paragraphs = {mk.strip_ws(b.text) for b in pdfs.statute_blocks}
    raw_lines = [mk.strip_ws(line) for page in raw for line in page]
    assert sum(1 for line in raw_lines if line not in paragraphs) > 50  # wrapped lines


def test_lines_broken_inside_sentences_are_joined(pdfs, statute):
    lines = {mk.strip_ws(line) for line in statute.text.split("\n")}
    long_paragraphs = [mk.strip_ws(b.text) for b in pdfs.statute_blocks if len(b.text) > 60]
    whole = [p for p in long_paragraphs if p in lines]
    assert len(whole) / len(long_paragraphs) >= 0.95
    first_article = next(p for p in long_paragraphs if p.startswith("第一条"))
    assert first_article in lines  # 400 characters over ten PDF lines, as one line
    # CJK lines are joined without a space: the output has no space that the source lacks.
    assert statute.text.count(" ") <= sum(b.text.count(" ") for b in pdfs.statute_blocks)


def test_structural_units_keep_their_own_line(statute):
    lines = statute.text.split("\n")
    assert "（目的）" in lines and "（基本理念）" in lines
    assert any(line.startswith("第二条 ") for line in lines)
    assert sum(1 for line in lines if re.match(r"^[一二三四五六七] ", line)) >= 7  # the items of 第二条
    assert sum(1 for line in lines if re.match(r"^[２-９] ", line)) >= 5  # numbered paragraphs


def test_no_page_numbers_or_running_headers_remain(pdfs, statute):
    lines = [line.strip() for line in statute.text.split("\n")]
    assert not [line for line in lines if PAGE_NUMBER.match(line)]
    # The title is both the running header and, twice, the statute's own text.
    source_titles = sum(1 for b in pdfs.statute_blocks if b.text == STATUTE_TITLE)
    assert lines.count(STATUTE_TITLE) == source_titles == 2


def test_policy_pdf_loses_its_header_and_page_numbers_but_not_its_bullets(pdfs):
    doc = extract_pdf_text(pdfs.policy)
    lines = doc.text.split("\n")
    assert len(doc.page_starts) >= 8
    assert not any(mk.strip_ws(line) == mk.strip_ws(POLICY_HEADER) for line in lines)
    source_numbers = sum(1 for b in pdfs.policy_blocks if PAGE_NUMBER.match(b.text))  # chart axes
    assert sum(1 for line in lines if PAGE_NUMBER.match(line.strip())) == source_numbers
    assert sum(1 for line in lines if line.startswith("○")) >= 10
    of_source, of_output = _matched_share(mk.reference_text(pdfs.policy_blocks), mk.strip_ws(doc.text))
    assert of_source >= 0.99 and of_output >= 0.99


def test_page_starts_point_at_each_pages_first_body_line(pdfs, statute):
    raw = _raw_pages(pdfs.statute)
    assert len(statute.page_starts) == len(raw)
    assert statute.page_starts == sorted(statute.page_starts) and statute.page_starts[0] == 0
    for page, lines in enumerate(raw):
        body = [line for line in lines if not PAGE_NUMBER.match(line)]
        body.remove(STATUTE_TITLE)  # the running header; page 1's title heading stays
        start = statute.page_starts[page]
        assert statute.text[start : start + 8] == body[0][:8]
        assert statute.page_at(start) == page + 1
        if start:
            assert statute.page_at(start - 1) == page


def test_a_paragraph_running_over_a_page_break_comes_out_whole(statute):
    mid_paragraph = [s for s in statute.page_starts[1:] if statute.text[s - 1] != "\n"]
    assert mid_paragraph, "the test PDF should break a page inside a paragraph"
    for s in mid_paragraph:
        line_start = statute.text.rfind("\n", 0, s) + 1
        line_end = statute.text.find("\n", s)
        assert statute.page_at(line_start) < statute.page_at(line_end - 1)


def _one_line_naming(err: Exception, path) -> None:
    msg = str(err)
    assert "\n" not in msg and str(path) in msg


def test_scanned_pdf_has_no_text_layer(pdfs):
    with pytest.raises(NoTextLayer) as e:
        extract_pdf_text(pdfs.scanned)
    _one_line_naming(e.value, pdfs.scanned)


def test_pdf_with_blank_pages_is_empty(pdfs):
    with pytest.raises(EmptyDocument) as e:
        extract_pdf_text(pdfs.blank)
    _one_line_naming(e.value, pdfs.blank)


def test_not_a_pdf_by_magic_bytes_whatever_the_name(tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_text("まち・ひと・しごと創生法\n", encoding="utf-8")
    with pytest.raises(NotAPdf) as e:
        extract_pdf_text(fake)
    _one_line_naming(e.value, fake)


def test_damaged_pdf(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    with pytest.raises(DamagedPdf) as e:
        extract_pdf_text(broken)
    _one_line_naming(e.value, broken)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDocument) as e:
        extract_pdf_text(empty)
    _one_line_naming(e.value, empty)


def test_a_scanned_page_inside_a_text_pdf_is_a_warning(pdfs, tmp_path):
    mixed = pdfium.PdfDocument.new()
    for part in (pdfs.statute, pdfs.scanned):
        src = pdfium.PdfDocument(str(part))
        mixed.import_pages(src, [0])
        src.close()
    path = tmp_path / "mixed.pdf"
    mixed.save(str(path))
    mixed.close()
    doc = extract_pdf_text(path)
    assert len(doc.page_starts) == 2 and doc.page_starts[1] == len(doc.text)
    assert doc.warnings == ["page 2 has no text layer (an image?); its content is missing"]


def test_english_words_hyphenated_at_a_line_end_are_joined(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "english.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 700, "The regional imple-")
    c.drawString(72, 686, "mentation of the policy")
    c.save()
    assert extract_pdf_text(path).text == "The regional implementation of the policy"
