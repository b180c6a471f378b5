"""The e5 query vectors of the policy records' texts, made by the build for their record pages.

A record page's 「根拠となりうる条文（提案）」 compares the measure with laws by e5, the measure read
as a question (its title and text, NFKC, the first MEASURE_QUERY_CHARS characters: `measure_query_text`).
Encoded at the page, that was half of a new record page's time (≈ 55 of 110 ms, per worker process
and again after every restart); it depends on the record and the model only, so the regional build
encodes every policy record's once (through the embedding cache: a rebuild encodes only new texts)
and the server looks them up (`load_query_vectors`). A text the build did not encode (an index
built before this module, another model) is encoded at the page as before.

Files, in the regional collection's vectors/ directory: queries.npy (float32 unit rows) and
queries.json (the text of each row), written by indexer.index.measure_query_writer.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from indexer.corpus.schema import DERIVED_KINDS

__all__ = ["MEASURE_QUERY_CHARS", "VECTORS_FILE", "TEXTS_FILE", "measure_query_text", "load_query_vectors"]

#: How much of a measure e5 reads as its question (its name first): the 512-token model reads it
#: whole, and a measure's first sentences say what it is.
MEASURE_QUERY_CHARS = 256
VECTORS_FILE = "queries.npy"
TEXTS_FILE = "queries.json"


def measure_query_text(rec: dict) -> str | None:
    """The text e5 reads as the question of a policy record; None for a record that grounds nothing
    (an article, a table, a passage: DERIVED_KINDS)."""
    if rec.get("kind") in DERIVED_KINDS:
        return None
    return unicodedata.normalize("NFKC", f"{rec['title']}。{rec['text']}")[:MEASURE_QUERY_CHARS]


def load_query_vectors(path: Path) -> dict[str, np.ndarray]:
    """text → unit query vector, as the build stored them in `path`; empty when it stored none."""
    if not (path / TEXTS_FILE).exists():
        return {}
    texts = json.loads((path / TEXTS_FILE).read_text(encoding="utf-8"))
    vectors = np.load(path / VECTORS_FILE)
    if len(texts) != len(vectors):
        raise ValueError(f"{path / VECTORS_FILE}: {len(vectors)} rows for {len(texts)} texts")
    return dict(zip(texts, vectors))
