"""The corpus: sources, typed records, validation, anchoring, citations and the exported record shape.

Public face: `load_corpus`, `Corpus`, `Record`, `Source`, and the vocabularies
(`KINDS`, `ERAS`, `PILLARS`, `TARGET_TYPES`).
"""

from indexer.corpus.loader import Corpus, Problem, load_corpus
from indexer.corpus.schema import ERA_LABELS, ERAS, KIND_LABELS, KINDS, PILLARS, TARGET_TYPES, Record
from indexer.corpus.sources import Source, load_sources

__all__ = ["Corpus", "Problem", "load_corpus", "Record", "Source", "load_sources",
           "KINDS", "ERAS", "PILLARS", "TARGET_TYPES", "KIND_LABELS", "ERA_LABELS"]
