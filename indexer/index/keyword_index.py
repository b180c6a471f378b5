"""BM25 keyword index over Sudachi terms, in tantivy.

tantivy's default tokenizer drops Japanese, so documents are indexed as
space-joined Sudachi terms through a whitespace+lowercase analyzer. User input
never reaches tantivy's query parser: queries are built from terms, so quotes,
parentheses, `field:` and `*` are just characters.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import tantivy

from indexer.text.analysis import Token, analyze

if TYPE_CHECKING:  # the query side must not load build-time code
    from indexer.index.documents import SearchDoc

ANALYZER = "ja_ws"
TEXT_FIELDS = {"title": 3.0, "body": 1.0, "context": 0.5}
PHRASE_BOOST = 2.0
EXPANSION_BOOST = 0.5


class FilterSpec(Protocol):
    """What the index needs of a filter (indexer.search.filters.Filters provides it)."""

    def terms(self) -> dict[str, tuple]: ...

    def ranges(self) -> dict[str, tuple[int | None, int | None]]: ...


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("kind", "era", "prefecture", "document"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("pillar", indexed=True)
    sb.add_integer_field("deadline_year", indexed=True)
    for field in TEXT_FIELDS:
        for mode in "AC":
            sb.add_text_field(f"{field}_{mode.lower()}", tokenizer_name=ANALYZER)
    return sb.build()


def _register(index: tantivy.Index) -> None:
    # Must be done again every time the index is opened.
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(tantivy.Filter.lowercase()).build()
    index.register_tokenizer(ANALYZER, analyzer)


def _joined(tokens: list[Token], mode: str) -> str:
    return " ".join(t.term.replace(" ", "_") for t in tokens if t.mode == mode)


@lru_cache(maxsize=512)
def _analysed_context(text: str) -> tuple[Token, ...]:
    # A context (法令名 ＞ 第二章 ＞ 第一節) is the same for every article of a chapter.
    return tuple(analyze(text))


def analysed_fields(doc: SearchDoc) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A document's indexed text fields ({title,body,context}_{a,c}: space-joined Sudachi terms of each
    split mode) and its terms per field. Shared by the regional index and the large collections."""
    fields: dict[str, str] = {}
    terms: dict[str, list[str]] = {}
    for field, text in (("title", doc.title), ("body", doc.body), ("context", doc.context)):
        tokens = _analysed_context(text) if field == "context" else analyze(text)
        for mode in "AC":
            fields[f"{field}_{mode.lower()}"] = _joined(tokens, mode)
        terms[field] = sorted({t.term for t in tokens})
    return fields, terms


def term_clauses(schema: tantivy.Schema, terms: dict[str, tuple]) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """One Must clause per set facet: any of its values (OR inside a facet, AND across facets)."""
    clauses = []
    for name, values in terms.items():
        options = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, name, v)) for v in values]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(options)))
    return clauses


def build_keyword_index(path: Path, docs: list[SearchDoc], facets: dict[str, dict]) -> dict[str, dict[str, list[str]]]:
    """Write the index into `path`; return each record's terms per field (for explanations)."""
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(path))
    _register(index)
    record_terms: dict[str, dict[str, list[str]]] = {}
    with index.writer(heap_size=50_000_000, num_threads=1) as writer:
        for doc in docs:
            # facets[id] is export.facet_values: field name → values, named as in the schema.
            analysed, record_terms[doc.id] = analysed_fields(doc)
            fields: dict = {"id": doc.id, **{name: values for name, values in facets[doc.id].items() if values},
                            **analysed}
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
    (path / "terms.json").write_text(json.dumps(record_terms, ensure_ascii=False), encoding="utf-8")
    return record_terms


def text_query(schema: tantivy.Schema, query_tokens: list[Token], extra_tokens: list[Token] = ()) -> tantivy.Query | None:
    """Term and phrase clauses for the query; `extra_tokens` (thesaurus expansions) add weaker terms only.
    Shared by the regional index and the large collections (indexer.index.collection)."""
    should: list[tuple[tantivy.Occur, tantivy.Query]] = []
    extra = list(dict.fromkeys(t.term.replace(" ", "_") for t in extra_tokens if t.mode == "C"))
    for field, boost in TEXT_FIELDS.items():
        for term in extra:
            q = tantivy.Query.term_query(schema, f"{field}_c", term)
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost * EXPANSION_BOOST)))
    for mode in "AC":
        words = [t.term.replace(" ", "_") for t in query_tokens if t.mode == mode]
        for field, boost in TEXT_FIELDS.items():
            fname = f"{field}_{mode.lower()}"
            for term in dict.fromkeys(words):
                q = tantivy.Query.term_query(schema, fname, term)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost)))
            if len(words) > 1 and field != "context":
                phrase = tantivy.Query.phrase_query(schema, fname, words, slop=1)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, boost * PHRASE_BOOST)))
    if not should:
        return None
    return tantivy.Query.boolean_query(should)


class KeywordIndex:
    def __init__(self, path: Path):
        self.index = tantivy.Index.open(str(path))
        _register(self.index)
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.record_terms: dict[str, dict[str, list[str]]] = json.loads((path / "terms.json").read_text(encoding="utf-8"))
        self._term_sets = {rid: {f: set(ts) for f, ts in fields.items()} for rid, fields in self.record_terms.items()}
        self._all_terms = {rid: set().union(*fields.values()) for rid, fields in self._term_sets.items()}
        self._vocabulary = set().union(*self._all_terms.values()) if self._all_terms else set()

    def knows(self, term: str) -> bool:
        """Whether any record holds the term in any field."""
        return term in self._vocabulary

    def contains_any(self, record_id: str, tokens: list[Token]) -> bool:
        return any(t.term in self._all_terms.get(record_id, ()) for t in tokens)

    def _filter_clauses(self, filters: FilterSpec) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The facets' clauses (term_clauses) and one Must range clause per set range."""
        clauses = term_clauses(self.schema, filters.terms())
        for name, (lo, hi) in filters.ranges().items():
            q = tantivy.Query.range_query(self.schema, name, tantivy.FieldType.Integer, lo, hi, use_inverted_index=True)
            clauses.append((tantivy.Occur.Must, q))
        return clauses

    def search(self, query_tokens: list[Token], filters: FilterSpec, limit: int = 200,
               extra_tokens: list[Token] = ()) -> list[tuple[str, float]]:
        text = text_query(self.schema, query_tokens, extra_tokens)
        if text is None:
            return []
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *self._filter_clauses(filters)])
        hits = self.searcher.search(query, limit=limit, count=False).hits
        out = []
        for score, address in hits:
            doc = self.searcher.doc(address)
            out.append((doc["id"][0], float(score)))
        return out

    def filtered_ids(self, filters: FilterSpec, limit: int = 100_000) -> set[str]:
        clauses = self._filter_clauses(filters)
        if not clauses:
            return set(self.record_terms)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()), *clauses])
        hits = self.searcher.search(query, limit=limit, count=False).hits
        return {self.searcher.doc(a)["id"][0] for _, a in hits}

    def concept_share(self, record_id: str, concepts: list[frozenset[str]]) -> float:
        """Share of the query's concepts (a term, or a term with its expansions) found in the record."""
        if not concepts:
            return 0.0
        terms = self._all_terms.get(record_id, set())
        return sum(1 for c in concepts if not terms.isdisjoint(c)) / len(concepts)

    def matched_terms(self, record_id: str, query_tokens: list[Token]) -> dict[str, list[str]]:
        """Which query terms occur in which field of the record: the keyword side of 'why'."""
        sets = self._term_sets.get(record_id, {})
        wanted = list(dict.fromkeys(t.term for t in query_tokens))
        return {field: [t for t in wanted if t in sets.get(field, ())] for field in TEXT_FIELDS if any(t in sets.get(field, ()) for t in wanted)}
