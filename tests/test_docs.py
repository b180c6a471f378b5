"""The README and docs/ stay short, true to the repository and inside it.

Checked on README.md and docs/*.md: the README fits a five-minute read (≤ 200 lines); every
`scripts/X` they name is committed; every code or test path they name exists; no absolute path
and no path leading out of the repository; every relative link resolves to a file in the
repository, and its #anchor to a heading of that file (GitHub's slug rule).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_LINES = 200

SCRIPT = re.compile(r"(?<![\w./-])scripts/([A-Za-z0-9_][A-Za-z0-9_.-]*)")
# Repository paths of code and tests (committed, so they must exist); a `<placeholder>`, glob or
# brace list is a pattern, not a path.
CODE_PATH = re.compile(r"(?<![\w./-])((?:indexer|webapp|tests)/[\w./-]*\w/?)(?![\w./*{<-])")
# A Python file named on its own (`analysis.py`): one of the repository's, not a scratch script.
PY_FILE = re.compile(r"(?<![\w./-])([A-Za-z_][\w]*\.py)\b")
SOURCE_DIRS = ("indexer", "webapp", "tests", "scripts", "corpus")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
# Absolute file-system paths (a URL route such as /search or /records/<id> is not one) and ~/.
ABSOLUTE = re.compile(r"(?<![\w.~:/<>-])(?:/(?:tmp|work|home|root|usr|etc|var|opt|mnt|srv|media|proc|sys|dev|"
                      r"shared|Users|private|data)(?=/|\b)|~/|[A-Za-z]:\\)")
# A path that climbs out of where it is written: ../ outside a Markdown link target.
PARENT = re.compile(r"(?<![\w.])\.\./")


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _prose(page: Path) -> str:
    """The page without its link targets (those are resolved, not pattern-matched)."""
    return LINK.sub(lambda m: m.group(0).replace(m.group(1), ""), _text(page))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, inline code marks and punctuation dropped, spaces → '-'."""
    text = heading.strip().lower()
    return "".join(ch if ch in "-_" or unicodedata.category(ch)[0] in "LNM" else "-" if ch == " " else ""
                   for ch in text)


def _anchors(page: Path) -> set[str]:
    anchors, in_code = set(), False
    for line in _text(page).splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            anchors.add(_slug(line.lstrip("#")))
    return anchors


def _id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_the_pages_exist():
    assert README.exists()
    assert DOCS, "docs/*.md: the measurements and designs live there"


def test_readme_is_a_five_minute_read():
    lines = _text(README).count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines (at most {README_MAX_LINES}); move detail to docs/"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_script_named_is_committed(page: Path):
    missing = sorted({m for m in SCRIPT.findall(_text(page)) if not (ROOT / "scripts" / m).is_file()})
    assert not missing, f"{_id(page)} names scripts that are not in scripts/: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_code_path_named_exists(page: Path):
    missing = sorted({p for p in CODE_PATH.findall(_prose(page)) if not (ROOT / p).exists()})
    assert not missing, f"{_id(page)} names files that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_python_file_named_is_in_the_repository(page: Path):
    ours = {p.name for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")}
    missing = sorted(set(PY_FILE.findall(_prose(page))) - ours)
    assert not missing, f"{_id(page)} names Python files the repository does not have: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_no_path_outside_the_repository(page: Path):
    bad = []
    for n, line in enumerate(_prose(page).splitlines(), start=1):
        bad += [f"line {n}: {m.group(0)!r}" for rx in (ABSOLUTE, PARENT) for m in rx.finditer(line)]
    assert not bad, f"{_id(page)} names paths outside the repository: {bad}"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_relative_links_resolve_inside_the_repository(page: Path):
    broken = []
    for target in LINK.findall(_text(page)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if target.startswith("/") or not dest.is_relative_to(ROOT):
            broken.append(f"{target} (outside the repository)")
        elif not dest.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target} (no heading with that anchor)")
    assert not broken, f"{_id(page)} has broken links: {broken}"


def test_the_checks_catch_what_they_are_for():
    # The patterns themselves: an outside path, an absolute path and a URL route told apart.
    assert ABSOLUTE.search("see /tmp/scale/bench.py") and ABSOLUTE.search("at /work/x")
    assert not ABSOLUTE.search("`/search?q=交通空白` and `/records/<id>` and `/api/search`")
    assert PARENT.search("policykb ingest ../shared/data/egov-laws.tar.xz")
    assert SCRIPT.findall("run `scripts/bench_scale` and scripts/serve") == ["bench_scale", "serve"]
    assert CODE_PATH.findall("`tests/gold/statutes*.jsonl`, `indexer/search/engine.py`, `tests/gold/`") == \
        ["indexer/search/engine.py", "tests/gold/"]
    assert PY_FILE.findall("ran `bench_encoders.py` beside `indexer/text/analysis.py`") == ["bench_encoders.py"]
    assert _slug("## 規模の曲線（`scripts/bench_scale`）".lstrip("#")) == "規模の曲線scriptsbench_scale"
    assert _slug("### 複数台へ: 読み取り専用の複製".lstrip("#")) == "複数台へ-読み取り専用の複製"
