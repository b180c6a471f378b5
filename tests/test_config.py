"""Where the index and the model come from: arguments, then environment, then policykb.toml, then defaults."""

from pathlib import Path

from indexer.config import DEFAULT_MODEL_DIR, load_settings


def test_defaults(monkeypatch, tmp_path):
    for var in ("POLICYKB_MODEL", "POLICYKB_INDEX_DIR", "POLICYKB_CORPUS"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings(config_file=tmp_path / "absent.toml")
    assert s.model_dir == DEFAULT_MODEL_DIR and s.uses_default_model
    assert s.index_dir.name == "index" and s.corpus_dir.name == "corpus"


def test_precedence(monkeypatch, tmp_path):
    cfg = tmp_path / "policykb.toml"
    cfg.write_text('model = "/models/ruri-v3"\nindex = "elsewhere/index"\n', encoding="utf-8")
    monkeypatch.delenv("POLICYKB_MODEL", raising=False)
    monkeypatch.delenv("POLICYKB_INDEX_DIR", raising=False)
    s = load_settings(config_file=cfg)
    assert s.model_dir == Path("/models/ruri-v3") and not s.uses_default_model
    assert s.index_dir.parts[-2:] == ("elsewhere", "index")
    monkeypatch.setenv("POLICYKB_MODEL", "/models/e5-base")
    assert load_settings(config_file=cfg).model_dir == Path("/models/e5-base")
    assert load_settings(config_file=cfg, model_dir=tmp_path).model_dir == tmp_path
