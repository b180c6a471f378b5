"""Writing the keyword index: each document's Sudachi terms, joined per split mode, into tantivy.

The layout (schema, analyzer) is indexer.index.keyword_format; the reader is
indexer.index.keyword_index. `analysed_fields` is shared by the regional index and the large
collections (indexer.index.collection_build).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import tantivy

from indexer.index.documents import SearchDoc
from indexer.index.keyword_format import register_analyzer, schema
from indexer.text.analysis import Token, analyze


def _joined(tokens: list[Token], mode: str) -> str:
    return " ".join(t.term.replace(" ", "_") for t in tokens if t.mode == mode)


@lru_cache(maxsize=512)
def _analysed_context(text: str) -> tuple[Token, ...]:
    # A context (法令名 ＞ 第二章 ＞ 第一節) is the same for every article of a chapter.
    return tuple(analyze(text))


def analysed_fields(doc: SearchDoc, body: list[Token] | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A document's indexed text fields ({title,body,context}_{a,c}: space-joined Sudachi terms of each
    split mode) and its terms per field. Shared by the regional index and the large collections.
    `body`: the body's tokens, when the caller has analysed it already."""
    fields: dict[str, str] = {}
    terms: dict[str, list[str]] = {}
    for field, text in (("title", doc.title), ("body", doc.body), ("context", doc.context)):
        if field == "body" and body is not None:
            tokens = body
        elif field == "context":
            tokens = _analysed_context(text)
        else:
            tokens = analyze(text)
        for mode in "AC":
            fields[f"{field}_{mode.lower()}"] = _joined(tokens, mode)
        terms[field] = sorted({t.term for t in tokens})
    return fields, terms


def build_keyword_index(path: Path, docs: list[SearchDoc], facets: dict[str, dict],
                        keep_body: Callable[[str, list[Token]], object] | None = None) -> dict[str, dict[str, list[str]]]:
    """Write the index into `path`; return each record's terms per field (for explanations).
    `keep_body(id, tokens)` is handed each body's tokens (the regional build keeps them for the pages:
    indexer.index.record_tokens), so a text is analysed once for both."""
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(path))
    register_analyzer(index)
    record_terms: dict[str, dict[str, list[str]]] = {}
    with index.writer(heap_size=50_000_000, num_threads=1) as writer:
        for doc in docs:
            # facets[id] is export.facet_values: field name → values, named as in the schema.
            body = analyze(doc.body)
            if keep_body is not None:
                keep_body(doc.id, body)
            analysed, record_terms[doc.id] = analysed_fields(doc, body)
            fields: dict = {"id": doc.id, **{name: values for name, values in facets[doc.id].items() if values},
                            **analysed}
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
    (path / "terms.json").write_text(json.dumps(record_terms, ensure_ascii=False), encoding="utf-8")
    return record_terms
