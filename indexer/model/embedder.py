"""The embedding model: a sentence-transformers directory, loaded once, with a query cache.

The default model directory is produced offline by indexer.model.e5_convert; any
other local sentence-transformers directory works too, with its own prompts
(e5's "query: "/"passage: ", ruri's 検索クエリ/検索文書) taken from its config.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from indexer.errors import ModelUnavailable
from indexer.model.integrity import check_model_dir, fix_for
from indexer.model.query_cache import QueryCache


class Embedder(QueryCache):
    def __init__(self, model_dir: Path, *, cache_size: int = 2048):
        super().__init__(cache_size)
        if not (model_dir / "modules.json").exists():
            raise ModelUnavailable(f"埋め込みモデルがありません（{model_dir}）。`policykb build` を実行してください（既定のモデルはそこで作られます）。")
        check_model_dir(model_dir)  # sizes and the small files' checksums, recorded at conversion
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # deferred: sentence-transformers imports torch (≈4 s); keyword search and record pages never need it
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every CLI call

        try:
            self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except Exception as exc:  # a model with no checksums (or same-size damage): name it, in one line
            reason = " ".join(str(exc).split())[:200]
            raise ModelUnavailable(f"埋め込みモデル {model_dir} を読み込めません（{type(exc).__name__}: {reason}）。"
                                   f"{fix_for(model_dir)}。") from exc
        prompts = self.model.prompts or {}
        self.query_prompt = "query" if "query" in prompts else None
        self.passage_prompt = next((p for p in ("passage", "document") if p in prompts), None)
        self.name = model_dir.name

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self.model.encode(texts, prompt_name=self.passage_prompt, batch_size=16, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=progress).astype(np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        return self.model.encode([text], prompt_name=self.query_prompt, normalize_embeddings=True,
                                 convert_to_numpy=True)[0]
