"""Statutes (法令): kanji numerals, a structural parser with exact offsets, and citation resolution.

Public face: `parse_statute`, `looks_like_statute`, `Statute`, `Article`, `Paragraph`, `Item`,
`Table`, `TableRow`, `SupplBlock`, `Heading`, `StatuteParseError` (parse); `resolve_references`,
`article_links`, `article_key`, `ArticleLink`, `resolve_policy_reference`, `Reference`, `known_laws_from`,
`known_laws_in`, `cited_law_numbers`, `CORPUS_LAWS` (refs); the numeral helpers of `numerals`.
"""

from indexer.laws.model import (
    Article,
    Heading,
    Item,
    Paragraph,
    Statute,
    StatuteParseError,
    SupplBlock,
    Table,
    TableRow,
)
from indexer.laws.numerals import (
    article_label,
    article_number_key,
    int_to_kanji,
    kanji_to_int,
    normalize_article_refs,
    parse_number,
)
from indexer.laws.parse import looks_like_statute, parse_statute, suppl_act_key
from indexer.laws.refs import (
    CORPUS_LAWS,
    ArticleLink,
    Reference,
    article_key,
    article_links,
    cited_law_numbers,
    known_laws_from,
    known_laws_in,
    resolve_policy_reference,
    resolve_references,
)

__all__ = [
    "Article", "Heading", "Item", "Paragraph", "Statute", "StatuteParseError", "SupplBlock", "Table",
    "TableRow", "article_label", "article_number_key", "int_to_kanji", "kanji_to_int",
    "normalize_article_refs", "parse_number", "looks_like_statute", "parse_statute", "suppl_act_key",
    "CORPUS_LAWS", "ArticleLink", "Reference", "article_key", "article_links", "cited_law_numbers", "known_laws_from",
    "known_laws_in",
    "resolve_policy_reference", "resolve_references",
]
