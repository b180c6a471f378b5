"""Static embeddings distilled from the converted e5: a token table, no transformer at encode time.

The reader: a model2vec directory (distilled by indexer.model.static_distill) as a passage and
query encoder. Why a static model, and how it is distilled: indexer.model.static_distill.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np


class StaticEncoder:
    """A model2vec directory as a passage/query encoder with a fingerprint (see indexer.model.cache)."""

    def __init__(self, static_dir: Path):
        from model2vec import StaticModel  # deferred: model2vec takes 0.13 s to import; only a large collection needs it

        self.dir = Path(static_dir)
        self.model = StaticModel.from_pretrained(str(self.dir))
        self.dim = int(self.model.dim)
        h = hashlib.sha256()
        for name in sorted(p.name for p in self.dir.iterdir() if p.suffix in (".safetensors", ".json")):
            h.update(name.encode() + b"\0" + (self.dir / name).read_bytes())
        self.fingerprint = f"{self.dir.name}:static:{h.hexdigest()[:16]}"

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.model.encode(list(texts), show_progress_bar=progress), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]
