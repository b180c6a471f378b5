"""What every page shares: template helpers, labels, navigation, static files."""

from __future__ import annotations

from flask import Flask, request

from indexer.corpus.dates import japanese_date
from indexer.corpus.law_effect import sunset_note, sunset_past
from indexer.corpus.numbers import official_number, value_label
from indexer.corpus.prefectures import PREFECTURES
from indexer.search.filters import collection_labels
from webapp.context import get_engine
from webapp.highlight import highlight
from webapp.targets import marked_wording, target_deadline_label, values_text
from webapp.labels import (ERA_LABELS, ERA_SHORT, KIND_LABELS, LINK_TYPE_LABELS, MODE_LABELS, TARGET_TYPE_LABELS,
                           pillar_label)
from webapp.urls import toggled, url_with

NAV = (
    ("search.index", "検索"),
    ("compare.compare", "時代比較"),
    ("targets.targets", "目標・KPI"),
    ("cases.cases", "好事例マップ"),
)


def place_label(place: dict | None) -> str:
    if not place:
        return ""
    parts = []
    if place.get("prefecture"):
        parts.append(place["prefecture"])
    if place.get("municipality"):
        parts.append(place["municipality"])
    if place.get("region"):
        parts.append(place["region"])
    others = [p for p in place.get("prefectures") or [] if p != place.get("prefecture")]
    if others:
        parts.append("・".join(others))
    if place.get("inferred"):
        parts.append("（都道府県は推定）")  # the source does not name them; the record's note says how
    return " ".join(parts)


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["kind_label"] = lambda v: KIND_LABELS.get(v, v or "")
    app.jinja_env.filters["era_label"] = lambda v: ERA_LABELS.get(v, v or "")
    app.jinja_env.filters["era_short"] = lambda v: ERA_SHORT.get(v, v or "")
    app.jinja_env.filters["type_label"] = lambda v: TARGET_TYPE_LABELS.get(v, v or "")
    app.jinja_env.filters["link_label"] = lambda v: LINK_TYPE_LABELS.get(v, v or "")
    app.jinja_env.filters["mode_label"] = lambda v: MODE_LABELS.get(v, v or "")
    app.jinja_env.filters["place_label"] = place_label
    app.jinja_env.filters["jdate"] = japanese_date
    app.jinja_env.filters["sunset_note"] = sunset_note
    app.jinja_env.filters["sunset_past"] = sunset_past
    app.jinja_env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    app.jinja_env.filters["official_number"] = official_number
    app.jinja_env.filters["value_label"] = lambda v: value_label(v.get("value"), v.get("unit"), v.get("value_text"))
    app.jinja_env.filters["target_values"] = values_text
    app.jinja_env.filters["deadline_label"] = target_deadline_label
    app.jinja_env.filters["marked_wording"] = marked_wording

    titles = app.extensions["policykb_engine"].catalog.pillar_titles()
    app.extensions["policykb_pillar_titles"] = titles

    @app.context_processor
    def _globals():
        engine = get_engine()
        return {
            "nav": NAV,
            "pillar_titles": titles,
            "pillar_label": lambda n, short=False: pillar_label(n, titles, short),
            "url_with": url_with,
            "toggled": toggled,
            "prefectures": PREFECTURES,
            "source_meta": engine.records[0]["citation"] if engine.records else {},
            "current_endpoint": request.endpoint or "",
            "search_collections": lambda: _collections(engine),
        }


COLLECTION_HINTS = {"regional": "地方創生2.0と関係法令（既定）", "laws": "e-Gov の法令すべて"}


def _collections(engine) -> list[tuple[str, str, str]]:
    """(value, label, hint) of each collection this index holds, for the search form."""
    labels = collection_labels()
    return [(name, labels[name], COLLECTION_HINTS.get(name, "")) for name in engine.available_collections()]
