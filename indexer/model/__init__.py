"""The embedding model: the offline e5 conversion (packed-format reader, charsmap) and the Embedder.

Public face: `Embedder` (query and build side). The conversion
(`indexer.model.e5_convert.ensure_default_model`) is build-time code and is
imported only where a build needs it.
"""

from indexer.model.embedder import Embedder

__all__ = ["Embedder"]
