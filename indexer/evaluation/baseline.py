"""The plain baseline: SQLite FTS5 with the trigram tokenizer over the same records.

This is what most sites' search would do with Japanese text; the engine has to
beat it to be worth its weight.
"""

from __future__ import annotations

import sqlite3
import unicodedata


class TrigramBaseline:
    def __init__(self, records: list[dict]):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='trigram')")
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                            [(r["id"], unicodedata.normalize("NFKC", r["title"]),
                              unicodedata.normalize("NFKC", r["text"])) for r in records])

    def search(self, query: str, k: int = 10) -> list[str]:
        """OR of the query's trigrams (phrase-quoted so no FTS syntax leaks in), ranked by bm25."""
        words = unicodedata.normalize("NFKC", query).split()
        grams = {w[i:i + 3] for w in words for i in range(max(1, len(w) - 2)) if len(w[i:i + 3]) == 3}
        if not grams:
            return []
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0) LIMIT ?", (match, k))
        return [r[0] for r in rows]
