"""Which kind of document a file is, decided by its bytes, not its name, and its text.

Government text files come as UTF-8 (often with a BOM, as Windows Notepad writes it) or as
Shift_JIS; the Shift_JIS ones are in practice Microsoft's cp932, which adds the NEC and IBM
characters officials use (①, ㈱, 髙), so cp932 is tried rather than strict shift_jis. UTF-8 is
tried first: a Shift_JIS file of Japanese text almost never decodes as UTF-8, while UTF-8
text often decodes as cp932 into mojibake. The encoding used is reported in `encoding`.

Markdown is told from plain text by ATX headings (「# 見出し」): one at the top of the file,
or two anywhere. The file name is not trusted (a `.txt` export of a Markdown document is
still Markdown), except that a `.md` name makes one heading anywhere enough.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from indexer.corpus.files import RefusedFile, read_document_bytes
from indexer.ingest.errors import EmptyDocument, RefusedInput, UnsupportedFormat
from indexer.text.extracted import ExtractedText
from indexer.ingest.pdf_text import extract_pdf_text, is_pdf

# Signatures of files people drop in by mistake, to say what the file is instead.
_KNOWN_BINARY = [
    (b"PK\x03\x04", "a ZIP archive or Office (docx/xlsx/pptx) file: save it as PDF or text"),
    (b"\xd0\xcf\x11\xe0", "an old Office (doc/xls/ppt) or Ichitaro file: save it as PDF or text"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
]
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
# Control characters other than tab, newlines and form feed: text files have none to speak of.
_MAX_CONTROL_SHARE = 0.01


def read_document(path: str | Path, data: bytes | None = None, *, follow_symlinks: bool = False) -> ExtractedText:
    """Read a PDF, UTF-8/Shift_JIS text or Markdown file, telling the format by content.

    `data` is the file's bytes when the caller has read them already (ingest reads once, and
    writes what it checked); otherwise the file is read as indexer.corpus.files reads: a regular
    file only, within the size limits, a symbolic link only when `follow_symlinks`.
    Raises EmptyDocument, UnsupportedFormat (binary or undecodable), IngestError (not a regular
    file, too large) or the PDF errors of `extract_pdf_text`; every message is one line naming the file.
    """
    path = Path(path)
    if data is None:
        try:
            data = read_document_bytes(path, follow_symlinks=follow_symlinks)
        except RefusedFile as exc:
            raise RefusedInput(path, exc.reason) from None
    head = data[:8192]
    if not head:
        raise EmptyDocument(path, "0 bytes")
    if is_pdf(head):
        return extract_pdf_text(path, data)
    for magic, what in _KNOWN_BINARY:
        if data.startswith(magic):
            raise UnsupportedFormat(path, what)
    text, encoding = _decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyDocument(path, "only whitespace")
    warnings = []
    if encoding == "cp932":
        warnings.append(f"{path.name}: not UTF-8; decoded as Shift_JIS (cp932)")
    fmt = "markdown" if _is_markdown(text, path) else "text"
    return ExtractedText(path=path, text=text, format=fmt, encoding=encoding, warnings=warnings)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data[:8192]:
        raise UnsupportedFormat(path, "binary data (NUL bytes)")
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) <= _MAX_CONTROL_SHARE:
            return text, encoding
    raise UnsupportedFormat(path, "binary data, or text in neither UTF-8 nor Shift_JIS")


def _control_share(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    return bad / max(1, len(sample))


def _is_markdown(text: str, path: Path) -> bool:
    headings = _ATX_HEADING.findall(text)
    first = text.lstrip().split("\n", 1)[0]
    return bool(
        _ATX_HEADING.match(first)
        or len(headings) >= 2
        or (headings and path.suffix.lower() in (".md", ".markdown"))
    )
