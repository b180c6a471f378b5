"""The JSON API: the same query code as the pages, as JSON. Read-only (GET only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from markupsafe import Markup, escape

from indexer.errors import QueryError
from webapp.cases import cases_payload
from webapp.compare import compare_payload
from webapp.context import get_engine
from webapp.query import parse_params
from webapp.reader import absolute_citation
from webapp.records import record_payload
from webapp.search import search_json
from webapp.targets import targets_payload

bp = Blueprint("api", __name__)

ENDPOINTS = (
    ("/api/search?q=交通空白", "検索（q, mode, k, page, collection, kind, pillar, era, prefecture, deadline_year）。"
     "`policykb search --json` と同じ形に、各結果の url とページ情報を加えたもの"),
    ("/api/search?q=まちづくり&kind=case&prefecture=島根県", "絞り込み付きの検索"),
    ("/api/search?q=補助金の交付&collection=laws&collection=regional",
     "検索対象の指定（collection: regional＝地域政策〔既定〕、laws＝全法令。複数指定可）。facets.collection に対象ごとの件数。"
     "収録していない対象は unavailable_collections にその旨の注記が入り、収録している対象だけから検索します"),
    ("/api/records/measure-1-transport-gaps", "記録1件と、柱・目標・事例・データ・意味の近い記録などの相互参照、"
     "施策の根拠となりうる条文の提案（basis: 理由つき）。条文の記録の law.sunset は、その法律が附則で定める効力の期限"
     "（date: その日限り、article: 定める附則の条・項。e-Gov のデータには期限を過ぎた法律も残っている）"),
    ("/api/targets?pillar=1&sort=deadline_year", "目標・KPIの一覧（sort, order, pillar, type, year）"),
    ("/api/cases?prefecture=島根県", "好事例の一覧と都道府県別件数（prefecture, pillar, theme）"),
    ("/api/compare?theme=デジタル", "時代比較表、1.0↔2.0の対、テーマ別の各時代の該当箇所"),
    ("/api/cite?record=law-417ac0000000024-art5&start=3448&end=3522",
     "記録の本文の一部（record, start, end：原資料の文字位置。記録の quotes と同じ数え方）の引用 {text, markdown}。"
     "条文では選択範囲の条・項・号と法令番号を示す"),
)


@bp.app_template_filter("inline_code")
def inline_code(text: str) -> Markup:
    """`policykb search --json` in a description shown as code, not as raw backticks (the rest escaped)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return Markup(escape(text))
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


@bp.get("/api")
def index():
    return render_template("api.html", endpoints=ENDPOINTS)


@bp.get("/api/search")
def search():
    return jsonify(search_json(parse_params(request.args)))


@bp.get("/api/records/<rid>")
def record(rid: str):
    return jsonify(record_payload(rid))


def _offset(name: str) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        raise QueryError(f"{name} を指定してください（原資料の文字位置、0以上の整数）。")
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise QueryError(f"{name} は0以上の整数で指定してください（指定された値：「{value[:20]}」）。")
    return int(value)


@bp.get("/api/cite")
def cite():
    """The citation of a selection of a record: the function the record page's selection bar calls."""
    rid = request.args.get("record", "").strip()
    if not rid:
        raise QueryError("record に記録のIDを指定してください（例：record=law-417ac0000000024-art5）。")
    # The permalink made a full URL of this site when POLICYKB_BASE_URL is set, as on the pages.
    return jsonify(absolute_citation(get_engine().cite(rid, _offset("start"), _offset("end"))))


@bp.get("/api/targets")
def targets():
    return jsonify(targets_payload(request.args))


@bp.get("/api/cases")
def cases():
    return jsonify(cases_payload(request.args))


@bp.get("/api/compare")
def compare():
    return jsonify(compare_payload(request.args.get("theme", "")))
