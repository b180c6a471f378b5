"""Rank fusion as pure functions: rankings in, one ranking out.

A ranking is a list of ids, best first. Kept free of any index so it can be
tested and tuned on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def rrf(rankings: Mapping[str, Sequence[str]], *, k: int = 60, weights: Mapping[str, float] | None = None,
        item_weights: Mapping[str, Mapping[str, float]] | None = None) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = Σ w_r · v_r(d) / (k + rank_r(d)), rank from 1.

    `item_weights[r][d]` (default 1) lets a list say how much it believes in each
    of its own entries, e.g. how much of the query a keyword hit actually covers.
    """
    weights = weights or {}
    item_weights = item_weights or {}
    scores: dict[str, float] = {}
    for name, ranking in rankings.items():
        w = weights.get(name, 1.0)
        per_item = item_weights.get(name, {})
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w * per_item.get(doc_id, 1.0) / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi == lo:
        return {d: 1.0 for d in scores}
    return {d: (s - lo) / (hi - lo) for d, s in scores.items()}


def convex(scored: Mapping[str, Mapping[str, float]], *, weights: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    """Weighted sum of min–max normalised scores; a list missing a document adds 0."""
    weights = weights or {}
    total: dict[str, float] = {}
    for name, scores in scored.items():
        w = weights.get(name, 1.0)
        for doc_id, s in min_max(scores).items():
            total[doc_id] = total.get(doc_id, 0.0) + w * s
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
