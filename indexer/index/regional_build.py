"""Building the regional collection (地域政策): the curated corpus and the statutes of corpus/sources/.

Its files sit at the root of a build directory (REGIONAL_PARTS): the exported records, the
documents' reading views, the keyword index (indexer.index.keyword_writer), the e5 vectors
(indexer.index.vector_writer) and the thesaurus the queries expand with. The build is whole
every time (a few minutes at most, nearly all of it cached embeddings); when the regional
corpus, its code and the model are those of the build in service, the build links the previous
files instead (indexer.index.builder).
"""

from __future__ import annotations

import json
import os
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
from indexer.index.vector_writer import save_vectors
from indexer.model.cache import EmbeddingCache, model_fingerprint, text_key
from indexer.model.embedder import Embedder
from indexer.model.parallel_encoder import ParallelPassageEncoder, build_encoder_choice, passage_prompt
from indexer.model.query_encoder import graph_supported, query_graph_path
from indexer.text.thesaurus import load_thesaurus

#: Files of the regional part of a build; everything else is a collection's (collections/<name>/).
REGIONAL_PARTS = ("records.jsonl", "sources.json", "keyword", "vectors", "thesaurus.yaml")
#: The embedding cache, beside the builds (pruning never touches it): a rebuild embeds only new passages.
CACHE_FILE = "embeddings.sqlite"


def cache_path(index_dir: Path) -> Path:
    """The embedding cache: POLICYKB_EMBEDDING_CACHE when set (tests share the developer's cache
    this way, so a session's build of the default corpus embeds nothing already embedded), else
    <index dir>/embeddings.sqlite. Sharing is safe: rows are keyed by encoder fingerprint and text."""
    env = os.environ.get("POLICYKB_EMBEDDING_CACHE")
    return Path(env) if env else index_dir / CACHE_FILE


class _LazyEncoder:
    """The passage encoder for `encode_cached`, loading the model only when something is missing:
    ONNX Runtime in a process per core when the build exported the model's graph
    (indexer.model.parallel_encoder), else (or with POLICYKB_BUILD_ENCODER=torch) torch in this process."""

    def __init__(self, settings: Settings, fingerprint: str):
        self.settings = settings
        self.model_dir = settings.model_dir
        self.fingerprint = fingerprint
        self._embedder = None

    def _open(self):
        prompt = passage_prompt(self.model_dir)
        graph = query_graph_path(self.model_dir, self.settings.index_dir) if graph_supported(self.model_dir) else None
        if build_encoder_choice() == "onnx" and graph is not None and prompt is not None:
            return ParallelPassageEncoder(self.model_dir, graph, self.fingerprint, prompt=prompt)
        return Embedder(self.model_dir)

    def encode_passages(self, texts: list[str], *, progress: bool = False):
        if self._embedder is None:
            self._embedder = self._open()
        return self._embedder.encode_passages(texts, progress=progress)

    def close(self) -> None:
        if isinstance(self._embedder, ParallelPassageEncoder):
            self._embedder.close()


def _build_regional(settings: Settings, tmp: Path, stages: Stages, progress: bool) -> tuple[int, int, int]:
    """The regional collection's files into tmp: records, reading views, keyword index, e5 vectors.
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
    build_keyword_index(tmp / "keyword", docs, facets)
    stages.done("keyword index", f"{len(docs)} documents")
    owners, passages = [], []
    for rec, d in zip(records, docs):
        for chunk in embedding_passages(rec, d):
            owners.append(d.id)
            passages.append(chunk)
    encoder = _LazyEncoder(settings, model_fingerprint(settings.model_dir))
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

