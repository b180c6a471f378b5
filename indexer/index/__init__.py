"""Indexes: the searchable document of a record, the tantivy keyword index, vectors, and the build.

Public face for the query side: `KeywordIndex`, `VectorIndex`, and `store`
(which build is current, whether it is stale). Build-time code is imported only by the build:
the query side never loads it. Each index format has a writer module and a reader module:

  keyword index (tantivy)    keyword_writer      → keyword_index.KeywordIndex, collection (layout: keyword_format)
  regional vectors           vector_writer       → vectors.VectorIndex
  mapped vectors + HNSW      vector_writer       → ann.AnnVectorIndex, collection
  large collection's parts   collection_build    → collection.CollectionIndex (tables: collection_store)
  static model               model.static_distill → model.static_encoder.StaticEncoder
  manifest + COMPLETE        manifest_writer     → verify
A build runs the stages every collection shares (build) over one builder per collection
(builder: the interface; regional_build.RegionalBuilder, collection_build.LargeCollectionBuilder).
Which of this code marks an index stale: fingerprint (the rule) and digests (the hashes).
"""

from indexer.index.keyword_index import KeywordIndex
from indexer.index.store import content_hash, current_build, manifest_hash
from indexer.index.vectors import VectorIndex

__all__ = ["KeywordIndex", "VectorIndex", "content_hash", "current_build", "manifest_hash"]
