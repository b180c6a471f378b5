"""`/compare`: the 日本列島改造論 | 地方創生1.0 | 2.0 table row by row, the 1.0 reflection ↔ 2.0
stance pairs, and a theme box that says, per era, which cells of the table address a theme."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from indexer.errors import QueryError
from indexer.search.filters import parse_query
from indexer.search.themes import cell_lines, word_spans
from webapp.context import get_engine
from webapp.labels import ERA_LABELS, ERAS
from webapp.urls import record_url

bp = Blueprint("compare", __name__)

THEMES = ("人の流れ", "産業", "デジタル", "インフラ", "人口減少", "若者・女性", "官民連携", "広域連携")
MAX_THEME_CHARS = 100


def comparison_table() -> dict:
    cells = get_engine().catalog.of_kind("comparison")
    columns = []
    for era in ERAS:
        period = next((r for r in cells if r["era"] == era and r["category"] == "年代"), None)
        heading = ERA_LABELS[era]
        if period:
            first = period["quotes"][0]["text"].strip()
            heading = first if first.startswith(ERA_LABELS[era]) else heading
        columns.append({"era": era, "label": ERA_LABELS[era], "heading": heading,
                        "period": " ".join(cell_lines(period)) if period else "",
                        "period_id": period["id"] if period else None})
    rows = []
    for cat in dict.fromkeys(r["category"] for r in cells if r["era"] and r["category"] != "年代"):
        row_cells = []
        for era in ERAS:
            rec = next((r for r in cells if r["era"] == era and r["category"] == cat), None)
            row_cells.append({"era": era, "id": rec["id"], "url": record_url(rec['id']), "lines": cell_lines(rec)}
                             if rec else {"era": era, "id": None, "url": None, "lines": []})
        rows.append({"category": cat, "cells": row_cells})
    purpose = next((r for r in cells if not r["era"]), None)
    return {"columns": columns, "rows": rows,
            "purpose": {"id": purpose["id"], "url": record_url(purpose['id']), "lines": cell_lines(purpose)}
            if purpose else None}


def stance_pairs() -> list[dict]:
    catalog = get_engine().catalog
    pairs = []
    for rec in catalog.of_kind("stance"):
        if rec["era"] != "2.0":
            continue
        other = catalog.pair_of(rec["id"])
        if other is None:
            continue
        lines = [ln.strip() for ln in rec["text"].splitlines() if ln.strip()]
        heading = rec["title"]
        if lines and lines[0].startswith("〇"):
            heading, lines = lines[0].lstrip("〇"), lines[1:]
        pairs.append({
            "heading": heading,
            "reflection": {"id": other["id"], "url": record_url(other['id']),
                           "lines": [ln.strip() for ln in other["text"].splitlines() if ln.strip()]},
            "stance": {"id": rec["id"], "url": record_url(rec['id']), "title": rec["title"], "lines": lines},
        })
    return pairs


def theme_matches(theme: str) -> list[dict]:
    """Per era, the cells of the comparison table that address the theme, each judged on its own
    lines by the engine (indexer.search.themes), in the table's row order; none → 「該当なし」."""
    engine = get_engine()
    cells = engine.catalog.of_kind("comparison")
    rows = list(dict.fromkeys(r["category"] for r in cells if r["era"] and r["category"] != "年代"))
    plan = engine.plan(theme)  # analysed once, read by every cell's judgement
    out = []
    for era in ERAS:
        ids = [r["id"] for cat in rows for r in cells if r["era"] == era and r["category"] == cat]
        hits = []
        for j in engine.judge_cells(plan, ids):
            if not j.about:
                continue
            rec = engine.record(j.id)
            snippet = " ／ ".join(j.lines)
            hits.append({"id": j.id, "kind": rec["kind"], "title": rec["title"], "row": rec["category"],
                         "url": record_url(j.id), "snippet": snippet, "highlights": word_spans(snippet, j.words),
                         "why": j.as_dict()})
        out.append({"era": era, "label": ERA_LABELS[era], "hits": hits, "none": not hits,
                    "judged": ids})
    return out


def compare_payload(theme: str) -> dict:
    # As a search query is read: a pasted zero-width space must not split a word.
    theme = parse_query(theme, required=False)
    if len(theme) > MAX_THEME_CHARS:
        raise QueryError(f"テーマが長すぎます（{len(theme)}文字）。{MAX_THEME_CHARS}文字以内にしてください。")
    return {"theme": theme, "themes": list(THEMES), "table": comparison_table(), "pairs": stance_pairs(),
            "theme_matches": theme_matches(theme) if theme else []}


@bp.get("/compare")
def compare():
    return render_template("compare.html", data=compare_payload(request.args.get("theme", "")))


@bp.get("/compare.json")
def compare_json():
    return jsonify(compare_payload(request.args.get("theme", "")))
