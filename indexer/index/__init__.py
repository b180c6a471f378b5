"""Indexes: the searchable document of a record, the tantivy keyword index, vectors, and the build.

Public face for the query side: `KeywordIndex`, `VectorIndex`, and `store`
(which build is current, whether it is stale). Build-time code (`build`,
`documents`) is imported only by the build: the query side never loads it.
"""

from indexer.index.keyword_index import KeywordIndex
from indexer.index.store import content_hash, current_build, manifest_hash
from indexer.index.vectors import VectorIndex

__all__ = ["KeywordIndex", "VectorIndex", "content_hash", "current_build", "manifest_hash"]
