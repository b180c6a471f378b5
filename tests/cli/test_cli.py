"""The `policykb` command, in-process through policykb.cli.main (argv in, exit code and printed text out).

Only the one test that must see a fresh interpreter (no traceback reaches the terminal from an
import-time failure) runs it as a subprocess.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from policykb.cli import main

REPO = Path(__file__).resolve().parents[2]


def _cli(settings, capsys, monkeypatch, *args, stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setenv("POLICYKB_INDEX_DIR", str(settings.index_dir))
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_search_json_and_batch(settings, capsys, monkeypatch):
    code, out, err = _cli(settings, capsys, monkeypatch, "search", "交通空白", "--json", "-k", "3")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"query", "mode", "total", "took_ms", "results"}
    assert set(data["results"][0]) >= {"id", "kind", "title", "text", "snippet", "score", "why", "pillar", "era", "place", "citation"}
    code, out, _ = _cli(settings, capsys, monkeypatch, "search", "-", "--mode", "keyword", stdin="RESAS\n\nレビキャリ\n")
    lines = [json.loads(l) for l in out.splitlines()]
    assert [l["query"] for l in lines] == ["RESAS", "レビキャリ"]


def test_cli_bad_input_exits_2_with_one_line(settings, capsys, monkeypatch):
    for args in (["search", ""], ["search", "交通", "--mode", "fuzzy"], ["search", "交通", "--kind", "policy"],
                 ["search", "交通", "-k", "0"]):
        code, _, err = _cli(settings, capsys, monkeypatch, *args)
        assert code == 2, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    code, _, err = _cli(settings, capsys, monkeypatch, "--index-dir", "/nonexistent/idx", "search", "交通")
    assert code == 1 and "policykb build" in err and "Traceback" not in err


def test_cli_show_prints_cross_references(settings, capsys, monkeypatch):
    code, out, _ = _cli(settings, capsys, monkeypatch, "show", "measure-1-transport-gaps")
    assert code == 0
    assert "目標" in out and "case-ibaraki-sakai-autonomous-bus" in out


def test_cli_build_with_a_bad_model_dir_fails_with_a_message(tmp_path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    out = subprocess.run([sys.executable, "-m", "policykb", "--index-dir", str(tmp_path / "idx"), "--model", str(empty),
                          "build", "--quiet"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 1
    assert "not-a-model" in out.stderr and "Traceback" not in out.stderr


def test_cli_says_when_a_law_has_a_last_day(settings, capsys, monkeypatch, engine):
    """半島振興法 附則第二項 gives the law a last day (令和17年（2035年）3月31日): `show` says it as the
    record page does; a search marks 「失効」 only once the day is past (as the results page does)."""
    import datetime as dt

    from indexer.corpus.law_effect import JST

    rid = next(r["id"] for r in engine.records if (r.get("law") or {}).get("law_title") == "半島振興法"
               and r["kind"] == "article")
    past = dt.datetime.now(JST).date() > dt.date(2035, 3, 31)
    code, out, _ = _cli(settings, capsys, monkeypatch, "show", rid)
    verb = "効力を失っています" if past else "効力を失います"
    assert code == 0 and f"効力: この法律は令和17年（2035年）3月31日限りで{verb}（附則第二項）。" in out
    code, out, _ = _cli(settings, capsys, monkeypatch, "search", "半島振興法 半島振興計画", "--mode", "keyword")
    lines = [line for line in out.splitlines() if "半島振興法" in line and "(law-" in line]
    assert code == 0 and lines
    assert all(("失効（この法律は令和17年（2035年）3月31日限りで" in line) == past for line in lines)
