"""Static embeddings distilled from the converted e5: a token table, no transformer at encode time.

The reader: a model2vec directory (distilled by indexer.model.static_distill) as a passage and
query encoder. Why a static model, and how it is distilled: indexer.model.static_distill.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from pathlib import Path

import numpy as np

# The encoders open in this process, by the identity of their model files (see StaticEncoder.shared).
_OPEN: "weakref.WeakValueDictionary[tuple, StaticEncoder]" = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()


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

    @classmethod
    def shared(cls, static_dir: Path) -> "StaticEncoder":
        """The encoder of this model directory, one per process while anything holds it.

        Engines over builds that hold the same static model (hard links: an incremental build, a
        reload after a build that left 全法令 as it was) share it instead of loading it again: a load
        took 5 CPU-s and 0.7 GB here, most of it model2vec reading the tokenizer. Keyed by the
        directory's name (part of the fingerprint) and its files' identity (device, inode, size,
        mtime), so a model distilled again is loaded afresh; weakly held, so it goes when the last
        engine using it goes.
        """
        d = Path(static_dir)
        key = (d.name, *sorted((p.name, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                               for p in d.iterdir() if p.is_file() for st in (p.stat(),)))
        with _OPEN_LOCK:
            encoder = _OPEN.get(key)
            if encoder is None:
                encoder = cls(d)
                _OPEN[key] = encoder
        return encoder

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.model.encode(list(texts), show_progress_bar=progress), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]
