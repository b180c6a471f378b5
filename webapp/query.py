"""The one query path behind /search, /search.json, /search.csv and /api/search.

Request arguments become a `SearchParams` (or a QueryError with a Japanese
message, which the app turns into a 400), validated by indexer.search.filters.
With a query, the engine searches; with no query but with filters, the
matching records are listed in reading order ("browse"), with the same facets,
so a facet link never needs a query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from indexer.errors import QueryError
from indexer.search import Filters, SearchEngine, parse_filters, result_dict
from indexer.search.engine import EXPORT_MAX_K, MAX_K
from indexer.search.filters import parse_int, parse_mode, parse_query
from webapp.urls import record_url

DEFAULT_K = 10
#: Queries the home page and a query without a searchable word suggest.
EXAMPLE_QUERIES = (
    "交通空白", "若者や女性に選ばれる地方", "二地域居住", "関係人口", "自動運転", "地方創生1.0の反省",
    "農林水産業の付加価値", "デジタル人材の育成", "広域リージョン連携", "防災",
)
MAX_PAGE = 10_000
# .csv and .json twins export the whole result list up to this many rows; the page size is only for display.
EXPORT_CAP = EXPORT_MAX_K


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    mode: str = "hybrid"
    k: int = DEFAULT_K
    page: int = 1
    filters: Filters = field(default_factory=Filters)
    #: A query of nothing but invisible characters, as sent (q is then empty): answered as a query
    #: without a searchable word, not as the home page or a listing of every record.
    invisible: str = ""

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.k

    def filter_args(self) -> dict:
        """The active filters as URL arguments (normalised values, e.g. 島根 → 島根県; lists for facets)."""
        return {name: [str(v) for v in value] if isinstance(value, list) else str(value)
                for name, value in self.filters.active().items()}

    def url_args(self) -> dict:
        """The whole state as URL arguments, defaults left out."""
        args: dict = {}
        if self.q:
            args["q"] = self.q
        if self.mode != "hybrid":
            args["mode"] = self.mode
        if self.k != DEFAULT_K:
            args["k"] = str(self.k)
        args.update(self.filter_args())
        if self.page != 1:
            args["page"] = str(self.page)
        return args

    @property
    def is_overview(self) -> bool:
        return not self.q and not self.invisible and not self.filters.active()


def parse_params(args) -> SearchParams:
    """`args` is request.args (or any mapping; lists for several values). Raises QueryError."""
    q = parse_query(args.get("q"), required=False)
    raw = (args.get("q") or "").strip()
    return SearchParams(
        q=q, invisible=raw if raw and not q else "",
        mode=parse_mode(args.get("mode")),
        k=parse_int(args.get("k"), DEFAULT_K, "件数", 1, MAX_K),
        page=parse_int(args.get("page"), 1, "ページ", 1, MAX_PAGE),
        filters=parse_filters(args),
    )


def _browse(engine: SearchEngine, params: SearchParams) -> dict:
    """No query: every record that passes the filters, in the document's reading order."""
    t0 = time.perf_counter()
    allowed = engine.filtered_ids(params.filters)
    ids = [r["id"] for r in engine.records if allowed is None or r["id"] in allowed]
    page_ids = ids[params.offset:params.offset + params.k]
    results = []
    for rid in page_ids:
        rec = engine.by_id[rid]
        snippet = rec["text"].replace("\n", " ")
        if len(snippet) > 140:
            snippet = snippet[:140] + "…"
        results.append(result_dict(rec, snippet, [], None, None))
    return {"query": "", "mode": params.mode, "total": len(ids), "took_ms": round((time.perf_counter() - t0) * 1000, 2),
            "offset": params.offset, "k": params.k, "filters": params.filters.active(),
            "facets": engine.facet_counts(ids), "results": results,
            "unavailable_collections": engine.unavailable_collections(params.filters)}


def run_search(engine: SearchEngine, params: SearchParams) -> dict:
    """The search response as a dict (the shape of `policykb search --json`) plus paging and a `url` per result."""
    if params.q or params.invisible:
        data = engine.search(params.q or params.invisible, mode=params.mode, k=params.k, offset=params.offset,
                             filters=params.filters).as_dict()
        data["browse"] = False
    else:
        data = _browse(engine, params)
        data["browse"] = True
    for r in data["results"]:
        r["url"] = record_url(r["id"])
    if data.get("no_searchable_words"):
        data["examples"] = list(EXAMPLE_QUERIES)
    total = data["total"]
    data["page"] = params.page
    data["pages"] = pages = max(1, -(-total // params.k))
    if params.page > pages:
        raise QueryError(f"ページは1〜{pages:,}の範囲で指定してください（この検索結果は全{total:,}件、{pages:,}ページです）。")
    return data


def page_numbers(page: int, pages: int, window: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 — None marks a gap."""
    wanted = {1, pages} | set(range(max(1, page - window), min(pages, page + window) + 1))
    out: list[int | None] = []
    prev = 0
    for n in sorted(wanted):
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out
