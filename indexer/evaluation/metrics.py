"""Gold-set evaluation: Recall@1, Recall@5 and MRR@10 per mode and per category.

A result hits when NFKC(title+text) without whitespace contains NFKC(expect)
without whitespace, for any of the query's expected substrings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from indexer.text.normalize import normalize_for_match


@dataclass(frozen=True)
class GoldQuery:
    id: str
    query: str
    category: str
    expect: tuple[str, ...]
    split: str  # "tune" or "test": the half used to choose the fusion, and the half held out


def load_gold(path: Path) -> list[GoldQuery]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        expect = row["expect"] if isinstance(row["expect"], list) else [row["expect"]]
        out.append(GoldQuery(row["id"], row["query"], row["category"], tuple(expect), row.get("split", "tune")))
    return out


def first_hit(ranked_texts: list[str], expect: tuple[str, ...]) -> int | None:
    needles = [normalize_for_match(e) for e in expect]
    for rank, text in enumerate(ranked_texts, start=1):
        hay = normalize_for_match(text)
        if any(n in hay for n in needles):
            return rank
    return None


@dataclass
class Scores:
    n: int = 0
    r1: float = 0.0
    r5: float = 0.0
    mrr10: float = 0.0

    def add(self, rank: int | None) -> None:
        self.n += 1
        if rank is not None:
            self.r1 += rank <= 1
            self.r5 += rank <= 5
            self.mrr10 += 1.0 / rank if rank <= 10 else 0.0

    def as_dict(self) -> dict:
        n = self.n or 1
        return {"n": self.n, "recall@1": round(self.r1 / n, 3), "recall@5": round(self.r5 / n, 3), "mrr@10": round(self.mrr10 / n, 3),
                "recall@1_ci95": wilson(self.r1, self.n), "recall@5_ci95": wilson(self.r5, self.n)}


def wilson(hits: float, n: int, z: float = 1.96) -> list[float]:
    """95 % Wilson score interval of a proportion: honest at the small n and the rates near 1 of gold sets."""
    if n == 0:
        return [0.0, 0.0]
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return [round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)]


def evaluate(gold: list[GoldQuery], systems: dict[str, Callable[[str], list[str]]]) -> dict:
    """systems: name → function(query) returning the ranked texts (title+text) of the top 10."""
    report: dict = {}
    misses: dict[str, list[str]] = defaultdict(list)
    for name, run in systems.items():
        overall, by_cat, by_split = Scores(), defaultdict(Scores), defaultdict(Scores)
        for g in gold:
            rank = first_hit(run(g.query)[:10], g.expect)
            overall.add(rank)
            by_cat[g.category].add(rank)
            by_split[g.split].add(rank)
            if rank is None or rank > 5:
                misses[name].append(g.id)
        report[name] = {
            "overall": overall.as_dict(),
            "by_category": {c: s.as_dict() for c, s in sorted(by_cat.items())},
            "by_split": {c: s.as_dict() for c, s in sorted(by_split.items())},
            "misses@5": misses[name],
        }
    return report


def format_report(report: dict) -> str:
    lines = []
    cats = sorted({c for r in report.values() for c in r["by_category"]})
    header = f"{'system':<10} {'':<14} {'n':>3} {'R@1':>6} {'(95% CI)':>13} {'R@5':>6} {'(95% CI)':>13} {'MRR@10':>7}"
    lines.append(header)
    for name, r in report.items():
        rows = [("overall", r["overall"])] + [(f"split:{k}", v) for k, v in r["by_split"].items()] + \
               [(c, r["by_category"][c]) for c in cats if c in r["by_category"]]
        for label, s in rows:
            ci1 = "{:.2f}–{:.2f}".format(*s["recall@1_ci95"])
            ci5 = "{:.2f}–{:.2f}".format(*s["recall@5_ci95"])
            lines.append(f"{name:<10} {label:<14} {s['n']:>3} {s['recall@1']:>6.3f} {ci1:>13} {s['recall@5']:>6.3f} {ci5:>13} {s['mrr@10']:>7.3f}")
        lines.append("")
    return "\n".join(lines)
