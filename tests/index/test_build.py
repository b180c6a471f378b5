"""Builds: skipped when nothing changed, a failed build leaves the previous index serving, stale is served."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.errors import CorpusError, IndexUnavailable, ModelUnavailable
from indexer.index.build import build, current_build
from indexer.search.engine import SearchEngine


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


