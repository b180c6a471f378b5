"""`/targets`: every KPI / target in one table — server-side sort and filter through the URL
(?sort=deadline_year&order=asc&pillar=2&type=numeric&year=2030), a timeline by deadline year,
and the same rows as `/targets.csv` and `/api/targets` (`/targets.json`)."""

from __future__ import annotations

from collections import Counter

from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, render_template, request
from markupsafe import Markup, escape

from indexer.corpus.deadlines import BASES, BASIS_LABELS, NO_YEAR_LABEL, basis_text, deadline_label
from indexer.corpus.numbers import value_label
from indexer.corpus.statements import segments
from indexer.errors import QueryError
from indexer.search.filters import parse_deadline_range, parse_pillar, parse_target_type, values
from webapp.context import base_url, get_engine
from webapp.csv_export import csv_response
from webapp.facets import FacetItem, PillarFacet, TargetTypeFacet, YearFacet
from webapp.labels import KIND_LABELS, TARGET_TYPE_LABELS
from webapp.urls import record_url, url_with

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


#: How the deadline filter treats fiscal years, said on the page next to the filter.
DEADLINE_FILTER_NOTE = ("期限年は原文の年・年度の数字で絞り込みます（2025年度は2025年4月〜2026年3月ですが2025として扱います）。"
                        "「2030年代」「今後10年間」などは期間の最終年（算出方法は各行に表示）です。")


def values_text(t: dict) -> str:
    """Every value a target states, as officials write them: 6,000万人; several joined: 地区 約2,000地区／…."""
    values = t.get("values") or []
    if not values:
        return value_label(t.get("value"), t.get("unit"), t.get("value_text"))
    labels = [value_label(v.get("value"), v.get("unit"), v.get("value_text")) for v in values]
    if len(values) == 1:
        return labels[0]
    return "／".join(f"{v.get('metric')} {label}" if v.get("metric") else label for v, label in zip(values, labels))


def target_deadline_label(t: dict) -> str:
    """「2027年度（会計年度）」「2034年（基本構想の対象期間10年から算出）」, or '' without a year."""
    return deadline_label(t.get("deadline_year"), t.get("deadline_basis"), t.get("deadline_note"))


def target_deadline_basis(t: dict) -> str:
    """The basis beside the phrase as written: 会計年度, 暦年, 期間の最終年 2034年（…から算出）; 年の記載なし."""
    if not t.get("deadline"):
        return ""
    return basis_text(t.get("deadline_year"), t.get("deadline_basis"), t.get("deadline_note")) or NO_YEAR_LABEL


@bp.app_template_filter("deadline_written")
def deadline_written(t: dict) -> Markup:
    """The deadline as the source writes it, its basis after it in a quieter span:
    集中対策期間（2025年度～2027年度）〔会計年度〕 — never the year alone (「期限 2027年」 hid the span)."""
    if not t.get("deadline"):
        return Markup("")
    return Markup('{}<span class="deadline-basis">〔{}〕</span>').format(t["deadline"], target_deadline_basis(t))


def deadlines_of(targets: list[dict]) -> list[dict]:
    """A record's targets with a deadline, one per phrase (a measure's KPIs often share one), in order."""
    seen: dict[str, dict] = {}
    for t in targets or []:
        if t.get("deadline") and t["deadline"] not in seen:
            seen[t["deadline"]] = t
    return list(seen.values())


@bp.app_template_global("deadlines_of")
def _deadlines_of(targets: list[dict]) -> list[dict]:
    return deadlines_of(targets)


def deadline_cells(targets: list[dict]) -> tuple[str, str, str]:
    """期限, 期限の基準 and 値 of a record's targets for a CSV row. Several targets go one per line,
    in step across the three cells, a blank held by 「—」 so the lines still pair up."""
    shown = [t for t in targets or [] if t.get("deadline") or t.get("values") or t.get("value_text")]
    blank = "—" if len(shown) > 1 else ""
    return ("\n".join(t.get("deadline") or blank for t in shown),
            "\n".join(target_deadline_basis(t) or blank for t in shown),
            "\n".join(values_text(t) or blank for t in shown))


@bp.app_template_global("deadline_range_years")
def deadline_range_years(*chosen: int | None) -> list[int]:
    """The years the range control offers: every deadline year a target has, and any year already chosen."""
    years = {r["deadline_year"] for r in target_rows() if r["deadline_year"]}
    return sorted(years | {y for y in chosen if y is not None})


def _partial(t: dict) -> list[tuple[int, int]]:
    """The measured spans of a target that shares its statement with another; [] when it measures all of it."""
    spans = [(m["start"], m["end"]) for m in t.get("measured") or []]
    return [] if spans == [(0, len(t.get("wording") or ""))] else spans


def _measured_text(t: dict) -> str:
    wording = t.get("wording") or ""
    return "／".join(wording[s:e] for s, e in _partial(t))


def marked_wording(t: dict) -> Markup:
    """The whole wording, with the part this target measures in <mark> when it shares the statement."""
    wording = t.get("wording") or ""
    spans = _partial(t)
    if not spans:
        return Markup(escape(wording))
    return Markup("").join(Markup("<mark>{}</mark>").format(text) if hit else escape(text)
                           for text, hit in segments(wording, spans))


def target_rows() -> list[dict]:
    """One row per target record, in the document's reading order (built once per app; treat as read-only)."""
    cached = current_app.extensions.get("policykb_target_rows")
    if cached is None:
        cached = current_app.extensions["policykb_target_rows"] = _build_target_rows()
    return cached


def _build_target_rows() -> list[dict]:
    catalog = get_engine().catalog
    rows = []
    for n, rec in enumerate(catalog.of_kind("target")):
        spec = rec["targets"][0] if rec["targets"] else {"type": None}
        owner = catalog.measure_of(rec["id"])
        rows.append({
            "order": n + 1, "id": rec["id"], "url": record_url(rec["id"]), "wording": spec.get("wording", rec["text"]),
            "measure_id": owner["id"] if owner else None, "measure_title": owner["title"] if owner else "",
            "measure_kind": KIND_LABELS.get(owner["kind"], "") if owner else "",
            "measure_url": record_url(owner["id"]) if owner else None,
            "pillar": catalog.pillar_of(rec["id"]), "metric": spec.get("metric") or "", "value": spec.get("value"),
            "value_text": spec.get("value_text") or "", "value_display": values_text(spec),
            "value_sort": spec.get("value") if spec.get("value") is not None else None,
            "unit": spec.get("unit") or "", "deadline": spec.get("deadline") or "",
            "deadline_year": spec.get("deadline_year"), "deadline_basis": spec.get("deadline_basis"),
            "deadline_basis_label": BASIS_LABELS.get(spec.get("deadline_basis"), ""),
            "deadline_note": spec.get("deadline_note"), "deadline_label": target_deadline_label(spec),
            "deadline_basis_text": target_deadline_basis(spec),
            "deadline_quote": spec.get("deadline_quote"), "values": spec.get("values") or [],
            "measured": spec.get("measured") or [], "measured_text": _measured_text(spec), "bracketed": bool(spec.get("bracketed")),
            "caveat": (spec.get("caveat") or {}).get("text"), "type": spec.get("type"),
            "type_label": TARGET_TYPE_LABELS.get(spec.get("type"), ""), "section": rec["section"],
            "citation": rec["citation"]["text"],
        })
    return rows


@dataclass(frozen=True)
class TargetParams:
    """/targets state: sort, direction, and filters (several pillars or types; one deadline range)."""

    sort: str = "order"
    order: str = "asc"
    pillar: tuple[int, ...] = ()
    type: tuple[str, ...] = ()
    deadline_from: int | None = None
    deadline_to: int | None = None
    undated: bool = False  # only targets with no deadline (year=none)

    def filters(self) -> dict:
        out: dict = {}
        if self.pillar:
            out["pillar"] = [str(p) for p in self.pillar]
        if self.type:
            out["type"] = list(self.type)
        if self.deadline_from is not None:
            out["deadline_from"] = str(self.deadline_from)
        if self.deadline_to is not None:
            out["deadline_to"] = str(self.deadline_to)
        if self.undated:
            out["year"] = NO_YEAR
        return out

    def args(self) -> dict:
        out = self.filters()
        if self.sort != "order":
            out["sort"] = self.sort
        if self.order != "asc":
            out["order"] = self.order
        return out


def parse_target_args(args) -> TargetParams:
    sort = args.get("sort") or "order"
    if sort not in SORTS:
        raise QueryError(f"並べ替えの項目「{sort}」は不明です。指定できる値: {', '.join(SORTS)}")
    order = args.get("order") or "asc"
    if order not in ("asc", "desc"):
        raise QueryError(f"並び順「{order}」は不明です。asc（昇順）か desc（降順）を指定してください。")
    undated = NO_YEAR in values(args, "year")
    if undated:
        if len(values(args, "year")) > 1 or values(args, "deadline_from") or values(args, "deadline_to"):
            raise QueryError("「期限なし」と期限年は同時に指定できません。")
        low = high = None
    else:
        low, high = parse_deadline_range(args, aliases=("year", "deadline_year"))
    return TargetParams(sort=sort, order=order,
                        pillar=tuple(dict.fromkeys(parse_pillar(v) for v in values(args, "pillar"))),
                        type=tuple(dict.fromkeys(parse_target_type(v) for v in values(args, "type"))),
                        deadline_from=low, deadline_to=high, undated=undated)


def _matches(row: dict, state: TargetParams, skip: str | None = None) -> bool:
    if skip != "pillar" and state.pillar and row["pillar"] not in state.pillar:
        return False
    if skip != "type" and state.type and row["type"] not in state.type:
        return False
    if skip != "year":
        year = row["deadline_year"]
        if state.undated:
            return year is None
        if state.deadline_from is not None and (year is None or year < state.deadline_from):
            return False
        if state.deadline_to is not None and (year is None or year > state.deadline_to):
            return False
    return True


def select_rows(state: dict) -> list[dict]:
    rows = [r for r in target_rows() if _matches(r, state)]
    field = SORTS[state.sort][1]
    present = [r for r in rows if r[field] not in (None, "")]
    missing = [r for r in rows if r[field] in (None, "")]
    present.sort(key=lambda r: (r[field], r["order"]), reverse=state.order == "desc")
    return present + missing  # blanks last, whichever the direction


def timeline(rows: list[dict]) -> list[dict]:
    years = sorted({r["deadline_year"] for r in rows if r["deadline_year"]})
    groups = [{"year": y, "label": f"{y}年", "rows": sorted((r for r in rows if r["deadline_year"] == y),
                                                            key=lambda r: r["order"])} for y in years]
    for g in groups:  # a year groups 2030年度 and 2030年 alike: say how many of each it holds
        kinds = Counter(r["deadline_basis"] for r in g["rows"])
        g["bases"] = "・".join(f"{BASIS_LABELS[b]} {kinds[b]}件" for b in BASES if kinds.get(b))
    undated = [r for r in rows if not r["deadline_year"]]
    if undated:
        groups.append({"year": None, "label": "期限なし", "rows": sorted(undated, key=lambda r: r["order"])})
    return groups


def targets_payload(args) -> dict:
    state = parse_target_args(args)
    rows = select_rows(state)
    return {"filters": state.filters(), "sort": state.sort, "order": state.order, "total": len(rows), "targets": rows}


def _facets(state: TargetParams, args: dict) -> list:
    all_rows = target_rows()
    titles = current_app.extensions["policykb_pillar_titles"]
    out = []
    for facet, key, skip in ((PillarFacet(titles), "pillar", "pillar"), (TargetTypeFacet(), "type", "type"),
                             (YearFacet(), "deadline_year", "year")):
        counts = Counter(str(r[key]) for r in all_rows if r[key] is not None and _matches(r, state, skip))
        res = facet.facet_results(dict(counts), args, "targets.targets")
        if key == "deadline_year":
            n = sum(1 for r in all_rows if r["deadline_year"] is None and _matches(r, state, "year"))
            if n or state.undated:
                res.items.append(FacetItem(NO_YEAR, "期限なし", n, state.undated,
                                           url_with(args, "targets.targets", year=None if state.undated else NO_YEAR,
                                                    deadline_from=None, deadline_to=None)))
        out.append(res)
    return out


@bp.get("/targets")
def targets():
    state = parse_target_args(request.args)
    rows = select_rows(state)
    args = state.args()
    headers = []
    for key, (label, _) in SORTS.items():
        if key == "order":
            continue
        active = state.sort == key
        next_order = "desc" if active and state.order == "asc" else "asc"
        headers.append({"key": key, "label": label, "active": active, "order": state.order if active else None,
                        "url": url_with(args, "targets.targets", sort=key, order=None if next_order == "asc" else next_order)})
    return render_template("targets.html", rows=rows, state=state, args=args, headers=headers,
                           facets=_facets(state, args), timeline=timeline(rows), total_all=len(target_rows()),
                           deadline_filter_note=DEADLINE_FILTER_NOTE,
                           caveat=next((r["caveat"] for r in target_rows() if r["caveat"]), None),
                           csv_url=url_with(args, "targets.targets_csv"), json_url=url_with(args, "targets.targets_json"))


@bp.get("/targets.json")
def targets_json():
    return jsonify(targets_payload(request.args))


CSV_COLUMNS = ("ID", "目標（原文）", "施策", "施策ID", "柱", "指標", "値", "単位", "期限", "期限の基準", "期限年", "種別",
               "URL", "引用", "測る部分", "期限年の基準", "注記")


@bp.get("/targets.csv")
def targets_csv():
    data = targets_payload(request.args)
    base = base_url()  # configured, else relative: never the Host header
    rows: list[list] = [list(CSV_COLUMNS)]
    for r in data["targets"]:
        rows.append([r["id"], r["wording"], r["measure_title"], r["measure_id"], r["pillar"], r["metric"],
                     r["value_display"], r["unit"], r["deadline"], r["deadline_basis_text"], r["deadline_year"],
                     r["type_label"],
                     base + r["url"], r["citation"], r["measured_text"],
                     r["deadline_label"], r["caveat"] or ""])
    return csv_response(rows, "policykb-targets.csv")
