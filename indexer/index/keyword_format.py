"""The tantivy layout the keyword writer and reader share: field names, the two schemas, the analyzer.

tantivy's default tokenizer drops Japanese, so documents are indexed as space-joined Sudachi
terms (written by indexer.index.keyword_writer) through a whitespace+lowercase analyzer, which
the reader (indexer.index.keyword_index, indexer.index.collection) registers again on every open.
Each text field is indexed twice: Sudachi's A units ({field}_a) and C units ({field}_c).
"""

from __future__ import annotations

import tantivy

ANALYZER = "ja_ws"
#: The analysed text fields, in schema order (their query boosts are the reader's: keyword_index.TEXT_FIELDS).
FIELDS = ("title", "body", "context")


def schema() -> tantivy.Schema:
    """The regional collection's index: one document per record, with its facets."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("kind", "era", "prefecture", "document"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("pillar", indexed=True)
    sb.add_integer_field("deadline_year", indexed=True)
    for field in FIELDS:
        for mode in "AC":
            sb.add_text_field(f"{field}_{mode.lower()}", tokenizer_name=ANALYZER)
    return sb.build()


def unit_schema() -> tantivy.Schema:
    """A large collection's index (indexer.index.collection): one document per unit."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("kind", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("document", stored=True, tokenizer_name="raw", index_option="basic")
    for field in FIELDS:
        for mode in "ac":
            sb.add_text_field(f"{field}_{mode}", tokenizer_name=ANALYZER)
    return sb.build()


def register_analyzer(index: tantivy.Index) -> None:
    """Register ANALYZER on an index; must be done again every time the index is opened."""
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(tantivy.Filter.lowercase()).build()
    index.register_tokenizer(ANALYZER, analyzer)
