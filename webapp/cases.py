"""`/cases`: the case studies on a tile-grid map of Japan (counts per prefecture, click to
filter), by pillar and by theme, each with its citation; `/cases.json` = `/api/cases`.

A case naming several prefectures counts once for each; a case that names only a
region (関西, 九州…) is listed apart, under 「広域・地域名のみ」."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.engine_errors import QueryError
from indexer.export import record_prefectures
from indexer.prefectures import PREFECTURES, normalize_prefecture
from webapp import get_engine
from webapp.facets import PillarFacet, ThemeFacet
from webapp.records import ref_item
from webapp.tilemap import tiles, viewbox
from webapp.urls import url_with
from webapp.views import place_label

bp = Blueprint("cases", __name__)


def all_cases() -> list[dict]:
    return [r for r in get_engine().records if r["kind"] == "case"]


def parse_case_args(args) -> dict:
    pref = args.get("prefecture") or None
    if pref is not None:
        full = normalize_prefecture(pref)
        if full is None:
            raise QueryError(f"都道府県 '{pref}' は不明です。47都道府県名（例: 島根県）を指定してください")
        pref = full
    pillar = args.get("pillar") or None
    if pillar is not None and pillar not in {"1", "2", "3", "4", "5"}:
        raise QueryError(f"柱 '{pillar}' は不明です。指定できる値: 1, 2, 3, 4, 5")
    theme = args.get("theme") or None
    if theme is not None and theme not in {t for r in all_cases() for t in r["themes"]}:
        raise QueryError(f"テーマ '{theme}' は好事例のテーマにありません。一覧のテーマから選んでください")
    return {"prefecture": pref, "pillar": pillar, "theme": theme}


def _matches(rec: dict, state: dict, skip: str | None = None) -> bool:
    if skip != "prefecture" and state["prefecture"] and state["prefecture"] not in record_prefectures(rec):
        return False
    if skip != "pillar" and state["pillar"] and str(rec["pillar"]) != state["pillar"]:
        return False
    if skip != "theme" and state["theme"] and state["theme"] not in rec["themes"]:
        return False
    return True


def case_item(rec: dict) -> dict:
    engine = get_engine()
    illustrates = [ref_item(engine.by_id[l["id"]], "illustrates") for l in rec["links"]
                   if l["type"] == "illustrates" and l["id"] in engine.by_id]
    return {
        "id": rec["id"], "title": rec["title"], "url": f"/records/{rec['id']}", "pillar": rec["pillar"],
        "place": rec["place"], "place_label": place_label(rec["place"]), "prefectures": record_prefectures(rec),
        "themes": rec["themes"], "text": rec["text"], "citation": rec["citation"],
        "measures": [i for i in illustrates if i["kind"] == "measure"],
    }


def prefecture_counts(state: dict) -> dict[str, int]:
    """Cases per prefecture under the pillar/theme filters (not the prefecture one: the map shows all)."""
    counts = Counter(p for r in all_cases() if _matches(r, state, "prefecture") for p in record_prefectures(r))
    return {p: counts.get(p, 0) for p in PREFECTURES}


def cases_payload(args) -> dict:
    state = parse_case_args(args)
    chosen = [r for r in all_cases() if _matches(r, state)]
    on_map = [case_item(r) for r in chosen if record_prefectures(r)]
    region_only = [case_item(r) for r in chosen if not record_prefectures(r)]
    return {"filters": {k: v for k, v in state.items() if v}, "total": len(chosen),
            "counts": prefecture_counts(state), "cases": on_map, "region_only": region_only}


def _state_args(state: dict) -> dict[str, str]:
    return {k: v for k, v in state.items() if v}


@bp.get("/cases")
def cases():
    data = cases_payload(request.args)
    state = parse_case_args(request.args)
    args = _state_args(state)
    titles = current_app.extensions["policykb_pillar_titles"]
    pillar_counts = Counter(str(r["pillar"]) for r in all_cases() if r["pillar"] and _matches(r, state, "pillar"))
    theme_counts = Counter(t for r in all_cases() if _matches(r, state, "theme") for t in r["themes"])
    facets = [PillarFacet(titles).facet_results(dict(pillar_counts), args, "/cases"),
              ThemeFacet().facet_results(dict(theme_counts), args, "/cases")]
    map_tiles = tiles(data["counts"], state["prefecture"],
                      lambda p: url_with(args, "/cases", prefecture=None if p == state["prefecture"] else p))
    by_pillar = []
    for n in sorted({c["pillar"] for c in data["cases"]} | {c["pillar"] for c in data["region_only"]},
                    key=lambda v: v or 9):
        by_pillar.append({"pillar": n, "cases": [c for c in data["cases"] if c["pillar"] == n]})
    return render_template("cases.html", data=data, state=state, args=args, facets=facets, tiles=map_tiles,
                           viewbox=viewbox(), by_pillar=by_pillar, json_url=url_with(args, "/cases.json"),
                           clear_pref_url=url_with(args, "/cases", prefecture=None))


@bp.get("/cases.json")
def cases_json():
    return jsonify(cases_payload(request.args))
