"""`/targets`: every KPI / target in one table — server-side sort and filter through the URL
(?sort=deadline_year&order=asc&pillar=2&type=numeric&year=2030), a timeline by deadline year,
and the same rows as `/targets.csv` and `/api/targets` (`/targets.json`)."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.engine_errors import QueryError
from webapp import get_engine
from webapp.facets import FacetItem, PillarFacet, TargetTypeFacet, YearFacet
from webapp.labels import KIND_LABELS, TARGET_TYPE_LABELS, TARGET_TYPES
from webapp.urls import url_with

bp = Blueprint("targets", __name__)

# URL sort key → (column heading, row field)
SORTS = {
    "order": ("文書順", "order"),
    "measure": ("施策", "measure_title"),
    "pillar": ("柱", "pillar"),
    "metric": ("指標", "metric"),
    "value": ("値", "value_sort"),
    "unit": ("単位", "unit"),
    "deadline": ("期限", "deadline"),
    "deadline_year": ("期限年", "deadline_year"),
    "type": ("種別", "type"),
}
NO_YEAR = "none"


def _value_text(t: dict) -> str:
    v = t.get("value")
    if v is not None:
        return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"
    return t.get("value_text") or ""


def target_rows() -> list[dict]:
    """One row per target record, in the document's reading order (built once per app; treat as read-only)."""
    cached = current_app.extensions.get("policykb_target_rows")
    if cached is None:
        cached = current_app.extensions["policykb_target_rows"] = _build_target_rows()
    return cached


def _build_target_rows() -> list[dict]:
    engine = get_engine()
    rows = []
    for n, rec in enumerate(r for r in engine.records if r["kind"] == "target"):
        spec = rec["targets"][0] if rec["targets"] else {"type": None}
        owner = next((engine.by_id[l["id"]] for l in rec["links"] if l["type"] == "measure" and l["id"] in engine.by_id),
                     None)
        pillar = rec["pillar"] or (owner["pillar"] if owner else None)
        rows.append({
            "order": n + 1, "id": rec["id"], "url": f"/records/{rec['id']}", "wording": spec.get("wording", rec["text"]),
            "measure_id": owner["id"] if owner else None, "measure_title": owner["title"] if owner else "",
            "measure_kind": KIND_LABELS.get(owner["kind"], "") if owner else "",
            "measure_url": f"/records/{owner['id']}" if owner else None,
            "pillar": pillar, "metric": spec.get("metric") or "", "value": spec.get("value"),
            "value_text": spec.get("value_text") or "", "value_display": _value_text(spec),
            "value_sort": spec.get("value") if spec.get("value") is not None else None,
            "unit": spec.get("unit") or "", "deadline": spec.get("deadline") or "",
            "deadline_year": spec.get("deadline_year"), "type": spec.get("type"),
            "type_label": TARGET_TYPE_LABELS.get(spec.get("type"), ""), "section": rec["section"],
            "citation": rec["citation"]["text"],
        })
    return rows


def parse_target_args(args) -> dict:
    sort = args.get("sort") or "order"
    if sort not in SORTS:
        raise QueryError(f"並べ替え sort '{sort}' は不明です。指定できる値: {', '.join(SORTS)}")
    order = args.get("order") or "asc"
    if order not in ("asc", "desc"):
        raise QueryError(f"並び順 order '{order}' は不明です。指定できる値: asc, desc")
    pillar = args.get("pillar") or None
    if pillar is not None and pillar not in {"1", "2", "3", "4", "5"}:
        raise QueryError(f"柱 '{pillar}' は不明です。指定できる値: 1, 2, 3, 4, 5")
    ttype = args.get("type") or None
    if ttype is not None and ttype not in TARGET_TYPES:
        raise QueryError(f"目標の種別 type '{ttype}' は不明です。指定できる値: {', '.join(TARGET_TYPES)}")
    year = args.get("year") or None
    if year is not None and year != NO_YEAR:
        try:
            y = int(year)
        except ValueError:
            raise QueryError(f"期限年 year '{year}' は西暦の整数（例: 2030）か none で指定してください") from None
        if not 1900 <= y <= 2100:
            raise QueryError(f"期限年 year '{year}' は1900〜2100の範囲で指定してください")
        year = str(y)
    return {"sort": sort, "order": order, "pillar": pillar, "type": ttype, "year": year}


def _matches(row: dict, state: dict, skip: str | None = None) -> bool:
    if skip != "pillar" and state["pillar"] and str(row["pillar"]) != state["pillar"]:
        return False
    if skip != "type" and state["type"] and row["type"] != state["type"]:
        return False
    if skip != "year" and state["year"]:
        if state["year"] == NO_YEAR:
            return row["deadline_year"] is None
        return str(row["deadline_year"]) == state["year"]
    return True


def select_rows(state: dict) -> list[dict]:
    rows = [r for r in target_rows() if _matches(r, state)]
    field = SORTS[state["sort"]][1]
    present = [r for r in rows if r[field] not in (None, "")]
    missing = [r for r in rows if r[field] in (None, "")]
    present.sort(key=lambda r: (r[field], r["order"]), reverse=state["order"] == "desc")
    return present + missing  # blanks last, whichever the direction


def timeline(rows: list[dict]) -> list[dict]:
    years = sorted({r["deadline_year"] for r in rows if r["deadline_year"]})
    groups = [{"year": y, "label": f"{y}年", "rows": sorted((r for r in rows if r["deadline_year"] == y),
                                                            key=lambda r: r["order"])} for y in years]
    undated = [r for r in rows if not r["deadline_year"]]
    if undated:
        groups.append({"year": None, "label": "期限なし", "rows": sorted(undated, key=lambda r: r["order"])})
    return groups


def state_args(state: dict) -> dict[str, str]:
    args = {k: v for k, v in state.items() if v}
    if args.get("sort") == "order":
        args.pop("sort")
    if args.get("order") == "asc":
        args.pop("order")
    return args


def targets_payload(args) -> dict:
    state = parse_target_args(args)
    rows = select_rows(state)
    return {"filters": {k: state[k] for k in ("pillar", "type", "year") if state[k]},
            "sort": state["sort"], "order": state["order"], "total": len(rows), "targets": rows}


def _facets(state: dict, args: dict) -> list:
    all_rows = target_rows()
    titles = current_app.extensions["policykb_pillar_titles"]
    out = []
    for facet, key, skip in ((PillarFacet(titles), "pillar", "pillar"), (TargetTypeFacet(), "type", "type"),
                             (YearFacet(), "deadline_year", "year")):
        counts = Counter(str(r[key]) for r in all_rows if r[key] is not None and _matches(r, state, skip))
        res = facet.facet_results(dict(counts), args, "/targets")
        if facet.name == "year":
            n = sum(1 for r in all_rows if r["deadline_year"] is None and _matches(r, state, "year"))
            selected = state["year"] == NO_YEAR
            if n or selected:
                res.items.append(FacetItem(NO_YEAR, "期限なし", n, selected,
                                           url_with(args, "/targets", year=None if selected else NO_YEAR)))
        out.append(res)
    return out


@bp.get("/targets")
def targets():
    state = parse_target_args(request.args)
    rows = select_rows(state)
    args = state_args(state)
    headers = []
    for key, (label, _) in SORTS.items():
        if key == "order":
            continue
        active = state["sort"] == key
        next_order = "desc" if active and state["order"] == "asc" else "asc"
        headers.append({"key": key, "label": label, "active": active, "order": state["order"] if active else None,
                        "url": url_with(args, "/targets", sort=key, order=None if next_order == "asc" else next_order)})
    return render_template("targets.html", rows=rows, state=state, args=args, headers=headers,
                           facets=_facets(state, args), timeline=timeline(rows), total_all=len(target_rows()),
                           csv_url=url_with(args, "/targets.csv"), json_url=url_with(args, "/targets.json"))


@bp.get("/targets.json")
def targets_json():
    return jsonify(targets_payload(request.args))


CSV_COLUMNS = ("ID", "目標（原文）", "施策", "施策ID", "柱", "指標", "値", "単位", "期限", "期限年", "種別", "URL", "引用")


@bp.get("/targets.csv")
def targets_csv():
    from webapp.search import csv_response

    data = targets_payload(request.args)
    base = request.host_url.rstrip("/")
    rows: list[list] = [list(CSV_COLUMNS)]
    for r in data["targets"]:
        rows.append([r["id"], r["wording"], r["measure_title"], r["measure_id"], r["pillar"], r["metric"],
                     r["value_display"], r["unit"], r["deadline"], r["deadline_year"], r["type_label"],
                     base + r["url"], r["citation"]])
    return csv_response(rows, "policykb-targets.csv")
