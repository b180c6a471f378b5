"""The cross-reference view: `/records/<id>` (and its `.json` twin) — a record, its verbatim
quotes and citation, then everything the document ties to it, grouped by what it is."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from indexer.errors import NotFound

from webapp.context import get_engine
from webapp.labels import KIND_LABELS, LINK_TYPE_LABELS
from webapp.urls import json_twin, record_url

bp = Blueprint("records", __name__)

SIMILAR = 6
#: A 別表 longer than this is folded (<details>) on its page: 地方自治法 別表第一's rows run to pages.
FOLD_CHARS = 1500
# (group key, heading): a link falls in the group of its type for pair/counterpart, else of the other record's kind.
GROUPS = (
    ("cites", "この記録が引用している条文"),
    ("cited_by", "この条を引用している条文・施策"),
    ("pillar", "政策の柱"),
    ("measure", "施策"),
    ("target", "目標・KPI"),
    ("counterpart", "比較表の他の時代"),
    ("pair", "1.0↔2.0 の対"),
    ("case", "好事例"),
    ("data", "データ"),
    ("stance", "基本姿勢・視点"),
    ("comparison", "比較表"),
    ("role", "役割・進め方"),
    ("note", "注記・見出し"),
    ("article", "条文"),
    ("table", "別表"),
    ("passage", "本文"),
)
# Link types that form their own group whatever the other record's kind.
OWN_GROUP_LINKS = ("pair", "cites", "cited_by")
GROUP_HEADINGS = dict(GROUPS)
SIMILAR_HEADING = "関連（意味の近い記録）"
SUGGESTED_HEADING = "根拠となりうる条文（提案）"


def _summary(rec: dict, length: int = 90) -> str:
    flat = " ".join(line.strip() for line in rec["text"].splitlines() if line.strip())
    return flat if len(flat) <= length else flat[:length] + "…"


def ref_item(rec: dict, link_type: str | None = None, similarity: float | None = None) -> dict:
    item = {
        "id": rec["id"], "kind": rec["kind"], "kind_label": KIND_LABELS.get(rec["kind"], rec["kind"]),
        "title": rec["title"], "url": record_url(rec['id']), "summary": _summary(rec),
        "pillar": rec["pillar"], "era": rec["era"], "place": rec["place"],
    }
    if link_type:
        item["link_type"] = link_type
        item["link_label"] = LINK_TYPE_LABELS.get(link_type, link_type)
    if similarity is not None:
        item["similarity"] = round(float(similarity), 4)
    if rec["kind"] == "target" and rec["targets"]:
        item["target"] = rec["targets"][0]
    return item


def cross_references(rid: str) -> list[dict]:
    """[{key, heading, items}] in a fixed order; empty groups left out; semantically similar records last."""
    engine = get_engine()
    catalog = engine.catalog
    groups: dict[str, list[dict]] = {key: [] for key, _ in GROUPS}
    for link_type, other in engine.links(rid):
        if link_type == "counterpart":
            continue
        key = link_type if link_type in OWN_GROUP_LINKS else other["kind"]
        groups.setdefault(key, []).append(ref_item(other, link_type))
    groups["counterpart"] = [ref_item(other, "counterpart") for other in catalog.counterparts(rid)] \
        if rid in engine.by_id else []
    out = [{"key": key, "heading": GROUP_HEADINGS.get(key, key), "items": items}
           for key, items in groups.items() if items]
    limit = engine.cited_by_limit
    for g in out:
        if g["key"] == "cited_by" and limit is not None and len(g["items"]) >= limit:
            g["note"] = f"引用している条文が多いため、最初の{limit:,}件を表示しています。"
    suggested = []
    for s in engine.suggest_articles(rid):
        item = ref_item(s["record"])
        item["reasons"] = s["reasons"]
        item["reason"] = "／".join(s["reasons"])
        suggested.append(item)
    if suggested:
        out.append({"key": "suggested", "heading": SUGGESTED_HEADING, "items": suggested})
    similar = [ref_item(other, None, sim) for other, sim in engine.similar(rid, SIMILAR)]
    if similar:
        out.append({"key": "similar", "heading": SIMILAR_HEADING, "items": similar})
    return out


def record_payload(rid: str) -> dict:
    """The record with its grouped cross-references: the JSON of /api/records/<id>."""
    engine = get_engine()
    rec = engine.record(rid)
    if rec is None:
        raise NotFound(f"記録「{rid}」は見つかりませんでした。IDを確認するか、検索から探してください。")
    pos, of, prev_rec, next_rec = engine.reading_position(rid) or (0, 1, None, None)
    refs = cross_references(rid)
    return {
        "record": rec,
        "url": record_url(rid),
        # The text by line (by 項 for an article) with source offsets and the citations in it linked.
        "text_layout": engine.text_layout(rid),
        "cross_references": refs,
        # The articles that could ground the record (indexer.search.basis), with their reasons in words.
        "basis": next((g["items"] for g in refs if g["key"] == "suggested"), []),
        "reading_order": {
            "position": pos + 1, "of": of,
            "previous": ref_item(prev_rec) if prev_rec else None,
            "next": ref_item(next_rec) if next_rec else None,
        },
    }


@bp.get("/records/<rid>")
def record(rid: str):
    rid, as_json = json_twin(rid, get_engine().record)
    if as_json:
        return jsonify(record_payload(rid))
    payload = record_payload(rid)
    return render_template("record.html", rec=payload["record"], payload=payload, FOLD_CHARS=FOLD_CHARS)
