"""Japanese labels for the values the indexer stores as codes."""

from __future__ import annotations

from indexer.corpus.schema import ERA_LABELS, ERAS, KIND_LABELS, KINDS, TARGET_TYPES

__all__ = ["ERA_LABELS", "ERAS", "KIND_LABELS", "KINDS", "TARGET_TYPES", "TARGET_TYPE_LABELS", "MODE_LABELS",
           "LINK_TYPE_LABELS", "ERA_SHORT", "pillar_label", "year_span"]

TARGET_TYPE_LABELS = {"numeric": "数値目標", "qualitative": "定性目標", "milestone": "工程（期限付き）"}
MODE_LABELS = {"hybrid": "ハイブリッド", "keyword": "キーワード", "semantic": "意味検索"}
ERA_SHORT = {"kaizoron": "列島改造論", "1.0": "1.0", "2.0": "2.0"}
LINK_TYPE_LABELS = {
    "pillar": "所属する柱", "measure": "施策と目標", "pair": "1.0の反省と2.0の対",
    "counterpart": "比較表の同じ行", "illustrates": "事例", "motivates": "根拠となるデータ", "related": "関連",
    "same-goal": "同じ目標の別の記載", "cites": "引用している条文", "cited_by": "引用されている",
}


def pillar_label(n: int | None, titles: dict[int, str], short: bool = False) -> str:
    if not n:
        return ""
    if short:
        return f"柱{n}"
    return f"柱{n}　{titles.get(n, '')}".rstrip()


def year_span(low: int | None, high: int | None) -> str:
    """An inclusive range of years as officials write it: 2030年, 2025年〜2030年, 2027年まで, 2030年以降."""
    if low is not None and low == high:
        return f"{low}年"
    if low is not None and high is not None:
        return f"{low}年〜{high}年"
    if high is not None:
        return f"{high}年まで"
    return f"{low}年以降" if low is not None else ""
