"""policykb indexer: corpus schema and validation, analysis, indexes, search, CLI."""

__version__ = "0.1.0"
