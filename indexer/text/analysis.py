"""Japanese analysis with Sudachi: index terms with offsets into the original text.

Why it looks like this (each point was measured on this corpus):
- Text is NFKC-normalised before Sudachi, and half-width voiced marks are kept
  with their base character, so ｲﾉﾍﾞｰｼｮﾝ and イノベーション give one term;
  offsets are mapped back to the ORIGINAL text for highlighting.
- Line breaks inside words (移り\\n住む) are removed for analysis.
- Sudachi's normalized form rewrites numbers (2.0 → 2, 3,800億 → 380000000000),
  which would make 地方創生2.0 equal to 1.0; numerals keep their width-normalised
  surface instead, with thousands separators dropped (3,800億 = 3800億).
- Split mode C keeps compounds (地方創生) that mode A splits, and mode A splits
  what users type in parts; both are produced and indexed in separate fields.
- A Sudachi tokenizer is not thread-safe: one per thread.
- Sudachi picks one best path whatever the mode; a mode only splits its words. So a text is
  tokenized once, in mode C, and each word split into its A units (same tokens as a second
  tokenize in mode A, at a fraction of the cost), and what a word contributes (its term, or
  nothing for a function word) is remembered by dictionary word and surface: analysis was
  most of a 全法令 build and of a query's time over all laws.
- Sudachi rejects input over 49,149 bytes: longer text is analysed in pieces.
"""

from __future__ import annotations

import re
import threading
from typing import NamedTuple

from sudachipy import Dictionary, SplitMode

from indexer.text.normalize import nfkc_with_offsets

_MAX_BYTES = 40_000
# Function words never count as a match, a highlight or a reason (the part-of-speech
# and stop filters of analysis-sudachi are the model): particles, auxiliaries,
# symbols, conjunctions, interjections, pronouns, adnominals (この, その, 大きな).
_SKIP_POS = {"補助記号", "空白", "助詞", "助動詞", "接続詞", "感動詞", "代名詞", "連体詞"}
# Light verbs and adjectives that only inflect a content word: 活用し(為る)たい,
# 困って居る, 課題が有る, 可能に成る, することが出来る, 手段が無い. Sudachi tags them
# 非自立可能; other 非自立可能 verbs (暮らし続ける, 住み始める) keep their meaning.
_STOP_LEMMAS = {"為る", "有る", "成る", "居る", "出来る", "無い", "良い", "貰う", "呉れる", "遣る", "仕舞う",
                "致す", "頂く", "下さる", "御座る"}
# Formal nouns that carry grammar, not content (ことができる, そのため, ものとする).
_FORMAL_NOUNS = {"事", "こと", "物", "もの", "為", "ため", "所", "ところ", "時", "とき", "筈", "訳", "様", "よう"}
_HONORIFIC = {"御"}
_NUMERAL = re.compile(r"[0-9]")
_local = threading.local()
_dictionary_lock = threading.Lock()
_dictionary: Dictionary | None = None
#: (dictionary word id, surface) → its index term, or None for a function word.
_TERMS: dict[tuple[int, str], str | None] = {}
_TERMS_MAX = 1_000_000


class Token(NamedTuple):
    term: str       # the index term: normalised form, lower-cased
    surface: str    # as written in the original text
    start: int      # character offsets into the original text
    end: int
    mode: str       # "A" or "C"


def _tokenizer():
    global _dictionary
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
        tok = _local.tokenizer = _dictionary.tokenizer()
    return tok


def _prepare(text: str) -> tuple[str, list[int]]:
    """NFKC text for analysis and, per char of it, its offset in `text` (plus the end)."""
    return nfkc_with_offsets(text, "join-breaks")


def _pieces(text: str) -> list[tuple[int, str]]:
    if len(text.encode("utf-8")) <= _MAX_BYTES:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + _MAX_BYTES // 4)
        cut = text.rfind("。", start, end)
        if cut <= start or end == len(text):
            cut = end
        else:
            cut += 1
        pieces.append((start, text[start:cut]))
        start = cut
    return pieces


def _is_function_word(pos: tuple, lemma: str) -> bool:
    if pos[0] in _SKIP_POS:
        return True
    if pos[1] == "助動詞語幹":  # そう, よう: 形状詞 stems of auxiliaries
        return True
    if pos[0] in ("動詞", "形容詞") and pos[1] == "非自立可能" and lemma in _STOP_LEMMAS:
        return True
    return pos[0] == "名詞" and lemma in _FORMAL_NOUNS


def _term(m, surface: str) -> str:
    if _NUMERAL.search(surface):
        return surface.replace(",", "").lower()
    return m.normalized_form().lower()


def _index_term(m, surface: str) -> str | None:
    """The term a morpheme contributes, or None (function word, honorific prefix, blank)."""
    pos = m.part_of_speech()
    if _is_function_word(pos, m.normalized_form()):
        return None
    term = _term(m, surface)
    if pos[0] == "接頭辞" and term in _HONORIFIC:
        return None  # お年寄り's お would match every 御 in the corpus
    return term if term.strip() else None


def analyze(text: str, modes: str = "AC") -> list[Token]:
    """Index terms of `text` in the given split modes, in reading order per mode."""
    prepared, origin = _prepare(text)
    tok = _tokenizer()
    keep_c = "C" in modes
    split_a = keep_c and "A" in modes
    cache = _TERMS
    if len(cache) > _TERMS_MAX:
        cache.clear()
    out_c: list[Token] = []
    out_a: list[Token] = []
    # The loop runs once per morpheme of every text indexed or shown (most of a 全法令 build's
    # analysis and ≈ 9 ms of a 全法令 keyword search were this Python): no call per token,
    # tuple.__new__ rather than the NamedTuple's own constructor, and a word that mode A does not
    # split gives its C token's values to its A token instead of being looked up again.
    new = tuple.__new__
    a_or_c = "C" if keep_c else "A"
    for base, piece in _pieces(prepared):
        for m in tok.tokenize(piece, SplitMode.C if keep_c else SplitMode.A):
            # The surface is sliced from the piece: Morpheme.surface() of a split word can panic
            # (sudachi.rs issue 182, still in 0.7.0).
            begin, end = m.begin(), m.end()
            surface = piece[begin:end]
            key = (m.word_id(), surface)
            term = cache.get(key, False)
            if term is False:
                term = cache[key] = _index_term(m, surface)
            # add_single=False: an unsplit word gives an empty list (add_single=True panics).
            parts = m.split(SplitMode.A) if split_a else None
            if term is not None:
                b, e = origin[base + begin], origin[base + end]
                written = text[b:e]
                (out_c if keep_c else out_a).append(new(Token, (term, written, b, e, a_or_c)))
                if split_a and not parts:
                    out_a.append(new(Token, (term, written, b, e, "A")))
            if parts:
                # The lookup above, again for each A unit: one body over (morpheme, mode) pairs
                # measured 5–12 % slower per text.
                for a in parts:
                    begin, end = a.begin(), a.end()
                    surface = piece[begin:end]
                    key = (a.word_id(), surface)
                    term = cache.get(key, False)
                    if term is False:
                        term = cache[key] = _index_term(a, surface)
                    if term is not None:
                        b, e = origin[base + begin], origin[base + end]
                        out_a.append(new(Token, (term, text[b:e], b, e, "A")))
    return [t for mode in modes for t in (out_a if mode == "A" else out_c)]


def terms(text: str, mode: str) -> list[str]:
    return [t.term for t in analyze(text, mode)]
