"""Typeset real PDFs from the project's Japanese sources, for the ingest tests and scripts/bench_pdf.

Two typesetters, so that extraction is measured on more than one producer's output:

- reportlab (Platypus, ``wordWrap="CJK"``) with the built-in CID font HeiseiMin-W3: needs no font
  file, so the tests can make their PDFs on any machine in well under a second.  The font is not
  embedded; readers map its CIDs to Unicode through the Adobe-Japan1 tables, as they do for
  older government PDFs.
- LibreOffice (Writer, from a flat ODT) with Noto Serif CJK embedded as a subset with a ToUnicode
  map, justified paragraphs: what Word/Ichitaro exports look like.  Needs Debian's
  libreoffice-writer-nogui and fonts-noto-cjk, so only scripts/bench_pdf uses it.

Both put a running header on every page and a page number in the footer, wrap lines wherever the
width runs out (inside words) and break pages mid-paragraph.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"  # beside the work tree, as on CI
LAWS = SHARED / "laws"
SOURCES = SHARED / "sources"


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "body"
    text: str


def blocks_from_markdown(md: str) -> list[Block]:
    """Statute Markdown as typeset blocks: '#' headings, table rows as plain cell text."""
    blocks: list[Block] = []
    for line in md.splitlines():
        line = line.strip()
        if not line or re.fullmatch(r"[-|: ]+", line):
            continue
        if line.startswith("#"):
            blocks.append(Block("heading", line.lstrip("#").strip()))
        elif line.startswith("|"):
            blocks.append(Block("body", "　".join(c.strip() for c in line.strip("|").split("|") if c.strip())))
        else:
            blocks.append(Block("body", line))
    return blocks


def blocks_from_text(text: str) -> list[Block]:
    """A plain-text policy document: each non-empty line is one paragraph."""
    return [Block("body", line.strip()) for line in text.splitlines() if line.strip()]


def reference_text(blocks: list[Block]) -> str:
    """What a perfect extractor returns, whitespace removed (the comparison's normal form)."""
    return strip_ws("".join(b.text for b in blocks))


def strip_ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


def law_path(prefix: str) -> Path:
    return next(LAWS.glob(f"{prefix}*.md"))


# --- reportlab --------------------------------------------------------------------------

CID_FONT = "HeiseiMin-W3"


def typeset_reportlab(blocks: list[Block], out: Path, header: str, *, page_size: str = "A5") -> Path:
    from reportlab.lib import pagesizes
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    size = getattr(pagesizes, page_size)
    body = ParagraphStyle("body", fontName=CID_FONT, fontSize=10, leading=15, wordWrap="CJK", spaceAfter=2)
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=19, spaceBefore=4, spaceAfter=6)

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(CID_FONT, 8)
        canvas.drawRightString(size[0] - 50, size[1] - 32, header)
        canvas.drawCentredString(size[0] / 2, 26, str(doc.page))
        canvas.restoreState()

    flow = [Paragraph(escape(b.text), head if b.kind == "heading" else body) for b in blocks]
    doc = SimpleDocTemplate(str(out), pagesize=size, title=header, topMargin=52, bottomMargin=48)
    doc.build(flow, onFirstPage=furniture, onLaterPages=furniture)
    return out


# --- LibreOffice --------------------------------------------------------------------------

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
 <style:font-face style:name="Noto Serif CJK JP" svg:font-family="'Noto Serif CJK JP'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="Noto Serif CJK JP" style:font-name-asian="Noto Serif CJK JP"
   fo:font-size="10.5pt" style:font-size-asian="10.5pt" fo:language="ja" fo:country="JP"
   style:language-asian="ja" style:country-asian="JP"/>
 </style:default-style>
 <style:style style:name="Body" style:family="paragraph">
  <style:paragraph-properties fo:text-align="justify" fo:margin-bottom="0.08cm"/>
 </style:style>
 <style:style style:name="Head" style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0.2cm" fo:margin-bottom="0.2cm"/>
  <style:text-properties fo:font-size="13pt" style:font-size-asian="13pt"
   fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Hdr" style:family="paragraph">
  <style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-size="8pt" style:font-size-asian="8pt"/>
 </style:style>
 <style:style style:name="Ftr" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="14.8cm" fo:page-height="21cm" fo:margin-top="1.2cm"
   fo:margin-bottom="1.2cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.4cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.4cm"/></style:footer-style>
 </style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Hdr">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Ftr">- <text:page-number text:select-page="current">1</text:page-number> -</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
{body}
</office:text></office:body></office:document>
"""


def libreoffice_available() -> bool:
    return shutil.which("soffice") is not None


def typeset_libreoffice(blocks: list[Block], out: Path, header: str) -> Path:
    body = "\n".join(
        f'<text:p text:style-name="{"Head" if b.kind == "heading" else "Body"}">{escape(b.text)}</text:p>'
        for b in blocks
    )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (out.stem + ".fodt")
        src.write_text(_FODT.format(header=escape(header), body=body), encoding="utf-8")
        # A private profile: a developer's running LibreOffice must not swallow the conversion.
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=300,
        )
        shutil.move(str(Path(tmp) / (out.stem + ".pdf")), out)
    return out


# --- a scanned page -----------------------------------------------------------------------


def make_scanned_pdf(src_pdf: Path, out: Path, *, pages: int = 1, scale: float = 1.5) -> Path:
    """Render pages to images and wrap them in a PDF: the text is visible but there is no text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(src_pdf))
    try:
        images = [doc[i].render(scale=scale).to_pil().convert("L") for i in range(min(pages, len(doc)))]
    finally:
        doc.close()
    images[0].save(out, "PDF", resolution=72 * scale, save_all=True, append_images=images[1:])
    return out


def make_blank_pdf(out: Path, *, pages: int = 2) -> Path:
    """Pages with nothing on them: neither text nor images."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out))
    for _ in range(pages):
        c.showPage()
    c.save()
    return out
