"""Fixtures over the 21 statutes in shared/laws (beside the repository, as CI lays it out)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAWS = REPO.parent / "shared" / "laws"


def statute_files() -> list[Path]:
    return sorted(LAWS.glob("*AC*.md"))


@pytest.fixture(scope="session")
def law_texts() -> dict[str, str]:
    """law id → text of each of the 21 statutes."""
    files = statute_files()
    if not files:
        pytest.skip(f"no statutes in {LAWS}")
    return {f.name.split("_")[0]: f.read_text(encoding="utf-8") for f in files}


@pytest.fixture(scope="session")
def statutes(law_texts):
    from indexer.laws.parse import parse_statute

    return {law_id: parse_statute(text) for law_id, text in law_texts.items()}
