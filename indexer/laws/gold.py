"""The hand-labelled reference gold (tests/laws/refs_gold.jsonl) and how a resolver is scored on it.

Each gold line is one citation in one of the 21 statutes: where it stands (source article,
paragraph, item; start/end offsets in the file), its text, and the provision it points at
(law id when the law is one of the 21, else its law number and title; article label;
paragraph; item, or a list of items for 前各号/前二号/第二項各号). `kind` is "same-law" when
the target is the citing statute itself (whatever the wording: 前条, 第五条, or the statute's
own name), "cross-law" otherwise.

Two splits: "dev" (184 references, labelled first and read while indexer/laws/refs.py was
written, so figures on it flatter that resolver) and "heldout" (68 references of two statutes
not read before, labelled after the resolver was written and before either tool ran on them).

Scoring, per kind, over the gold references (n):
  resolution rate = resolved / n     (the tool named some target)
  precision       = correct / resolved
  recall          = correct / n      (the correct-resolution rate)
A prediction is correct when law, article, paragraph and item all equal the gold target.
「第十二条第二号」 names an item of an article's only paragraph, so a paragraph left open with
an item given counts as paragraph 1, for gold and prediction alike. A law outside the corpus
matches on its law number when both sides have one, else on its title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# 第N項／第N号 with no 第N条 and no law name before it (「第三項」, 「第二号」, 「附則第二項」): the
# class jlawcite's locator cannot read, scored apart as "bare" (a subset of same-law).
BARE_RE = re.compile(r"^(?:附則)?第[〇一二三四五六七八九十百千]+[項号]")


@dataclass(frozen=True)
class Target:
    """What a citation points at. items: () for the whole paragraph/article."""

    law_id: str | None
    law_number: str | None
    law_title: str | None
    article: str
    paragraph: int | None = None
    items: tuple[int, ...] = ()

    def normalized(self) -> tuple[int | None, tuple[int, ...]]:
        paragraph = 1 if self.paragraph is None and self.items else self.paragraph
        return paragraph, tuple(sorted(self.items))

    def matches(self, gold: Target) -> bool:
        if gold.law_id is not None or self.law_id is not None:
            if self.law_id != gold.law_id:
                return False
        elif gold.law_number and self.law_number:
            if gold.law_number != self.law_number:
                return False
        elif gold.law_title != self.law_title:
            return False
        return self.article == gold.article and self.normalized() == gold.normalized()


@dataclass(frozen=True)
class GoldRef:
    id: str
    law_id: str
    source_article: str  # article key
    source_paragraph: int
    source_item: str | None  # item label 「一の二」
    text: str
    start: int
    end: int
    kind: str  # same-law | cross-law
    form: str  # relative | named | explicit
    target: Target
    split: str = "dev"  # dev: seen while writing the resolver; heldout: labelled after it


def load_gold(path: Path) -> list[GoldRef]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        t = g["target"]
        item = t["item"]
        items = tuple(item) if isinstance(item, list) else (() if item is None else (item,))
        out.append(GoldRef(
            g["id"], g["law_id"], g["source"]["article_key"], g["source"]["paragraph"],
            g["source"]["item_label"], g["text"], g["start"], g["end"], g["kind"], g["form"],
            Target(t["law_id"], t["law_number"], t["law_title"], t["article"], t["paragraph"], items),
            g.get("split", "dev"),
        ))
    return out


@dataclass(frozen=True)
class Rates:
    n: int
    resolved: int
    correct: int

    @property
    def resolution_rate(self) -> float:
        return self.resolved / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.resolved if self.resolved else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.n if self.n else 0.0


def match_predictions(gold: list[GoldRef], spans: dict[str, list[tuple[int, int, Target | None]]]) -> dict[str, Target | None]:
    """Gold id → the target of the predicted citation that overlaps it most (None: no prediction).

    spans: law id → (start, end, target or None when read but unresolved) for each citation a
    tool found in that statute's text.
    """
    out: dict[str, Target | None] = {}
    for g in gold:
        best: tuple[int, Target | None] | None = None
        for start, end, target in spans.get(g.law_id, []):
            overlap = min(g.end, end) - max(g.start, start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, target)
        out[g.id] = best[1] if best else None
    return out


def classes(gold: list[GoldRef]) -> dict[str, list[GoldRef]]:
    """The gold by class: same-law, cross-law, bare (same-law citations 第N項／第N号 alone), all."""
    return {
        "same-law": [g for g in gold if g.kind == "same-law"],
        "cross-law": [g for g in gold if g.kind == "cross-law"],
        "bare": [g for g in gold if g.kind == "same-law" and BARE_RE.match(g.text)],
        "all": list(gold),
    }


def score(gold: list[GoldRef], predictions: dict[str, Target | None]) -> dict[str, Rates]:
    """Rates per class of `classes`; predictions map gold id → target or None."""
    out: dict[str, Rates] = {}
    for cls, refs in classes(gold).items():
        resolved = [g for g in refs if predictions.get(g.id) is not None]
        correct = [g for g in resolved if predictions[g.id].matches(g.target)]
        out[cls] = Rates(len(refs), len(resolved), len(correct))
    return out
