"""The cross-reference view: `/records/<id>` (and its `.json` twin) — a record, its verbatim
quotes and citation, then everything the document ties to it, grouped by what it is."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template

from webapp import get_engine
from webapp.labels import ERAS, KIND_LABELS, LINK_TYPE_LABELS

bp = Blueprint("records", __name__)

NEIGHBOURS = 6
# (group key, heading): a link falls in the group of its type for pair/counterpart, else of the other record's kind.
GROUPS = (
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
)
GROUP_HEADINGS = dict(GROUPS)
NEIGHBOUR_HEADING = "関連（意味の近い記録）"


def _summary(rec: dict, length: int = 90) -> str:
    flat = " ".join(line.strip() for line in rec["text"].splitlines() if line.strip())
    return flat if len(flat) <= length else flat[:length] + "…"


def ref_item(rec: dict, link_type: str | None = None, similarity: float | None = None) -> dict:
    item = {
        "id": rec["id"], "kind": rec["kind"], "kind_label": KIND_LABELS.get(rec["kind"], rec["kind"]),
        "title": rec["title"], "url": f"/records/{rec['id']}", "summary": _summary(rec),
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
    """[{key, heading, items}] in a fixed order; empty groups left out; semantic neighbours last."""
    engine = get_engine()
    rec = engine.by_id[rid]
    groups: dict[str, list[dict]] = {key: [] for key, _ in GROUPS}
    seen: set[str] = set()
    for link in rec["links"]:
        other = engine.by_id.get(link["id"])
        if other is None or other["id"] in seen:
            continue
        seen.add(other["id"])
        key = link["type"] if link["type"] in ("pair", "counterpart") else other["kind"]
        groups.setdefault(key, []).append(ref_item(other, link["type"]))
    era_rank = {e: i for i, e in enumerate(ERAS)}
    groups["counterpart"].sort(key=lambda i: era_rank.get(i["era"], 9))
    out = [{"key": key, "heading": GROUP_HEADINGS.get(key, key), "items": items}
           for key, items in groups.items() if items]
    neighbours = [ref_item(other, None, sim) for other, sim in engine.neighbours(rid, NEIGHBOURS)]
    if neighbours:
        out.append({"key": "neighbours", "heading": NEIGHBOUR_HEADING, "items": neighbours})
    return out


def record_payload(rid: str) -> dict:
    """The record with its grouped cross-references: the JSON of /api/records/<id>."""
    engine = get_engine()
    rec = engine.record(rid)
    if rec is None:
        abort(404, description=f"記録 '{rid}' は見つかりませんでした。IDを確認するか、検索から探してください。")
    pos = next(i for i, r in enumerate(engine.records) if r["id"] == rid)
    prev_rec = engine.records[pos - 1] if pos > 0 else None
    next_rec = engine.records[pos + 1] if pos + 1 < len(engine.records) else None
    return {
        "record": rec,
        "url": f"/records/{rid}",
        "cross_references": cross_references(rid),
        "reading_order": {
            "position": pos + 1, "of": len(engine.records),
            "previous": ref_item(prev_rec) if prev_rec else None,
            "next": ref_item(next_rec) if next_rec else None,
        },
    }


@bp.get("/records/<rid>")
def record(rid: str):
    engine = get_engine()
    if rid.endswith(".json") and rid not in engine.by_id:
        return jsonify(record_payload(rid[: -len(".json")]))
    payload = record_payload(rid)
    return render_template("record.html", rec=payload["record"], payload=payload)
