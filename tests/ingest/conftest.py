"""Real PDFs for the ingest tests, typeset once per session (well under a second with reportlab).

The statute is まち・ひと・しごと創生法 (a copy of shared/laws' Markdown lies in fixtures/ so the
tests do not depend on shared/); the policy text is the corpus's own source. reportlab's
built-in CID font needs no font package, so no PDF has to be committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ingest import pdf_maker as mk

FIXTURES = Path(__file__).parent / "fixtures"
STATUTE_MD = FIXTURES / "426AC0000000136_20210901_503AC0000000036.md"
STATUTE_TITLE = "まち・ひと・しごと創生法"
POLICY_TXT = mk.REPO / "corpus" / "sources" / "chihou-sousei-2.0-kihon-kousou.txt"
POLICY_HEADER = "地方創生2.0 基本構想 参考資料"


@dataclass(frozen=True)
class Pdfs:
    statute: Path
    statute_blocks: list[mk.Block]
    policy: Path
    policy_blocks: list[mk.Block]
    scanned: Path
    blank: Path


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory) -> Pdfs:
    out = tmp_path_factory.mktemp("pdfs")
    statute_blocks = mk.blocks_from_markdown(STATUTE_MD.read_text(encoding="utf-8"))
    statute = mk.typeset_reportlab(statute_blocks, out / "statute.pdf", STATUTE_TITLE)
    # The first 300 lines: 13 pages of slides' text, ○ bullets, headings and chart debris.
    policy_lines = POLICY_TXT.read_text(encoding="utf-8").splitlines()[:300]
    policy_blocks = mk.blocks_from_text("\n".join(policy_lines))
    policy = mk.typeset_reportlab(policy_blocks, out / "policy.pdf", POLICY_HEADER)
    scanned = mk.make_scanned_pdf(statute, out / "scanned.pdf", pages=2)
    blank = mk.make_blank_pdf(out / "blank.pdf")
    return Pdfs(statute, statute_blocks, policy, policy_blocks, scanned, blank)
