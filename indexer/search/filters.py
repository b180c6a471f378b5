"""Filters and every request-parameter validator, in one place.

The CLI, the engine and each page of the web app parse user-supplied values
here and nowhere else, so a value is accepted or refused the same way
everywhere, with the same Japanese message. A facet takes several values
(`?pillar=1&pillar=3`: any of them, OR within a facet, AND across facets);
deadlines take one inclusive range of years (`deadline_from`, `deadline_to`),
with the single-year `deadline_year` (and the targets page's `year`) kept as
aliases for a one-year range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from indexer.corpus.collections import COLLECTIONS, DEFAULT_COLLECTIONS
from indexer.corpus.prefectures import normalize_prefecture
from indexer.corpus.schema import ERAS, ID_PATTERN, KINDS, PILLARS, TARGET_TYPES
from indexer.errors import QueryError
from indexer.text.normalize import strip_format_chars

MODES = ("hybrid", "keyword", "semantic")
MAX_QUERY_CHARS = 1000
YEAR_MIN, YEAR_MAX = 1868, 2200
#: Facets whose values are matched exactly (any of the chosen values).
TERM_FACETS = ("kind", "pillar", "era", "prefecture", "document")


@dataclass(frozen=True)
class Filters:
    """What a search or listing is restricted to. Empty tuples and None mean 'no restriction'."""

    kind: tuple[str, ...] = ()
    pillar: tuple[int, ...] = ()
    era: tuple[str, ...] = ()
    prefecture: tuple[str, ...] = ()
    document: tuple[str, ...] = ()  # source ids (chihou-sousei-2.0, law-417ac0000000024-20250601)
    deadline_from: int | None = None
    deadline_to: int | None = None
    #: Which collections to search (indexer.corpus.collections); empty means the default, 地域政策.
    collection: tuple[str, ...] = ()

    def collections(self) -> tuple[str, ...]:
        return self.collection or DEFAULT_COLLECTIONS

    def terms(self) -> dict[str, tuple]:
        """Exact-match facets that are set: field → accepted values."""
        return {name: getattr(self, name) for name in TERM_FACETS if getattr(self, name)}

    def ranges(self) -> dict[str, tuple[int | None, int | None]]:
        """Inclusive ranges that are set: field → (low, high), either side may be open."""
        if self.deadline_from is None and self.deadline_to is None:
            return {}
        return {"deadline_year": (self.deadline_from, self.deadline_to)}

    def active(self) -> dict:
        """The set filters as plain values (lists for facets), for JSON and URLs."""
        out: dict = {name: list(values) for name, values in self.terms().items()}
        if self.deadline_from is not None:
            out["deadline_from"] = self.deadline_from
        if self.deadline_to is not None:
            out["deadline_to"] = self.deadline_to
        if self.collection and self.collection != DEFAULT_COLLECTIONS:
            out["collection"] = list(self.collection)
        return out

    def accepts(self, values: Mapping[str, Iterable]) -> bool:
        """Whether a record with these facet values (as `facet_values` gives them) passes."""
        for name, wanted in self.terms().items():
            if not set(wanted) & set(values.get(name, ())):
                return False
        for name, (lo, hi) in self.ranges().items():
            if not any((lo is None or v >= lo) and (hi is None or v <= hi) for v in values.get(name, ())):
                return False
        return True

    def without(self, facet: str) -> "Filters":
        """The same filters with one facet (or the deadline range) cleared: for that facet's own counts."""
        if facet in ("deadline_year", "deadline"):
            return Filters(**{**self.__dict__, "deadline_from": None, "deadline_to": None})
        return Filters(**{**self.__dict__, facet: ()})


def _values(args: Mapping, name: str) -> list[str]:
    """Every non-empty value of a parameter: request.args (getlist), a dict of lists, or single values."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        raw = args.get(name)
        raw = [] if raw is None else list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for v in raw:
        s = str(v).strip()
        if s and s not in out:
            out.append(s)
    return out


def parse_kind(value: str) -> str:
    if value not in KINDS:
        raise QueryError(f"種別「{value}」は不明です。指定できる値: {', '.join(KINDS)}")
    return value


def parse_pillar(value: str | int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if n not in PILLARS:
        raise QueryError(f"柱「{value}」は不明です。指定できる値: {', '.join(map(str, PILLARS))}")
    return n


def parse_era(value: str) -> str:
    if value not in ERAS:
        raise QueryError(f"時代「{value}」は不明です。指定できる値: {', '.join(ERAS)}")
    return value


def parse_prefecture(value: str) -> str:
    full = normalize_prefecture(str(value))
    if full is None:
        raise QueryError(f"都道府県「{value}」は不明です。47都道府県名（例: 島根県）を指定してください。")
    return full


def parse_document(value: str) -> str:
    """A source id. Unknown ids are not refused here (the filters know no corpus): they match nothing."""
    if not ID_PATTERN.match(value):
        raise QueryError(f"資料「{value}」は不明です。資料のID（例: chihou-sousei-2.0）を指定してください。")
    return value


#: Collections a search may name: name → label shown to users, in canonical order. The corpus's
#: own (indexer.corpus.collections), and any added with SearchEngine.add_collection.
_LABELS: dict[str, str] = dict(COLLECTIONS)


def collection_labels() -> dict[str, str]:
    """Every collection a search may name, in canonical order: name → label."""
    return dict(_LABELS)


def register_label(name: str, label: str) -> None:
    """Make `name` a collection that searches may name, shown as `label`."""
    if not ID_PATTERN.match(name):
        raise ValueError(f"collection name {name!r}: lower-case letters, digits and hyphens only")
    _LABELS[name] = label


def unregister_label(name: str) -> None:
    """Forget a registered collection (the corpus's own stay)."""
    if name not in COLLECTIONS:
        _LABELS.pop(name, None)


def parse_collection(values: Iterable[str]) -> tuple[str, ...]:
    """Collection names in canonical order (地域政策, 全法令, then registered ones); () for none given,
    meaning the default."""
    chosen = []
    for v in values:
        if v not in _LABELS:
            names = "、".join(f"{k}（{label}）" for k, label in _LABELS.items())
            raise QueryError(f"コレクション「{v}」はありません。指定できる値: {names}")
        chosen.append(v)
    return tuple(c for c in _LABELS if c in chosen)


def parse_year(value: str | int, label: str = "期限年") -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise QueryError(f"{label}「{value}」は西暦の整数で指定してください（例: 2030）。") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise QueryError(f"{label}「{value}」は{YEAR_MIN}〜{YEAR_MAX}の範囲で指定してください。")
    return year


def parse_target_type(value: str) -> str:
    if value not in TARGET_TYPES:
        raise QueryError(f"目標の種別「{value}」は不明です。指定できる値: {', '.join(TARGET_TYPES)}")
    return value


def parse_mode(value: str | None) -> str:
    mode = value or "hybrid"
    if mode not in MODES:
        raise QueryError(f"検索モード「{mode}」は不明です。指定できる値: {', '.join(MODES)}")
    return mode


def parse_int(value: str | int | None, default: int, label: str, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]; the message names it in Japanese (「件数」, 「ページ」)."""
    if value is None or value == "":
        return default
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise QueryError(f"{label}は{lo}〜{hi}の整数で指定してください。") from None
    if not lo <= n <= hi:
        raise QueryError(f"{label}は{lo}〜{hi}の整数で指定してください。")
    return n


def parse_query(value: str | None, *, required: bool = True) -> str:
    """The query as it is analysed: format characters removed (indexer.text.normalize), trimmed.
    Only a blank query is refused; one of nothing but invisible characters comes back empty, and the
    engine answers it as a query without a searchable word."""
    if required and not (value or "").strip():
        raise QueryError("検索語を入力してください。")
    q = strip_format_chars(value or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"検索語が長すぎます（{len(q):,}文字）。{MAX_QUERY_CHARS:,}文字以内にしてください。")
    return q


def parse_deadline_range(args: Mapping, *, aliases: tuple[str, ...] = ("deadline_year",)) -> tuple[int | None, int | None]:
    """`deadline_from`/`deadline_to` (inclusive), or a single-year alias that sets both."""
    lo = [parse_year(v, "期限の開始年") for v in _values(args, "deadline_from")]
    hi = [parse_year(v, "期限の終了年") for v in _values(args, "deadline_to")]
    if len(lo) > 1 or len(hi) > 1:
        raise QueryError("期限の範囲（deadline_from, deadline_to）はそれぞれ1つだけ指定してください。")
    low, high = (lo[0] if lo else None), (hi[0] if hi else None)
    for alias in aliases:
        years = [parse_year(v) for v in _values(args, alias)]
        if len(years) > 1:
            raise QueryError("期限年は1つだけ指定してください。範囲は deadline_from と deadline_to で指定できます。")
        if years:
            if low is not None or high is not None:
                raise QueryError("期限年と期限の範囲は同時に指定できません。")
            low = high = years[0]
    if low is not None and high is not None and low > high:
        raise QueryError(f"期限の範囲が逆です（{low}年〜{high}年）。開始年を終了年以下にしてください。")
    return low, high


def parse_filters(args: Mapping, *, deadline_aliases: tuple[str, ...] = ("deadline_year",)) -> Filters:
    """Filters from request arguments (several values per facet allowed); QueryError on a bad value."""
    low, high = parse_deadline_range(args, aliases=deadline_aliases)
    return Filters(
        kind=tuple(parse_kind(v) for v in _values(args, "kind")),
        pillar=tuple(dict.fromkeys(parse_pillar(v) for v in _values(args, "pillar"))),
        era=tuple(parse_era(v) for v in _values(args, "era")),
        prefecture=tuple(dict.fromkeys(parse_prefecture(v) for v in _values(args, "prefecture"))),
        document=tuple(dict.fromkeys(parse_document(v) for v in _values(args, "document"))),
        deadline_from=low, deadline_to=high,
        collection=parse_collection(_values(args, "collection")),
    )


def values(args: Mapping, name: str) -> list[str]:
    """Public form of the multi-value reader, for page-specific parameters (type, theme)."""
    return _values(args, name)
