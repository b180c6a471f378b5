"""A sentence-transformers model's prompts ("query: ", "passage: " for e5), read from its directory.

One reader for the places that need them without loading the model: the build's encoder of passages
and of the measures' questions (indexer.index.passage_encoding) and the serving query encoder
(indexer.model.query_encoder).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["model_prompts", "passage_prompt", "query_prompt"]


def model_prompts(model_dir: Path) -> dict[str, str]:
    """The `prompts` of the model's config_sentence_transformers.json; {} when it has none or no such file."""
    try:
        config = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    prompts = config.get("prompts") if isinstance(config, dict) else None
    return prompts if isinstance(prompts, dict) else {}


def passage_prompt(model_dir: Path) -> str | None:
    """The model's passage prompt ("passage: " for e5), or None when it has none we know."""
    prompts = model_prompts(model_dir)
    return next((prompts[p] for p in ("passage", "document") if p in prompts), None)


def query_prompt(model_dir: Path) -> str:
    """The model's query prompt ("query: " for e5), or "" when it has none."""
    return model_prompts(model_dir).get("query", "")
