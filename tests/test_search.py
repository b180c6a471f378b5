"""The search engine over a real index (tantivy + the converted e5 model), built once per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.index.build import build, current_build
from indexer.config import load_settings
from indexer.corpus.loader import CorpusError
from indexer.search.engine import SearchEngine
from indexer.search.filters import MAX_QUERY_CHARS, parse_filters
from indexer.errors import IndexUnavailable, ModelUnavailable, QueryError
from indexer.evaluation.metrics import evaluate, load_gold
from indexer.search import Filters
from indexer.text.normalize import normalize_for_match

REPO = Path(__file__).resolve().parent.parent


def ids(resp) -> list[str]:
    return [r["id"] for r in resp.results]


def test_rare_exact_terms_come_first_in_keyword_and_hybrid(engine):
    for mode in ("keyword", "hybrid"):
        assert ids(engine.search("RESAS", mode=mode))[0] == "role-state-2"
        top = engine.search("レビキャリ", mode=mode).results[0]
        assert "レビキャリ" in top["text"]


def test_numbers_match_across_formats(engine):
    a = ids(engine.search("3800億円", mode="keyword"))
    b = ids(engine.search("3,800億円", mode="keyword"))
    assert a[:3] == b[:3]
    assert any("3,800億円" in engine.record(i)["text"] for i in a[:3])


def test_versions_stay_apart(engine):
    top = engine.search("地方創生1.0", mode="keyword", filters=Filters(kind=("comparison",))).results[0]
    assert top["era"] == "1.0"
    top2 = engine.search("地方創生２．０ 基本構想", mode="keyword", filters=Filters(kind=("comparison",))).results[0]
    assert top2["era"] == "2.0"


def test_half_width_source_is_found_and_highlighted_from_full_width_query(engine):
    resp = engine.search("地方イノベーション創生構想", mode="keyword", k=20)
    hit = next(r for r in resp.results if r["id"] == "cmp-methods-2.0")
    marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert any("ｲﾉﾍﾞｰｼｮﾝ" in m for m in marked), marked


def test_paraphrase_reaches_the_measure(engine):
    resp = engine.search("お年寄りが田舎に引っ越して元気に暮らせる場所", mode="hybrid", k=5)
    assert "measure-1-ccrc" in ids(resp)


def test_query_syntax_is_just_text(engine):
    plain = ids(engine.search("交通空白", mode="keyword"))
    for q in ['"交通空白"', "交通空白 AND (", "title:交通空白", "交通空白*", "交通空白 -", "交通空白 OR NOT"]:
        assert ids(engine.search(q, mode="keyword"))[:3] == plain[:3], q


def test_filters_restrict_every_mode(engine):
    f = Filters(kind=("case",), prefecture=("島根県",))
    for mode in ("keyword", "semantic", "hybrid"):
        resp = engine.search("まちづくり", mode=mode, k=20, filters=f)
        assert resp.results
        for r in resp.results:
            prefs = [r["place"]["prefecture"], *r["place"]["prefectures"]]
            assert r["kind"] == "case" and "島根県" in prefs
    years = engine.search("目標", mode="hybrid", k=50, filters=Filters(deadline_from=2030, deadline_to=2030))
    assert years.results and all(any(t.get("deadline_year") == 2030 for t in r["targets"]) for r in years.results)


def test_results_explain_why_and_cite(engine):
    r = engine.search("交通空白", mode="hybrid").results[0]
    assert r["why"]["fused_rank"] == 1
    assert "keyword" in r["why"] and r["why"]["keyword"]["terms"]
    assert "semantic" in r["why"] and 0 < r["why"]["semantic"]["similarity"] <= 1
    assert r["citation"]["text"] and r["citation"]["section"]
    expanded = engine.search("路線バスがなくなった", mode="hybrid").results[0]
    assert expanded["why"]["expansions"]


def test_facet_counts_add_up(engine):
    resp = engine.search("交通", mode="keyword", k=100)
    assert sum(resp.facets["kind"].values()) == resp.total


@pytest.mark.parametrize("query, mode, k", [("", "hybrid", 10), ("   ", "hybrid", 10), ("x" * (MAX_QUERY_CHARS + 1), "hybrid", 10),
                                            ("交通", "fuzzy", 10), ("交通", "hybrid", 0), ("交通", "hybrid", 101)])
def test_bad_queries_are_refused_with_a_message(engine, query, mode, k):
    with pytest.raises(QueryError) as exc:
        engine.search(query, mode=mode, k=k)
    assert str(exc.value)


def test_long_query_within_the_limit_works(engine):
    q = ("人口減少が進む地域で交通と買物をどう維持するか。" * 40)[:MAX_QUERY_CHARS]
    assert engine.search(q, mode="hybrid").results


@pytest.mark.parametrize("kwargs, valid", [({"kind": "policy"}, "measure"), ({"era": "3.0"}, "kaizoron"),
                                           ({"pillar": "9"}, "1, 2, 3, 4, 5"), ({"prefecture": "アトランティス"}, "47"),
                                           ({"deadline_year": "来年"}, "2030")])
def test_unknown_filter_values_name_the_valid_ones(kwargs, valid):
    with pytest.raises(QueryError) as exc:
        parse_filters(kwargs)
    assert valid in str(exc.value)


def test_gold_set_hybrid_beats_every_single_system(engine):
    from indexer.evaluation.baseline import TrigramBaseline

    gold = load_gold(REPO / "tests" / "gold" / "queries.jsonl")
    assert len(gold) >= 60
    text = {r["id"]: r["title"] + r["text"] for r in engine.records}

    def system(mode):
        return lambda q: [text[i] for i, _ in engine.rank(q, mode, Filters()).hits[:10]]

    base = TrigramBaseline(engine.records)
    report = evaluate(gold, {m: system(m) for m in ("hybrid", "keyword", "semantic")}
                      | {"fts5": lambda q: [text[i] for i in base.search(q, 10)]})
    hybrid = report["hybrid"]["overall"]
    assert hybrid["recall@5"] >= 0.95
    assert report["hybrid"]["by_category"]["paraphrase"]["recall@5"] >= 0.85
    for other in ("keyword", "semantic", "fts5"):
        assert hybrid["recall@5"] >= report[other]["overall"]["recall@5"], other
        assert hybrid["mrr@10"] > report[other]["overall"]["mrr@10"], other


def test_every_gold_expectation_exists_in_some_record(engine):
    hay = [normalize_for_match(r["title"] + r["text"]) for r in engine.records]
    for g in load_gold(REPO / "tests" / "gold" / "queries.jsonl"):
        assert any(normalize_for_match(e) in h for e in g.expect for h in hay), g.id


# -- building ------------------------------------------------------------------

def test_unchanged_build_is_skipped(settings):
    before = current_build(settings.index_dir)
    result = build(settings, progress=False)
    assert not result.built and result.path == before


def _index_serving(settings, tmp_path: Path) -> Path:
    """A separate index dir whose `current` serves the session's build (no second embedding run)."""
    index_dir = tmp_path / "index"
    (index_dir / "builds").mkdir(parents=True)
    served = current_build(settings.index_dir)
    (index_dir / "builds" / served.name).symlink_to(served)
    (index_dir / "current").symlink_to(Path("builds") / served.name)
    return index_dir


def test_failed_build_leaves_the_previous_index_serving(settings, tmp_path):
    index_dir = _index_serving(settings, tmp_path)
    before = os.readlink(index_dir / "current")
    broken = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, broken)
    (broken / "records" / "99-broken.yaml").write_text(
        "records:\n- id: measure-x\n  kind: measure\n  section: III.6.1\n  pillar: 7\n  title: x\n  quotes: [存在しない引用]\n",
        encoding="utf-8")
    with pytest.raises(CorpusError):
        build(load_settings(corpus_dir=broken, index_dir=index_dir, model_dir=settings.model_dir), progress=False)
    no_model = tmp_path / "no-model"
    no_model.mkdir()
    with pytest.raises(ModelUnavailable):
        build(load_settings(index_dir=index_dir, model_dir=no_model), force=True, progress=False)
    assert os.readlink(index_dir / "current") == before
    assert not [p for p in (index_dir / "builds").iterdir() if p.name.startswith(".tmp")]
    engine = SearchEngine(load_settings(index_dir=index_dir), current_build(index_dir), embedder=None or _shared(settings))
    assert engine.search("交通空白", mode="keyword").results


def _shared(settings):
    from indexer.model.embedder import Embedder

    return Embedder(settings.model_dir)


def test_missing_index_says_to_build_and_stale_is_served(settings, tmp_path):
    with pytest.raises(IndexUnavailable, match="policykb build"):
        SearchEngine.open(load_settings(index_dir=tmp_path / "nothing"))
    changed = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, changed)
    with (changed / "records" / "50-pillars.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert SearchEngine.open(load_settings(corpus_dir=changed, index_dir=settings.index_dir)).stale  # issue 8


# -- the CLI -------------------------------------------------------------------

def _cli(settings, *args, stdin: str | None = None):
    env = dict(os.environ, POLICYKB_INDEX_DIR=str(settings.index_dir))
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=REPO, env=env)


def test_cli_search_json_and_batch(settings):
    out = _cli(settings, "search", "交通空白", "--json", "-k", "3")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"query", "mode", "total", "took_ms", "results"}
    assert set(data["results"][0]) >= {"id", "kind", "title", "text", "snippet", "score", "why", "pillar", "era", "place", "citation"}
    batch = _cli(settings, "search", "-", "--mode", "keyword", stdin="RESAS\n\nレビキャリ\n")
    lines = [json.loads(l) for l in batch.stdout.splitlines()]
    assert [l["query"] for l in lines] == ["RESAS", "レビキャリ"]


def test_cli_bad_input_exits_2_without_traceback(settings):
    for args in (["search", ""], ["search", "交通", "--mode", "fuzzy"], ["search", "交通", "--kind", "policy"],
                 ["search", "交通", "-k", "0"]):
        out = _cli(settings, *args)
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr and out.stderr.strip()
    missing = subprocess.run([sys.executable, "-m", "indexer.cli", "--index-dir", "/nonexistent/idx", "search", "交通"],
                             capture_output=True, text=True, cwd=REPO)
    assert missing.returncode == 1 and "policykb build" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_show_prints_cross_references(settings):
    out = _cli(settings, "show", "measure-1-transport-gaps")
    assert out.returncode == 0
    assert "目標" in out.stdout and "case-ibaraki-sakai-autonomous-bus" in out.stdout


def test_a_facet_count_is_what_the_filter_returns(engine):
    for mode in ("hybrid", "semantic", "keyword"):
        resp = engine.search("交通空白", mode=mode, k=100)
        for kind, count in resp.facets["kind"].items():
            assert engine.search("交通空白", mode=mode, k=100, filters=Filters(kind=(kind,))).total == count, (mode, kind)


def test_cli_build_with_a_bad_model_dir_fails_with_a_message(settings, tmp_path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    out = subprocess.run([sys.executable, "-m", "indexer.cli", "--index-dir", str(tmp_path / "idx"), "--model", str(empty),
                          "build", "--quiet"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 1
    assert "not-a-model" in out.stderr and "Traceback" not in out.stderr


def test_hybrid_says_how_many_results_contain_the_query_words(engine):
    resp = engine.search("RESAS", mode="hybrid")
    assert resp.keyword_matches == len(engine.search("RESAS", mode="keyword", k=100).results) >= 1
    assert resp.total >= resp.keyword_matches
