"""`/cases`: the case studies on a tile-grid map of Japan (counts per prefecture, click to
filter), by pillar and by theme, each with its citation; `/cases.json` = `/api/cases`.

A case naming several prefectures counts once for each; a case that names only a
region (関西, 九州…) is listed apart, under 「広域・地域名のみ」."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, current_app, jsonify, render_template, request

from dataclasses import dataclass, replace

from indexer.corpus.export import record_prefectures
from indexer.corpus.prefectures import PREFECTURES
from indexer.errors import QueryError
from indexer.search.filters import parse_pillar, parse_prefecture, values
from webapp.context import get_engine
from webapp.facets import PillarFacet, PrefectureFacet, ThemeFacet
from webapp.records import ref_item
from webapp.tilemap import tiles, viewbox
from webapp.urls import record_url, toggled, url_with
from webapp.template_filters import place_label

bp = Blueprint("cases", __name__)


def all_cases() -> list[dict]:
    return get_engine().catalog.of_kind("case")


@dataclass(frozen=True)
class CaseParams:
    """/cases filters: several values per facet (OR inside, AND across)."""

    prefecture: tuple[str, ...] = ()
    pillar: tuple[int, ...] = ()
    theme: tuple[str, ...] = ()

    def args(self) -> dict:
        return {k: [str(v) for v in getattr(self, k)] for k in ("prefecture", "pillar", "theme") if getattr(self, k)}


def parse_case_args(args) -> CaseParams:
    themes = {t for r in all_cases() for t in r["themes"]}
    chosen = values(args, "theme")
    for theme in chosen:
        if theme not in themes:
            raise QueryError(f"テーマ「{theme}」は好事例のテーマにありません。一覧のテーマから選んでください。")
    return CaseParams(prefecture=tuple(dict.fromkeys(parse_prefecture(v) for v in values(args, "prefecture"))),
                      pillar=tuple(dict.fromkeys(parse_pillar(v) for v in values(args, "pillar"))),
                      theme=tuple(chosen))


def _matches(rec: dict, state: CaseParams, skip: str | None = None) -> bool:
    if skip != "prefecture" and state.prefecture and not set(state.prefecture) & set(record_prefectures(rec)):
        return False
    if skip != "pillar" and state.pillar and rec["pillar"] not in state.pillar:
        return False
    if skip != "theme" and state.theme and not set(state.theme) & set(rec["themes"]):
        return False
    return True


def case_item(rec: dict) -> dict:
    measures = get_engine().catalog.measures_illustrated_by(rec["id"])
    return {
        "id": rec["id"], "title": rec["title"], "url": record_url(rec['id']), "pillar": rec["pillar"],
        "place": rec["place"], "place_label": place_label(rec["place"]), "prefectures": record_prefectures(rec),
        "themes": rec["themes"], "text": rec["text"], "citation": rec["citation"],
        "measures": [ref_item(m, "illustrates") for m in measures],
    }


#: Where a chosen prefecture's cases begin (the list's heading), added to the links that choose one.
CASES_ANCHOR = "#list-h"


def prefecture_counts(state: CaseParams) -> dict[str, int]:
    """Cases per prefecture under the pillar/theme filters (not the prefecture one: the map shows all)."""
    counts = Counter(p for r in all_cases() if _matches(r, state, "prefecture") for p in record_prefectures(r))
    return {p: counts.get(p, 0) for p in PREFECTURES}


def cases_payload(args) -> dict:
    state = parse_case_args(args)
    chosen = [r for r in all_cases() if _matches(r, state)]
    on_map = [case_item(r) for r in chosen if record_prefectures(r)]
    region_only = [case_item(r) for r in chosen if not record_prefectures(r)]
    return {"filters": state.args(), "total": len(chosen),
            "counts": prefecture_counts(state), "cases": on_map, "region_only": region_only}


@bp.get("/cases")
def cases():
    data = cases_payload(request.args)
    state = parse_case_args(request.args)
    args = state.args()
    titles = current_app.extensions["policykb_pillar_titles"]
    pillar_counts = Counter(str(r["pillar"]) for r in all_cases() if r["pillar"] and _matches(r, state, "pillar"))
    theme_counts = Counter(t for r in all_cases() if _matches(r, state, "theme") for t in r["themes"])
    pref_counts = {p: n for p, n in data["counts"].items() if n or p in state.prefecture}
    pref_facet = PrefectureFacet().facet_results(pref_counts, args, "cases.cases")
    # Choosing a prefecture goes to its cases: on a phone they begin far below the map and the list.
    pref_facet = replace(pref_facet, items=[item if item.selected else replace(item, toggle_url=item.toggle_url + CASES_ANCHOR)
                                            for item in pref_facet.items])
    facets = [PillarFacet(titles).facet_results(dict(pillar_counts), args, "cases.cases"),
              ThemeFacet().facet_results(dict(theme_counts), args, "cases.cases")]
    map_tiles = tiles(data["counts"], state.prefecture,
                      # A tile shows that one prefecture (the list beside the map adds several); a chosen tile un-chooses.
                      lambda p: url_with(args, "cases.cases", prefecture=toggled(args, "prefecture", p))
                      if p in state.prefecture else url_with(args, "cases.cases", prefecture=p) + CASES_ANCHOR)
    by_pillar = []
    for n in sorted({c["pillar"] for c in data["cases"]} | {c["pillar"] for c in data["region_only"]},
                    key=lambda v: v or 9):
        by_pillar.append({"pillar": n, "cases": [c for c in data["cases"] if c["pillar"] == n]})
    return render_template("cases.html", data=data, state=state, args=args, facets=facets, pref_facet=pref_facet, tiles=map_tiles,
                           viewbox=viewbox(), by_pillar=by_pillar, json_url=url_with(args, "cases.cases_json"),
                           clear_pref_url=url_with(args, "cases.cases", prefecture=None))


@bp.get("/cases.json")
def cases_json():
    return jsonify(cases_payload(request.args))
