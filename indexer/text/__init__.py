"""Text: offset-keeping normalisation, Sudachi analysis, the thesaurus, snippets with highlights.

Public face: `analyze`, `Token`, `nfkc_with_offsets`, `normalize_for_match`,
`load_thesaurus`, `make_snippet`.
"""

from indexer.text.analysis import Token, analyze
from indexer.text.normalize import nfkc_with_offsets, normalize_for_match
from indexer.text.snippets import Snippet, make_snippet
from indexer.text.thesaurus import Expansion, Thesaurus, load_thesaurus

__all__ = ["Token", "analyze", "nfkc_with_offsets", "normalize_for_match", "Snippet", "make_snippet",
           "Expansion", "Thesaurus", "load_thesaurus"]
