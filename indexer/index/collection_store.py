"""A large collection's part store: one SQLite file per part, written once by the collection
build (indexer.index.collection_build), then opened read-only by the reader (indexer.index.collection).

Tables: `units` (ordinal, unit id, kind, document, the unit's record as zlib-compressed JSON),
`documents` (id, title, metadata JSON, the document's text, zlib-compressed) and `links` (citing
unit, cited unit, the citing unit's document: a unit's `cites`, read backwards as `cited_by`).
"""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

#: A part's directory of e5 rows for the main Acts (indexer.index.law_vectors writes it, the reader
#: opens it): here, beside the store's format, so that the reader never imports the writer's module.
E5_DIR = "e5"
#: Each part's statutory definitions of its Acts (indexer.index.law_definitions writes it; read by
#: indexer.index.collection): {document id: [[term, body, form, article], ...]}.
DEFINITIONS_FILE = "definitions.json"


def new_store(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE units (ord INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL,
                            document TEXT NOT NULL, record BLOB NOT NULL);
        CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT NOT NULL, meta TEXT NOT NULL, text BLOB NOT NULL);
        CREATE TABLE links (source TEXT NOT NULL, target TEXT NOT NULL, document TEXT NOT NULL);
    """)
    return con


def open_store(path: Path) -> sqlite3.Connection:
    # immutable=1: no locking, no journal; the file never changes once its build is complete.
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    con.execute("PRAGMA mmap_size=1073741824")
    return con


def pack(s: str) -> bytes:
    return zlib.compress(s.encode("utf-8"), 6)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")
