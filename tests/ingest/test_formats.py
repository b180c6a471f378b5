"""read_document: the format by content, the encoding of text files, and refusals that name the file."""

from __future__ import annotations

import pytest

from indexer.ingest import EmptyDocument, UnsupportedFormat, read_document
from tests.ingest.conftest import STATUTE_MD

JAPANESE = "地方創生２．０の基本構想\n① 髙橋㈱の取組。\n○ 若者・女性にも選ばれる地方をつくる。\n"


def _one_line_naming(err: Exception, path) -> None:
    assert "\n" not in str(err) and str(path) in str(err)


def test_pdf_by_magic_whatever_the_name(pdfs, tmp_path):
    renamed = tmp_path / "statute.txt"
    renamed.write_bytes(pdfs.statute.read_bytes())
    doc = read_document(renamed)
    assert doc.format == "pdf" and doc.encoding is None and len(doc.page_starts) >= 5


def test_utf8_text(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text(JAPANESE, encoding="utf-8")
    doc = read_document(f)
    assert (doc.format, doc.encoding, doc.text, doc.page_starts) == ("text", "utf-8", JAPANESE, [])
    assert doc.page_at(5) is None


def test_utf8_with_bom_and_crlf(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_bytes(b"\xef\xbb\xbf" + JAPANESE.replace("\n", "\r\n").encode("utf-8"))
    doc = read_document(f)
    assert doc.encoding == "utf-8-sig" and doc.text == JAPANESE  # no BOM, no CR: offsets count characters


def test_shift_jis_cp932(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_bytes(JAPANESE.encode("cp932"))  # ① ㈱ 髙 exist in cp932 only, not in strict shift_jis
    doc = read_document(f)
    assert doc.encoding == "cp932" and doc.text == JAPANESE
    assert any("cp932" in w for w in doc.warnings)


def test_markdown_by_headings_not_by_name(tmp_path):
    md = read_document(STATUTE_MD)
    assert md.format == "markdown" and md.encoding == "utf-8"
    as_txt = tmp_path / "statute.txt"
    as_txt.write_bytes(STATUTE_MD.read_bytes())
    assert read_document(as_txt).format == "markdown"
    not_md = tmp_path / "notes.md"
    not_md.write_text("見出しのない文章。\n#タグ\n", encoding="utf-8")
    assert read_document(not_md).format == "text"


@pytest.mark.parametrize(
    "content, says",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
        (b"PK\x03\x04" + bytes(64), "Office"),
        (b"\x00\x01\x02binary\x00" * 20, "binary"),
        (bytes([0x80, 0xFF, 0xFE, 0xFD]) * 50, "neither UTF-8 nor Shift_JIS"),
    ],
    ids=["png", "docx", "nul-bytes", "undecodable"],
)
def test_binary_and_unknown_files_are_refused(tmp_path, content, says):
    f = tmp_path / "input.txt"
    f.write_bytes(content)
    with pytest.raises(UnsupportedFormat) as e:
        read_document(f)
    assert says in str(e.value)
    _one_line_naming(e.value, f)


@pytest.mark.parametrize("content", [b"", b" \r\n\t\n", "\u3000\n".encode("utf-8")], ids=["0-bytes", "blank", "ideographic-space"])
def test_empty_files_are_refused(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(EmptyDocument) as e:
        read_document(f)
    _one_line_naming(e.value, f)
