"""An independent scan of the source text, for completeness tests.

It reads the raw text with its own simple rules, sharing nothing with the
records, so a record that is missing shows up as a heading nobody quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "corpus" / "sources" / "chihou-sousei-2.0-kihon-kousou.txt"
_PARTICLE_ENDINGS = tuple("をにのがとでは、")


@dataclass(frozen=True)
class Span:
    line: int       # 1-based line number
    start: int      # character offsets into the source
    end: int
    text: str


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _index_of(lines: list[tuple[int, str]], needle: str, after: int = 0) -> int:
    return next(i for i, (_, l) in enumerate(lines) if i >= after and needle in l)


def policy_package_range(lines) -> tuple[int, int]:
    return _index_of(lines, "６．政策パッケージ"), _index_of(lines, "【参考】日本地図マッピング")


def measure_lines(text: str) -> list[Span]:
    """Every ○ line of the policy package, without its 【…】 target."""
    lines = _lines(text)
    a, b = policy_package_range(lines)
    out = []
    for i in range(a, b):
        pos, line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith("○"):
            start = pos + len(line) - len(stripped)
            title = stripped.split("【")[0].rstrip()
            out.append(Span(i + 1, start, start + len(title), title))
    return out


def target_brackets(text: str) -> list[Span]:
    """Every non-empty 【…】 of the policy package (a bracket may run over lines)."""
    lines = _lines(text)
    a, b = policy_package_range(lines)
    lo, hi = lines[a][0], lines[b][0]
    out = []
    for m in re.finditer(r"【([^】]+)】", text[lo:hi]):
        start = lo + m.start()
        line = text.count("\n", 0, start) + 1
        out.append(Span(line, start, lo + m.end(), m.group(0)))
    return out


def case_headings(text: str) -> list[Span]:
    """Case-study headings: a block-opening line followed by ・ bullets, or a 【…】 heading."""
    lines = _lines(text)
    first = _index_of(lines, "【参考】日本地図マッピング") + 1
    out = []
    for i in range(first, len(lines)):
        pos, raw = lines[i]
        line = raw.strip()
        if not line:
            continue
        start = pos + raw.index(line[0])
        if line.startswith("【"):
            out.append(Span(i + 1, start, start + len(line), line))
            continue
        if line[0] in "・×～(（※" or line.startswith(("提供", "凡例")):
            continue
        # A page's first line starts with a space in this extraction.
        opens_block = not lines[i - 1][1].strip() or raw.startswith(" ")
        bullets_follow = any(lines[j][1].strip().startswith("・") for j in range(i + 1, min(i + 4, len(lines))))
        prev = next((lines[j][1].strip() for j in range(i - 1, 0, -1) if lines[j][1].strip()), "")
        continues_bullet = prev.startswith("・") and prev.endswith(_PARTICLE_ENDINGS)
        if opens_block and bullets_follow and not continues_bullet:
            out.append(Span(i + 1, start, start + len(line), line))
    return out


def data_findings(text: str) -> list[Span]:
    """Every ○ finding line of part Ⅰ."""
    lines = _lines(text)
    end = _index_of(lines, "Ⅱ 日本列島改造論")
    out = []
    for i in range(end):
        pos, raw = lines[i]
        line = raw.strip()
        if line.startswith("○"):
            start = pos + raw.index("○")
            out.append(Span(i + 1, start, start + len(line), line))
    return out


def comparison_rows(text: str) -> tuple[list[str], list[str]]:
    """The era columns and the row labels of the comparison table (part Ⅱ)."""
    lines = _lines(text)
    a, b = _index_of(lines, "Ⅱ 日本列島改造論"), _index_of(lines, "Ⅲ 地方創生2.0基本構想")
    part = [l.strip() for _, l in lines[a:b]]
    year_line = next(l for l in part if l.startswith("年代"))
    eras = re.findall(r"\d{4}年～", year_line)
    labels = []
    for l in part:
        for label in ("年代", "各年の", "目指す", "施策の"):
            if l.startswith(label) and label not in labels:
                labels.append(label)
    return eras, labels
