"""The statutory definitions of a large collection's Acts, stored per part by the build (the writer's
half; the reader is indexer.index.collection).

Why stored: a measure's legal basis (indexer.search.basis) looks for the statute's own word for the
measure's mechanism among the terms the laws define and what defines them (特定業務施設 — 「本店又は
主たる事務所…業務施設」 — for 本社機能). Read at request time, that meant reading each law whole
(≈ 15–30 ms a law over 全法令, 20 laws a record page) and only the laws already compared; stored,
every Act's definitions are one file per part, loaded once per process.

Layout: `parts/<n>/definitions.json` (collection_store.DEFINITIONS_FILE): {document id: [[term, body, form, article], ...]}, the Acts' main
provisions only (no 附則), in reading order; `form` as indexer.text.definitions (とは・以下・inline),
`article` the article's label (第二条). A part built before this file existed has none: the reader
then says so (None), and basis reads the laws it compares as before.
"""

from __future__ import annotations

import json
from pathlib import Path

from indexer.index.collection_store import DEFINITIONS_FILE
from indexer.text.definitions import read_definitions

__all__ = ["act_definitions", "write_definitions"]
#: Characters of a definition's body kept (what basis compares: the first clause says what it is).
BODY_CHARS = 160


def act_definitions(records: list[dict]) -> list[list[str]]:
    """[term, body, form, article] of the definitions in a law's main-provision articles (record dicts),
    in reading order. The caller passes the records of an Act only."""
    out: list[list[str]] = []
    for rec in records:
        law = rec.get("law") or {}
        main = not law.get("suppl_act") and not "".join((rec.get("heading_path") or [""])[:1]).lstrip().startswith("附則")
        if rec.get("kind") != "article" or not main:
            continue
        for d in read_definitions(rec.get("text") or ""):
            out.append([d.term, d.body[:BODY_CHARS], d.form, law.get("article") or ""])
    return out


def write_definitions(part_dir: Path, definitions: dict[str, list[list[str]]]) -> int:
    """Write one part's definitions; returns how many."""
    (part_dir / DEFINITIONS_FILE).write_text(json.dumps(definitions, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return sum(len(v) for v in definitions.values())

