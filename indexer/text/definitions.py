"""Statutory definitions read as data: the one reader of 「この法律において「X」とは…をいう」 and its kin.

Three forms, each a term and what defines it (its body):

* 「X」とは … をいう (or を指す): a definitions article (第二条（定義）), or a definition inside an
  article. Body: the text between 「とは、」 and 「をいう」.
* … （以下「X」という。）: an abbreviation where a term is first used. Body: the clause it names,
  back to the clause's start (the last 「、」 or 「。」 outside brackets), with the bracket's own
  words before 「以下」 (「本店又は主たる事務所…業務施設（工場を除く。以下「特定業務施設」という。）」).
* X（… をいう。以下同じ。）: a term defined where it is first used (特定居住（当該地域外に住所を有する
  者が定期的な滞在のため当該地域内に居所を定めることをいう。…）). Body: the bracket's text.

Users: indexer.text.legal_vocabulary (the 「とは」 form only: a query's words against what defines a
term), indexer.search.basis (every form: the statute's own word for a measure's mechanism, e.g. 特定業務施設
for 本社機能, whose body names 本店又は主たる事務所), and the 全法令 build, which stores the definitions of
every Act so that a record page need not read laws whole (indexer.index.definitions_store).

Texts are NFKC-normalised here (full-width brackets become ASCII ones), as basis compares them;
legal_vocabulary reads them as written, as it always has.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Definition", "read_definitions", "TOHA", "ABBREVIATION", "INLINE"]

TOHA = "とは"
ABBREVIATION = "以下"
INLINE = "inline"

# The same pattern legal_vocabulary used before this module: a body of 4–200 characters, one sentence.
_TOHA = re.compile(r"「([^「」]{1,30})」とは、([^。]{4,200}?)(?:をいう|を指す)")
# 「（以下「X」という。）」, 「（以下この条において「X」という。）」; the term quoted, up to 40 characters.
_ABBREVIATION = re.compile(r"以下[^「」()]{0,20}「([^「」]{2,40})」という")
# 「X（…をいう。」: a compound of kanji and katakana, then its meaning in brackets.
_INLINE = re.compile(r"([一-龥ァ-ヶー]{2,20})\(([^()]{4,160}?)をいう。")
#: Characters of the clause an abbreviation names that are kept as its body.
ABBREVIATION_BODY = 120


@dataclass(frozen=True)
class Definition:
    """A term a statute gives a meaning to, and the words that give it."""

    term: str   # 特定業務施設
    body: str   # what defines it (NFKC), at most a sentence
    form: str   # TOHA, ABBREVIATION or INLINE


def _clause_before(text: str, end: int) -> str:
    """The clause that ends at `end`: back to the last 「、」「。」 or line start outside brackets,
    at most ABBREVIATION_BODY characters."""
    depth = 0
    start = max(0, end - ABBREVIATION_BODY)
    for i in range(end - 1, start - 1, -1):
        ch = text[i]
        if ch in ")」":
            depth += 1
        elif ch in "(「":
            if depth == 0:
                return text[i + 1:end]
            depth -= 1
        elif depth == 0 and ch in "、。\n":
            return text[i + 1:end]
    return text[start:end]


def _opening_bracket(text: str, end: int) -> int | None:
    """Where the bracket that is open at `end` opens (「（以下「X」という。）」 and 「（…（…）…。以下…」
    alike), within ABBREVIATION_BODY characters; None when no bracket is open there."""
    depth = 0
    for i in range(end - 1, max(-1, end - 1 - ABBREVIATION_BODY), -1):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                return i
            depth -= 1
        elif ch == "\n":
            return None
    return None


def read_definitions(text: str, forms: tuple[str, ...] = (TOHA, ABBREVIATION, INLINE), *,
                     normalize: bool = True) -> list[Definition]:
    """The definitions in a statute's text, in order of the forms asked for, each (term, form) once.
    normalize=False reads the text as given (the 「とは」 form only: the other two look for the ASCII
    brackets NFKC gives)."""
    t = unicodedata.normalize("NFKC", text) if normalize else text
    found: dict[tuple[str, str], Definition] = {}

    def add(term: str, body: str, form: str) -> None:
        term, body = term.strip(), body.strip()
        # The first body wins, unless it was empty (a clause too long to find its start).
        if term and (not found.get((term, form)) or not found[(term, form)].body):
            found[(term, form)] = Definition(term, body, form)

    if TOHA in forms:
        for m in _TOHA.finditer(t):
            add(m.group(1), m.group(2), TOHA)
    if ABBREVIATION in forms:
        for m in _ABBREVIATION.finditer(t):
            opened = _opening_bracket(t, m.start())
            if opened is None:
                add(m.group(1), _clause_before(t, m.start()), ABBREVIATION)
                continue
            inside = t[opened + 1:m.start()].rstrip("。、 ")
            body = _clause_before(t, opened)
            add(m.group(1), f"{body}({inside})" if inside else body, ABBREVIATION)
    if INLINE in forms:
        for m in _INLINE.finditer(t):
            add(m.group(1), m.group(2), INLINE)
    return list(found.values())
