"""Statutes (法令): kanji numerals, a structural parser with exact offsets, and citation resolution.

Public face: `parse_statute`, `looks_like_statute`, `Statute`, `Article`, `Paragraph`, `Item`,
`Table`, `SupplBlock`, `Heading`, `StatuteParseError`, and the numeral helpers.
"""
