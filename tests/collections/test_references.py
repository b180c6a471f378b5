"""全法令 references (issue 20): each law's citations resolve against every law of the register, a
unit carries its `cites` and the spans of its citations, and `cited_by` is gathered across parts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer.corpus.collections import ExternalDoc
from indexer.index import collection_build
from indexer.index.collection_build import law_names, units_of
from indexer.index.collection_store import unpack

REPO = Path(__file__).resolve().parents[2]
SAISEI = REPO / "corpus" / "sources" / "417AC0000000024_20250601_504AC0000000068.md"   # 地域再生法
SOUSEI = REPO / "corpus" / "sources" / "426AC0000000136_20210901_503AC0000000036.md"   # まち・ひと・しごと創生法


def _doc(path: Path, law_id: str, title: str, number: str, effective: str) -> ExternalDoc:
    text = path.read_text(encoding="utf-8")
    return ExternalDoc(id=f"law-{law_id.lower()}-{effective.replace('-', '')}", path=str(path), member=None,
                       sha256="", chars=len(text), form="statute", title=title, law_key=law_id.lower(),
                       law_id=law_id, law_number=number, effective=effective)


def _units(doc: ExternalDoc, register: list[ExternalDoc]) -> dict[str, tuple[dict, list[str]]]:
    """unit id → (record, ids it cites), as the build's worker makes them with this register."""
    import json

    collection_build._LAWS = law_names(register)
    try:
        _, _, units, problem, _, _ = units_of((doc, Path(doc.path).read_text(encoding="utf-8")))
    finally:
        collection_build._LAWS = ({}, {})
    assert problem is None
    return {u[0]: (json.loads(unpack(u[2])), u[5]) for u in units}


def test_a_law_cites_another_law_of_the_register_by_its_name():
    saisei = _doc(SAISEI, "417AC0000000024", "地域再生法", "平成十七年法律第二十四号", "2025-06-01")
    sousei = _doc(SOUSEI, "426AC0000000136", "まち・ひと・しごと創生法", "平成二十六年法律第百三十六号", "2021-09-01")
    text = SAISEI.read_text(encoding="utf-8")
    units = _units(saisei, [saisei, sousei])
    rec, cited = units["law-417ac0000000024-art5"]
    assert "law-426ac0000000136-art9" in cited and "law-426ac0000000136-art10" in cited
    spans = {text[r["start"]:r["end"]]: (r["target"], r["paragraph"]) for r in rec["law"]["references"]}
    assert spans["まち・ひと・しごと創生法第九条第一項"] == ("law-426ac0000000136-art9", 1)
    assert spans["前項各号"] == ("law-417ac0000000024-art5", 2)  # inside the article: a link to its 項
    assert {"type": "cites", "id": "law-426ac0000000136-art9"} in rec["links"]
    # Without the other law in the register, its name stays text: no link to a law not held.
    alone = _units(saisei, [saisei])["law-417ac0000000024-art5"][1]
    assert not any(t.startswith("law-426ac0000000136-") for t in alone)
    # A title two laws carry names neither of them.
    twin = replace(sousei, law_id="999AC0000000001", law_key="999ac0000000001", law_number=None)
    known, _ = law_names([saisei, sousei, twin])
    assert "まち・ひと・しごと創生法" not in known and known["平成二十六年法律第百三十六号"] == "426AC0000000136"


def test_cites_and_cited_by_across_the_collection(laws_engine):
    from webapp import create_app

    laws = laws_engine.collections["laws"]
    rows = [r for part in laws.index.parts for r in part.query("SELECT source, target FROM links")]
    # (a unit of the statute both collections hold answers as its regional record: left out here)
    held = [(s, t) for s, t in rows if s not in laws_engine.by_id
            and laws_engine.record(s) is not None and laws_engine.record(t) is not None]
    assert held, "the sample's laws cite articles it holds"
    for source, target in held[:20]:
        assert ("cites", target) in [(k, o["id"]) for k, o in laws_engine.links(source)]
        assert ("cited_by", source) in [(k, o["id"]) for k, o in laws_engine.links(target)]
    source, target = held[0]
    client = create_app({"ENGINE": laws_engine, "TESTING": True}).test_client()
    data = client.get(f"/api/records/{source}").get_json()
    groups = {g["key"]: [i["id"] for i in g["items"]] for g in data["cross_references"]}
    assert target in groups["cites"]
    page = client.get(f"/records/{source}").get_data(as_text=True)
    assert 'id="xg-cites"' in page and 'href="#xg-cites"' in page and 'class="ref-link"' in page
    cited = client.get(f"/api/records/{target}").get_json()
    assert source in [i["id"] for g in cited["cross_references"] if g["key"] == "cited_by" for i in g["items"]]


def test_a_cut_list_of_citing_units_says_so(laws_engine):
    """Past the limit the 引用元 list stops, and the page says that it shows only the first ones."""
    from collections import Counter

    from webapp import create_app

    laws = laws_engine.collections["laws"]
    rows = [r for part in laws.index.parts for r in part.query("SELECT source, target FROM links")]
    counts = Counter(t for s, t in rows if s not in laws_engine.by_id and laws_engine.record(s) is not None)
    target, n = next((t, n) for t, n in counts.most_common() if t not in laws_engine.by_id)
    assert n >= 2, "the sample holds a unit cited twice"
    client = create_app({"ENGINE": laws_engine, "TESTING": True}).test_client()
    whole = client.get(f"/api/records/{target}").get_json()
    assert all("note" not in g for g in whole["cross_references"])
    limit = laws.cited_by_limit
    laws.cited_by_limit = n - 1
    try:
        cut = client.get(f"/api/records/{target}").get_json()
        page = client.get(f"/records/{target}").get_data(as_text=True)
    finally:
        laws.cited_by_limit = limit
    group = next(g for g in cut["cross_references"] if g["key"] == "cited_by")
    assert len(group["items"]) == n - 1 and f"最初の{n - 1:,}件" in group["note"]
    assert group["note"] in page
