"""Gold-set evaluation: Recall@1, Recall@5 and MRR@10 per mode and per category.

A result hits when NFKC(title+text) without whitespace contains NFKC(expect)
without whitespace, for any of the query's expected substrings; for a statute question, also
when the result is one of the articles it accepts (its `article` and `also_articles`, of its
`law_id`: other articles of the law that answer just as well).

A question may say which collection holds its answer (`collection`: regional | laws). A `laws`
question is scored on 全法令 when the server holds it, and otherwise counted as not held (it
cannot be answered there; the report says how many).
"""

from __future__ import annotations

import inspect
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
    collection: str | None = None  # where the answer is held: "regional", "laws", or not said
    law_id: str | None = None      # a statute question's law and accepted articles
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A ranked result as the scorer sees it: its title+text, and its law and article when it is one."""

    text: str
    law_id: str | None = None
    article: str | None = None

    @classmethod
    def of_record(cls, rec: dict) -> Hit:
        """A record (the engine's dict) as the scorer sees it."""
        law = rec.get("law") or {}
        return cls(rec["title"] + rec["text"], law.get("law_id"), law.get("article"))


def load_gold(path: Path) -> list[GoldQuery]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        expect = row["expect"] if isinstance(row["expect"], list) else [row["expect"]]
        articles = tuple(a for a in [row.get("article"), *row.get("also_articles", [])] if a)
        out.append(GoldQuery(row["id"], row["query"], row["category"], tuple(expect), row.get("split", "tune"),
                             row.get("collection"), row.get("law_id"), articles))
    return out


def first_hit(ranked: list[str | Hit], expect: tuple[str, ...], law_id: str | None = None,
              articles: tuple[str, ...] = ()) -> int | None:
    needles = [normalize_for_match(e) for e in expect]
    for rank, item in enumerate(ranked, start=1):
        hit = item if isinstance(item, Hit) else Hit(item)
        if law_id and hit.law_id and hit.law_id.upper() == law_id.upper() and hit.article in articles:
            return rank
        hay = normalize_for_match(hit.text)
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


def evaluate(gold: list[GoldQuery], systems: dict[str, Callable[..., list]],
             held: Callable[[GoldQuery], bool] = lambda g: True) -> dict:
    """systems: name → function(query[, gold question]) returning the ranked texts (title+text) or
    Hits of the top 10. held(g) says whether the server can answer g (its collection is there):
    questions it cannot are left out of the scores and listed as not held."""
    report: dict = {}
    misses: dict[str, list[str]] = defaultdict(list)
    not_held = [g.id for g in gold if not held(g)]
    for name, run in systems.items():
        overall, by_cat, by_split = Scores(), defaultdict(Scores), defaultdict(Scores)
        for g in gold:
            if g.id in not_held:
                continue
            ranked = run(g.query, g) if _takes_gold(run) else run(g.query)
            rank = first_hit(ranked[:10], g.expect, g.law_id, g.articles)
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
            "not_held": not_held,
        }
    return report


def _takes_gold(run: Callable) -> bool:
    """A system may take the question too (its collection): run(query, gold) rather than run(query)."""
    try:
        return len(inspect.signature(run).parameters) >= 2
    except (TypeError, ValueError):
        return False


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
        if r.get("not_held"):
            lines.append(f"{name:<10} {'not held':<14} {len(r['not_held']):>3}  (their collection is not on this server)")
        lines.append("")
    return "\n".join(lines)
