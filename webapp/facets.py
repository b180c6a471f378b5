"""Facets as small classes (datasette style): each turns value counts into items
that carry the URL toggling that value, so the whole UI state lives in the URL."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.corpus.collections import DEFAULT_COLLECTIONS
from indexer.search.filters import collection_labels
from indexer.corpus.prefectures import PREFECTURES
from webapp.labels import ERA_LABELS, ERAS, KIND_LABELS, KINDS, TARGET_TYPE_LABELS, TARGET_TYPES
from webapp.urls import toggled, url_with


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str

    def as_dict(self) -> dict:
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected,
                "toggle_url": self.toggle_url}


@dataclass(frozen=True)
class FacetResult:
    name: str
    label: str
    items: list[FacetItem]

    @property
    def selected(self) -> list[FacetItem]:
        return [i for i in self.items if i.selected]

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "items": [i.as_dict() for i in self.items]}


class Facet:
    """One filter dimension. `name` is both the URL argument and the key of the engine's facet counts."""

    name = ""
    label = ""

    def value_label(self, value: str) -> str:
        return value

    def order(self, counts: dict[str, int]) -> list[str]:
        """Values in display order; default: by count, then value."""
        return sorted(counts, key=lambda v: (-counts[v], v))

    #: False for a facet that holds one value at a time (a click replaces it).
    multiple = True

    def facet_results(self, counts: dict[str, int], args: dict, endpoint: str | None = None) -> FacetResult:
        raw = args.get(self.name) or []
        chosen = [raw] if isinstance(raw, str) else list(raw)
        values = self.order(counts)
        values = [v for v in chosen if v not in values] + values
        items = []
        for v in values:
            selected = v in chosen
            if self.multiple:
                new = toggled(args, self.name, v)
            else:
                new = None if selected else v
            items.append(FacetItem(v, self.value_label(v), counts.get(v, 0), selected,
                                   url_with(args, endpoint, **{self.name: new})))
        return FacetResult(self.name, self.label, items)


class _FixedOrderFacet(Facet):
    values: tuple[str, ...] = ()

    def order(self, counts: dict[str, int]) -> list[str]:
        known = [v for v in self.values if v in counts]
        return known + sorted(v for v in counts if v not in self.values)


class KindFacet(_FixedOrderFacet):
    name, label = "kind", "種別"
    values = KINDS

    def value_label(self, value: str) -> str:
        return KIND_LABELS.get(value, value)


class PillarFacet(_FixedOrderFacet):
    name, label = "pillar", "政策の柱"
    values = ("1", "2", "3", "4", "5")

    def __init__(self, titles: dict[int, str]):
        self.titles = titles

    def value_label(self, value: str) -> str:
        return f"柱{value}　{self.titles.get(int(value), '')}" if value.isdigit() else value


class EraFacet(_FixedOrderFacet):
    name, label = "era", "時代"
    values = ERAS

    def value_label(self, value: str) -> str:
        return ERA_LABELS.get(value, value)


class PrefectureFacet(Facet):
    name, label = "prefecture", "都道府県"

    def order(self, counts: dict[str, int]) -> list[str]:
        rank = {p: i for i, p in enumerate(PREFECTURES)}
        return sorted(counts, key=lambda v: (-counts[v], rank.get(v, 99)))


class DeadlineYearFacet(Facet):
    """Deadline years: a click narrows to that one year (deadline_from = deadline_to), a second click clears."""

    name, label = "deadline_year", "目標の期限年"
    low, high = "deadline_from", "deadline_to"

    def value_label(self, value: str) -> str:
        return f"{value}年"

    def order(self, counts: dict[str, int]) -> list[str]:
        return sorted(counts)

    def facet_results(self, counts: dict[str, int], args: dict, endpoint: str | None = None) -> FacetResult:
        lo, hi = args.get(self.low), args.get(self.high)
        items = []
        for v in self.order(counts):
            selected = lo == v and hi == v
            inside = (lo is None or int(v) >= int(lo)) and (hi is None or int(v) <= int(hi)) and (lo or hi)
            url = url_with(args, endpoint, **{self.low: None if selected else v, self.high: None if selected else v})
            items.append(FacetItem(v, self.value_label(v), counts.get(v, 0), bool(selected or inside), url))
        return FacetResult(self.name, self.label, items)


class ThemeFacet(Facet):
    name, label = "theme", "テーマ"


class TargetTypeFacet(_FixedOrderFacet):
    name, label = "type", "目標の種別"
    values = TARGET_TYPES

    def value_label(self, value: str) -> str:
        return TARGET_TYPE_LABELS.get(value, value)


class YearFacet(DeadlineYearFacet):
    label = "期限年"


class DocumentFacet(Facet):
    """Which source document (the seed, a statute, an ingested policy text): labelled by its title."""

    name, label = "document", "資料"

    def __init__(self, titles: dict[str, str]):
        self.titles = titles

    def value_label(self, value: str) -> str:
        return self.titles.get(value, value)


class CollectionFacet(_FixedOrderFacet):
    """What to search: 地域政策 (the default), 全法令. A count is what that collection alone gives,
    so a click shows exactly those results (one collection at a time; the form's checkboxes
    choose both)."""

    name, label = "collection", "検索対象"
    multiple = False

    @property
    def values(self) -> tuple[str, ...]:  # the corpus's collections and any registered since
        return tuple(collection_labels())

    def value_label(self, value: str) -> str:
        return collection_labels().get(value, value)

    def facet_results(self, counts: dict[str, int], args: dict, endpoint: str | None = None) -> FacetResult:
        raw = args.get(self.name) or list(DEFAULT_COLLECTIONS)
        chosen = [raw] if isinstance(raw, str) else list(raw)
        items = []
        for v in self.order(counts):
            only = chosen == [v]
            # Clicking the collection searched alone goes back to the default; any other shows it alone.
            target = None if (only or v in DEFAULT_COLLECTIONS and len(DEFAULT_COLLECTIONS) == 1) else v
            items.append(FacetItem(v, self.value_label(v), counts.get(v, 0), v in chosen,
                                   url_with(args, endpoint, **{self.name: target})))
        return FacetResult(self.name, self.label, items)


def search_facets(titles: dict[int, str], documents: dict[str, str] | None = None,
                  collections: bool = False) -> list[Facet]:
    """The search page's facets; 検索対象 first when a large collection (全法令) is held."""
    return [*([CollectionFacet()] if collections else []), KindFacet(), PillarFacet(titles), EraFacet(),
            PrefectureFacet(), DeadlineYearFacet(), DocumentFacet(documents or {})]
