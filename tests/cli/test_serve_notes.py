"""`policykb serve` tells the operator how to fix the site's URL when POLICYKB_BASE_URL is unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    # An empty index directory: the server stops before binding, after what it says at start.
    environ = {k: v for k, v in os.environ.items() if k != "POLICYKB_BASE_URL"} | env
    return subprocess.run([sys.executable, "-m", "policykb", "--index-dir", str(tmp_path), "serve", "--port", "0"],
                          cwd=REPO, env=environ, capture_output=True, text=True, timeout=120)


def test_an_unset_base_url_is_said_with_how_to_set_it(tmp_path):
    unset = _serve(tmp_path)
    assert unset.returncode != 0  # no index here
    assert "POLICYKB_BASE_URL が設定されていません" in unset.stderr
    assert "POLICYKB_BASE_URL=https://policykb.example.jp policykb serve" in unset.stderr
    set_ = _serve(tmp_path, POLICYKB_BASE_URL="https://policykb.example.jp")
    assert "POLICYKB_BASE_URL" not in set_.stderr
