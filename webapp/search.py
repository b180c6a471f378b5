"""Search: `/` and `/search` (HTML), `/search.json`, `/search.csv` — one query path (webapp.query)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.search.filters import MAX_QUERY_CHARS
from webapp.context import base_url, get_engine
from webapp.csv_export import csv_response
from webapp.facets import search_facets
from webapp.labels import ERA_LABELS, KIND_LABELS, year_span
from webapp.targets import deadline_cells
from webapp.query import EXAMPLE_QUERIES, EXPORT_CAP, page_numbers, parse_params, run_search
from webapp.urls import url_with
from webapp.template_filters import place_label

bp = Blueprint("search", __name__)


@bp.app_context_processor
def _query_limit() -> dict:
    # The length the engine refuses beyond (indexer.search.filters.parse_query), said under the box before sending.
    return {"max_query_chars": MAX_QUERY_CHARS}



def search_json(params) -> dict:
    """The API body: the engine's response plus `url` per result and paging."""
    return run_search(get_engine(), params)


@dataclass(frozen=True)
class CorpusPart:
    """One kind of material the knowledge base holds, as the home page and the footer describe it."""

    key: str                      # seed / statutes / documents / laws
    name: str
    documents: int
    kinds: tuple[dict, ...]       # {kind, label, count}, only the kinds it has
    detail: str = ""              # the seed's publisher『title』（date）, the statutes' publisher
    titles: tuple[str, ...] = ()  # the statutes' names
    units: int = 0                # 全法令: searchable units (条・項)

    @property
    def total(self) -> int:
        return sum(k["count"] for k in self.kinds) or self.units


def corpus_parts() -> list[CorpusPart]:
    """What is inside, by part — the seed material, the statutes, other ingested documents, 全法令 —
    with record counts by kind (kinds with none are left out: no 「本文 0件」). Computed once per app."""
    cached = current_app.extensions.get("policykb_corpus_parts")
    if cached is not None:
        return cached
    engine = get_engine()
    by_part: dict[str, Counter] = {"seed": Counter(), "statutes": Counter(), "documents": Counter()}
    docs: dict[str, dict[str, dict]] = {"seed": {}, "statutes": {}, "documents": {}}
    for r in engine.records:
        # A statute's records carry `law`; ingested policy text is cut into 本文 passages; the rest is the seed.
        part = "statutes" if r.get("law") else "documents" if r["kind"] == "passage" else "seed"
        by_part[part][r["kind"]] += 1
        docs[part].setdefault(r["source"], r)

    def kinds(counts: Counter) -> tuple[dict, ...]:
        return tuple({"kind": k, "label": KIND_LABELS[k], "count": counts[k]} for k in KIND_LABELS if counts.get(k))

    parts = []
    if docs["seed"]:
        cit = next(iter(docs["seed"].values()))["citation"]
        detail = f"{cit['publisher']}『{cit['source_title']}』（{cit.get('date_label') or cit['date']}）"
        parts.append(CorpusPart("seed", "地方創生2.0基本構想と関連資料", len(docs["seed"]), kinds(by_part["seed"]), detail))
    if docs["statutes"]:
        first = next(iter(docs["statutes"].values()))
        # In the order they were enacted (a law id begins with its era and year), as statute lists are read.
        titles = tuple(r["law"].get("law_title") or r["source_title"] for _, r in sorted(docs["statutes"].items()))
        parts.append(CorpusPart("statutes", "関係法令", len(docs["statutes"]), kinds(by_part["statutes"]),
                                first["citation"]["publisher"], titles))
    if docs["documents"]:
        parts.append(CorpusPart("documents", "取り込んだ政策資料", len(docs["documents"]), kinds(by_part["documents"])))
    laws = (engine.manifest.get("collections") or {}).get("laws")
    if laws and "laws" in engine.available_collections():
        parts.append(CorpusPart("laws", "全法令（e-Gov）", int(laws.get("documents") or 0), (),
                                "e-Gov法令検索（デジタル庁）", units=int(laws.get("units") or 0)))
    current_app.extensions["policykb_corpus_parts"] = parts
    return parts


@bp.app_context_processor
def _corpus_summary() -> dict:
    # The footer says what every page draws on (not only the seed): the parts and their sizes.
    return {"corpus_parts": corpus_parts}


def overview() -> dict:
    engine = get_engine()
    kinds = Counter(r["kind"] for r in engine.records)
    measures_by_pillar = Counter(r["pillar"] for r in engine.records if r["kind"] == "measure" and r["pillar"])
    cases_by_pillar = Counter(r["pillar"] for r in engine.records if r["kind"] == "case" and r["pillar"])
    targets_by_pillar = Counter(r["pillar"] for r in engine.records if r["kind"] == "target" and r["pillar"])
    titles = current_app.extensions["policykb_pillar_titles"]
    pillars = [{"pillar": n, "title": titles.get(n, ""), "measures": measures_by_pillar.get(n, 0),
                "cases": cases_by_pillar.get(n, 0), "targets": targets_by_pillar.get(n, 0),
                "record_id": f"pillar-{n}" if f"pillar-{n}" in engine.by_id else None}
               for n in sorted(titles)]
    return {"total": len(engine.records),
            "kinds": [{"kind": k, "label": KIND_LABELS[k], "count": kinds[k]} for k in KIND_LABELS if kinds.get(k)],
            "pillars": pillars, "examples": list(EXAMPLE_QUERIES), "manifest": engine.manifest,
            "parts": corpus_parts()}


def _document_titles() -> dict[str, str]:
    """Source id → short title, for the document facet (computed once per app)."""
    titles = current_app.extensions.get("policykb_document_titles")
    if titles is None:
        titles = {r["source"]: r.get("source_title") or r["source"] for r in get_engine().records}
        current_app.extensions["policykb_document_titles"] = titles
    return titles


def _page():
    params = parse_params(request.args)
    if params.is_overview:
        # An empty search box sent on purpose (q present but blank) gets a word, not a silent home page.
        asked_empty = "q" in request.args and request.endpoint == "search.search"
        return render_template("overview.html", params=params, ov=overview(), asked_empty=asked_empty)
    data = search_json(params)
    args = params.url_args()
    engine = get_engine()
    titles = _document_titles()
    unknown = [d for d in data["facets"].get("document", {}) if d not in titles]
    if unknown:  # documents of 全法令: their titles come from the collection's store
        titles = {**titles, **engine.document_titles(unknown)}
    facets = [f.facet_results(data["facets"].get(f.name, {}), args, "search.search")
              for f in search_facets(current_app.extensions["policykb_pillar_titles"], titles,
                                     collections=len(engine.available_collections()) > 1)]
    chips = [(f.label, item.label, item.toggle_url) for f in facets
             if f.name not in ("deadline_year", "collection") for item in f.selected]
    lo, hi = params.filters.deadline_from, params.filters.deadline_to
    if lo is not None or hi is not None:
        chips.append(("目標の期限年", year_span(lo, hi), url_with(args, "search.search", deadline_from=None, deadline_to=None)))
    return render_template(
        "search.html", params=params, data=data, facets=facets, chips=chips, args=args,
        pages=page_numbers(params.page, data["pages"]),
        json_url=url_with(args, "search.search_dot_json"), csv_url=url_with(args, "search.search_csv"))


@bp.get("/")
def index():
    return _page()


@bp.get("/search")
def search():
    return _page()


def export_json(params) -> dict:
    """Every row the query returns (not the page shown), up to EXPORT_CAP, which the export names when reached."""
    data = run_search(get_engine(), replace(params, k=EXPORT_CAP, page=1))
    data["export"] = {"cap": EXPORT_CAP, "capped": data["total"] > EXPORT_CAP, "rows": len(data["results"])}
    return data


@bp.get("/search.json")
def search_dot_json():
    return jsonify(export_json(parse_params(request.args)))


CSV_COLUMNS = ("順位", "ID", "種別", "タイトル", "政策の柱", "時代", "地域", "期限", "期限の基準", "値", "節", "抜粋", "スコア",
               "URL", "引用")


@bp.get("/search.csv")
def search_csv():
    params = parse_params(request.args)
    data = export_json(params)
    base = base_url()  # configured, else relative: never the Host header
    rows: list[list] = [list(CSV_COLUMNS)]
    for n, r in enumerate(data["results"], start=data["offset"] + 1):
        rows.append([n, r["id"], KIND_LABELS.get(r["kind"], r["kind"]), r["title"], r["pillar"] or "",
                     ERA_LABELS.get(r["era"], "") if r["era"] else "", place_label(r["place"]),
                     *deadline_cells(r.get("targets") or []), r["section"],
                     r["snippet"], "" if r["score"] is None else r["score"], base + r["url"], r["citation"]["text"]])
    if data["export"]["capped"]:
        rows.append([f"（全{data['total']:,}件のうち上限の{EXPORT_CAP:,}件まで出力しました。絞り込むと残りも出力できます）"])
    return csv_response(rows, "policykb-search.csv")
