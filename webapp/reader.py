"""`/sources/<document>` (and its `.json` twin): the whole source in order, its outline as a table
of contents, every record's quote marked (`#q-<record id>-<n>`) and linked to its record.

The view is computed by the indexer (indexer.corpus.reading) and read from the build through
`engine.source_view`; this module only adds URLs. It also gives templates `absolute_citation`,
which puts this site's base URL (POLICYKB_BASE_URL) in front of a citation's permalink path, or
leaves it relative when none is configured (the page's script resolves it against the address
the reader sees). Never the request's Host header: a client chooses it, and a citation copied
from a page must not carry a link to wherever that client said the site was.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for

from indexer.errors import NotFound
from webapp import base_url, get_engine
from webapp.urls import json_twin, record_url

bp = Blueprint("reader", __name__)


def _view(doc: str) -> dict:
    view = get_engine().source_view(doc)
    if view is None:
        raise NotFound(f"資料「{doc}」は見つかりませんでした。記録のページの「原文で見る」から開いてください。")
    return view


def reader_url(doc: str, anchor: str | None = None) -> str:
    return url_for("reader.source", doc=doc, _anchor=anchor) if anchor else url_for("reader.source", doc=doc)


@bp.app_template_global()
def absolute_citation(citation: dict) -> dict:
    """The citation with the permalink path made a full URL of this site (text and Markdown)."""
    link = citation.get("permalink")
    if not link:
        return citation
    full = base_url() + link
    out = dict(citation)
    for key in ("text", "markdown"):
        head, sep, tail = out[key].rpartition(link)
        if sep:
            out[key] = head + full + tail
    out["permalink_url"] = full
    return out


@bp.app_template_global()
def source_anchor_url(doc: str, rid: str, n: int) -> str:
    return reader_url(doc, f"q-{rid}-{n}")


@bp.get("/sources/<doc>")
def source(doc: str):
    doc, as_json = json_twin(doc, get_engine().source_view)
    view = _view(doc)
    if as_json:
        return jsonify({"source": view, "url": reader_url(doc)})
    return render_template("reader.html", view=view, record_url=record_url, page_url=base_url() + reader_url(doc),
                           origins=_origins(view))


def _origins(view: dict) -> dict[str, str]:
    """Quoted record → the statistical source (原資料) its citation names: a selection inside that
    record's quote carries it, as the record's own citation does."""
    engine = get_engine()
    ids = {m["record_id"] for part in view["parts"] for s in part["segments"] for m in s["marks"]}
    out = {}
    for rid in ids:
        origin = ((engine.record(rid) or {}).get("citation") or {}).get("origin")
        if origin:
            out[rid] = origin
    return out
