"""A third collection is an instance plus a registration.

A handful of a prefecture's ordinance articles (例規集) are written as a collection held in memory
(records, a tantivy index, e5 vectors: the files the regional build writes), opened as a
RecordCollection and added to an engine beside 地域政策 and 全法令. It is then searched alone and
with the others, through the engine and through the API, with no line of the engine changed.
"""

from __future__ import annotations

import json

import pytest

from indexer.corpus.export import facet_values
from indexer.errors import QueryError
from indexer.index.documents import embedding_passages, search_doc
from indexer.index.keyword_writer import build_keyword_index
from indexer.index.vector_writer import save_vectors
from indexer.model.embedder import Embedder
from indexer.search import Collection, Filters, RecordCollection, SearchEngine
from indexer.search.filters import collection_labels, unregister_label

NAME, LABEL = "reiki", "県例規集"
SOURCE = "reiki-example-pref"
ARTICLES = (
    ("空き家等の適正管理に関する条例", "第一条（目的）",
     "この条例は、空き家等の適正な管理について必要な事項を定めることにより、県民の安全で安心な生活環境の保全を図ることを目的とする。"),
    ("空き家等の適正管理に関する条例", "第五条（助言及び指導）",
     "知事は、管理不全な状態にある空き家等の所有者等に対し、除却、修繕その他必要な措置について助言又は指導を行うことができる。"),
    ("地域公共交通の確保に関する条例", "第三条（県の責務）",
     "県は、市町村及び交通事業者と連携し、路線バスその他の地域公共交通の維持及び確保に必要な施策を総合的に講ずるものとする。"),
    ("子育て支援条例", "第四条（経済的支援）",
     "県は、子育て家庭の経済的負担の軽減を図るため、保育料の助成その他の必要な支援を行うものとする。"),
)


def _records() -> list[dict]:
    out = []
    for n, (law, article, text) in enumerate(ARTICLES, start=1):
        out.append({
            "id": f"{SOURCE}-{n}", "kind": "passage", "title": f"{law} {article}", "text": text,
            "section": law, "section_id": None, "category": None, "pillar": None, "era": None,
            "place": {"prefecture": "島根県"}, "targets": [], "links": [], "quotes": [],
            "citation": {"text": f"{LABEL}「{law}」{article}"}, "source": SOURCE, "source_title": LABEL,
            "heading_path": [law],
        })
    return out


@pytest.fixture(scope="module")
def reiki(tmp_path_factory, laws_engine) -> RecordCollection:
    """The collection's files written into a temporary directory, and opened."""
    path = tmp_path_factory.mktemp("reiki")
    records = _records()
    by_id = {r["id"]: r for r in records}
    docs = [search_doc(r, by_id) for r in records]
    (path / "records.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    build_keyword_index(path / "keyword", docs, {r["id"]: facet_values(r) for r in records})
    owners, passages = [], []
    for rec, doc in zip(records, docs):
        for chunk in embedding_passages(rec, doc):
            owners.append(rec["id"])
            passages.append(chunk)
    # Passages are encoded by the build's encoder (the engine's own encodes queries only).
    save_vectors(path / "vectors", Embedder(laws_engine.settings.model_dir).encode_passages(passages), owners)
    return RecordCollection.open(NAME, path)


@pytest.fixture(scope="module")
def three(laws_engine, reiki):
    """An engine over the 全法令 sample's build, with the third collection added (the session's own
    engine is left as it is)."""
    engine = SearchEngine(laws_engine.settings, laws_engine.build_dir, embedder=laws_engine.embedder)
    engine.add_collection(reiki, LABEL)
    yield engine
    unregister_label(NAME)


def test_it_is_a_collection(reiki, three):
    assert isinstance(reiki, Collection)
    assert three.available_collections() == ("regional", "laws", NAME)
    assert collection_labels()[NAME] == LABEL


def test_searched_alone(three):
    for mode in ("keyword", "semantic", "hybrid"):
        res = three.search("空き家の管理", mode=mode, k=10, filters=Filters(collection=(NAME,)))
        ids = [r["id"] for r in res.results]
        assert ids and all(i.startswith(SOURCE) for i in ids), (mode, ids)
        assert ids[0] in (f"{SOURCE}-1", f"{SOURCE}-2"), (mode, ids)
    res = three.search("路線バスを維持したい", k=10, filters=Filters(collection=(NAME,)))
    assert res.results[0]["id"] == f"{SOURCE}-3"
    assert {"路線", "バス"} <= set(res.results[0]["why"]["keyword"]["words"])
    # A word none of its records holds is named as absent there.
    assert "新幹線" in three.search("新幹線", k=10, filters=Filters(collection=(NAME,))).absent_terms


def test_searched_beside_the_others(three):
    q = "空き家の所有者への指導"
    both = three.search(q, k=100, filters=Filters(collection=("regional", "laws", NAME)))
    counts = both.facets["collection"]
    assert set(counts) == {"regional", "laws", NAME}
    alone = {name: three.search(q, k=1, filters=Filters(collection=(name,))).total for name in counts}
    assert counts == alone  # a count is what a click on it gives
    ids = [r["id"] for r in both.results]
    assert any(i.startswith(SOURCE) for i in ids) and any(not i.startswith(SOURCE) for i in ids)
    # The regional collection alone, as before the registration.
    regional = three.search(q, k=100)
    assert not any(r["id"].startswith(SOURCE) for r in regional.results)


def test_records_and_filters(three):
    rid = f"{SOURCE}-2"
    assert three.record(rid)["title"].endswith("第五条（助言及び指導）")
    assert three.reading_position(rid)[:2] == (1, len(ARTICLES))
    assert three.similar(rid, 2) and all(rec["id"].startswith(SOURCE) for rec, _ in three.similar(rid, 2))
    res = three.search("空き家", k=10, filters=Filters(collection=(NAME,), prefecture=("鳥取県",)))
    assert res.total == 0
    res = three.search("空き家", k=10, filters=Filters(collection=(NAME,), prefecture=("島根県",)))
    assert res.total > 0 and res.facets["prefecture"] == {"島根県": res.total}


def test_through_the_api(three):
    from webapp import create_app

    client = create_app({"ENGINE": three, "TESTING": True}).test_client()
    data = client.get(f"/api/search?q=空き家の管理&collection={NAME}").get_json()
    assert data["results"] and all(r["id"].startswith(SOURCE) for r in data["results"])
    assert data["filters"]["collection"] == [NAME]
    assert client.get(f"/api/records/{SOURCE}-1").status_code == 200
    page = client.get(f"/search?q=空き家&collection={NAME}").get_data(as_text=True)
    assert f'name="collection" value="{NAME}" checked' in page and LABEL in page
    bad = client.get("/api/search?q=空き家&collection=prefs")
    assert bad.status_code == 400 and LABEL in bad.get_json()["error"]  # the registered name is offered


def test_an_unregistered_name_is_refused(three):
    from indexer.search import parse_filters

    with pytest.raises(QueryError) as exc:
        parse_filters({"collection": ["nowhere"]})
    assert NAME in exc.value.message
