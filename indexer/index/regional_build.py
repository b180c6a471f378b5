"""Building the regional collection (地域政策): the curated corpus and the statutes of corpus/sources/.

Its files sit at the root of a build directory (REGIONAL_PARTS): the exported records, the
documents' reading views, the keyword index (indexer.index.keyword_writer), the texts' tokens
(indexer.index.record_tokens), the e5 vectors
(indexer.index.vector_writer) and the thesaurus the queries expand with. The build is whole
every time (a few minutes at most, nearly all of it cached embeddings); when the regional
corpus, its code and the model are those of the build in service, the build links the previous
files instead (indexer.index.builder).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from indexer.config import Settings
from indexer.corpus.export import facet_values, record_dict
from indexer.corpus.loader import load_corpus
from indexer.corpus.reading import reader_payload
from indexer.errors import BuildError
from indexer.index.builder import Built, CollectionBuilder, Stages
from indexer.index.digests import regional_hash
from indexer.index.documents import embedding_passages, search_doc
from indexer.index.keyword_writer import build_keyword_index
from indexer.index.measure_queries import measure_query_text
from indexer.index.measure_query_writer import encode_measure_queries, save_query_vectors
from indexer.index.passage_encoding import LazyPassageEncoder, cache_path
from indexer.index.record_tokens import TOKENS_DIR, RecordTokensWriter
from indexer.index.vector_writer import save_vectors
from indexer.model.cache import EmbeddingCache, model_fingerprint, text_key
from indexer.text.thesaurus import load_thesaurus

#: Files of the regional part of a build; everything else is a collection's (collections/<name>/).
REGIONAL_PARTS = ("records.jsonl", "sources.json", "keyword", "tokens", "vectors", "thesaurus.yaml")
def _build_regional(settings: Settings, tmp: Path, stages: Stages, progress: bool) -> tuple[int, int, int]:
    """The regional collection's files into tmp: records, reading views, keyword index, tokens, e5 vectors.
    Returns (records, passages, passages embedded now)."""
    corpus = load_corpus(settings.corpus_dir)
    stages.done("validate", f"{len(corpus.records)} records from {len(corpus.sources)} sources")
    links = corpus.links_both_ways()
    records = [record_dict(r, corpus, links) for r in corpus.reading_order()]
    with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (tmp / "sources.json").write_text(json.dumps(reader_payload(corpus), ensure_ascii=False), encoding="utf-8")
    by_id = {r["id"]: r for r in records}
    docs = [search_doc(r, by_id) for r in records]
    facets = {r["id"]: facet_values(r) for r in records}
    thesaurus = settings.corpus_dir / "thesaurus.yaml"
    if thesaurus.exists():
        try:
            load_thesaurus(thesaurus)  # fail the build, not a query, on a malformed file
        except ValueError as exc:
            raise BuildError(f"{thesaurus}: {exc}; the index in service is unchanged") from exc
        shutil.copy(thesaurus, tmp / "thesaurus.yaml")
    stages.done("records", f"{len(records)} records exported")
    # A search document's body is its record's text (documents.search_doc): one analysis serves the
    # keyword index and the tokens the pages highlight from.
    tokens = RecordTokensWriter(tmp / TOKENS_DIR)
    build_keyword_index(tmp / "keyword", docs, facets, keep_body=tokens.add)
    stages.done("keyword index", f"{len(docs)} documents")
    kept = tokens.finish()
    stages.done("record tokens", f"{kept} tokens kept for the result pages' highlights")
    owners, passages = [], []
    for rec, d in zip(records, docs):
        for chunk in embedding_passages(rec, d):
            owners.append(d.id)
            passages.append(chunk)
    encoder = LazyPassageEncoder(settings, model_fingerprint(settings.model_dir))
    with EmbeddingCache(cache_path(settings.index_dir)) as cache:
        missing = len(set(passages)) - len(cache.get_many(encoder.fingerprint, [text_key(t) for t in set(passages)]))
        if progress:
            print(f"policykb build: embedding {missing} new passages of {len(passages)} (the rest cached)",
                  file=sys.stderr, flush=True)
        try:
            vectors = cache.encode_cached(encoder, passages, progress=progress)
        finally:
            encoder.close()
    save_vectors(tmp / "vectors", vectors, owners)
    stages.done("vectors", f"{len(passages)} passages, {missing} embedded now")
    questions = list(dict.fromkeys(t for r in records if (t := measure_query_text(r))))
    if questions:  # a corpus of statutes alone has none (its pages suggest nothing)
        with EmbeddingCache(cache_path(settings.index_dir)) as cache:
            asked = encode_measure_queries(settings, questions, cache)
        save_query_vectors(tmp / "vectors", questions, asked)
        stages.done("measure queries", f"{len(questions)} policy records' texts as e5 questions (record pages)")
    return len(records), len(passages), missing


class RegionalBuilder(CollectionBuilder):
    """The regional collection: built whole from corpus/ (the registers of external collections aside)."""

    name = "regional"
    kind = "regional"

    def __init__(self, settings: Settings, *, progress: bool = True):
        self.settings = settings
        self.progress = progress

    def paths(self) -> tuple[str, ...]:
        return REGIONAL_PARTS

    def digest(self) -> str:
        return regional_hash(self.settings)

    def build(self, out: Path, stages: Stages) -> Built:
        records, passages, embedded = _build_regional(self.settings, out, stages, self.progress)
        return Built(records, passages, embedded, {"records": records, "chunks": passages})

