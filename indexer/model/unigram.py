"""A compact Unigram tokenizer for queries: the Hugging Face tokenizer's ids, token for token.

Why (issue 18, serving memory): `tokenizers` keeps a Unigram model's pieces in a trie of hash maps.
For e5-small multilingual's 250,002 pieces that is ≈ 254 MB of the serving process and ≈ 1.1 s of
its start, to tokenize queries of a few dozen characters. Here the pieces are one Python dict
(≈ 40 MB), read from a small file written beside the serving graph (`write_vocab`), in ≈ 0.1 s.

What is ours is only the model step, a port of `tokenizers`' `Unigram::encode_optimized` (itself
SentencePiece's): best-path search over the pieces that start at each character, scores added in
the same order, ties kept by the first candidate (shorter pieces first), a character no piece
covers becomes the unknown token at the lowest score − 10, and neighbouring unknowns are fused
into one. Normalisation and pre-tokenisation are `tokenizers`' own objects, built from the same
tokenizer.json with its model left out; the special tokens around the pieces come from its
post-processor (a template `<s> $A </s>`), and truncation keeps room for them, as `tokenizers`
does. A text that holds a special token's own text (`<s>`, `<mask>`…) is handed to the full
`tokenizers` tokenizer (loaded then), which splits those out before normalising.

Checked against `tokenizers` on every gold query, every record of the default corpus and mixed
scripts (tests/model/test_unigram.py).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

__all__ = ["CompactUnigram", "write_vocab", "UNK_PENALTY"]

#: `tokenizers`' K_UNK_PENALTY: an unknown character scores this far under the lowest piece.
UNK_PENALTY = 10.0


def write_vocab(tokenizer_json: Path, out: Path) -> None:
    """What the query tokenizer needs of a tokenizer.json, as one .npz: the Unigram pieces' UTF-8
    joined by newlines (no piece holds one; checked), their float64 scores, the unknown token's id,
    and the rest of the configuration (normaliser, pre-tokeniser, special tokens, template) as JSON
    with a one-piece model, so that a serving process never parses the 16 MB file.
    ValueError when the model is not a Unigram without byte fallback."""
    config = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = config["model"]
    if model.get("type") != "Unigram" or model.get("byte_fallback") or model.get("unk_id") is None:
        raise ValueError(f"{tokenizer_json.name}: not a Unigram model with an unknown token and no byte fallback")
    pieces = [p for p, _ in model["vocab"]]
    if any("\n" in p for p in pieces):
        raise ValueError(f"{tokenizer_json.name}: a piece holds a newline")
    config["model"] = {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]], "byte_fallback": False}
    with open(out, "wb") as f:
        np.savez(f, pieces=np.frombuffer("\n".join(pieces).encode("utf-8"), dtype=np.uint8),
                 scores=np.asarray([s for _, s in model["vocab"]], dtype=np.float64),
                 unk_id=np.asarray(model["unk_id"], dtype=np.int64),
                 rest=np.frombuffer(json.dumps(config).encode("utf-8"), dtype=np.uint8))


class CompactUnigram:
    """`encode(text) -> list[int]`: the ids `tokenizers` gives the same text, special tokens added,
    cut at `max_length` tokens."""

    def __init__(self, vocab: Path, max_length: int, tokenizer_json: Path):
        """vocab: written by `write_vocab` from tokenizer_json (read only for texts holding a special
        token's text)."""
        # deferred: the Rust tokenizers package, only for the normaliser and pre-tokeniser objects
        from tokenizers import Tokenizer

        with np.load(vocab) as z:
            pieces = z["pieces"].tobytes().decode("utf-8").split("\n")
            self._scores: list[float] = z["scores"].tolist()
            self._unk_id = int(z["unk_id"])
            config = z["rest"].tobytes().decode("utf-8")
        if len(pieces) != len(self._scores) or not 0 <= self._unk_id < len(pieces):
            raise ValueError(f"{vocab.name}: pieces and scores differ, or no unknown token")
        # The last id of a piece wins, as in tokenizers' token_to_ids (e5's has no duplicates).
        self._ids: dict[str, int] = {p: i for i, p in enumerate(pieces)}
        # First character → the lengths (in characters) its pieces have, shortest first: a position
        # looks up only those. ≈ 0.3 ms for a gold query (tokenizers: 0.1 ms), ≈ 7 ms for 1,000
        # characters; the engine encodes at most the first 300 (indexer.search.plan.ANALYSE_FIRST).
        lengths: dict[str, set[int]] = {}
        for p in pieces:
            if p:
                lengths.setdefault(p[0], set()).add(len(p))
        self._lengths: dict[str, tuple[int, ...]] = {c: tuple(sorted(v)) for c, v in lengths.items()}
        self._unk_score = min(self._scores) - UNK_PENALTY
        self._front, self._back, self._specials = self._template_and_specials(json.loads(config))
        self.max_length = max_length
        rest = Tokenizer.from_str(config)
        self._normalizer = rest.normalizer
        self._pre_tokenizer = rest.pre_tokenizer
        self._json = tokenizer_json
        self._full = None
        self._full_lock = threading.Lock()

    @staticmethod
    def _template_and_specials(config: dict) -> tuple[list[int], list[int], tuple[str, ...]]:
        """The special ids before and after the pieces (the single-sequence template), and the
        special tokens' texts."""
        post = config.get("post_processor") or {}
        if post.get("type") != "TemplateProcessing":
            raise ValueError("the tokenizer has no template post-processor")
        front: list[int] = []
        back: list[int] = []
        seen_sequence = False
        for item in post["single"]:
            if "Sequence" in item:
                seen_sequence = True
                continue
            ids = post["special_tokens"][item["SpecialToken"]["id"]]["ids"]
            (back if seen_sequence else front).extend(ids)
        specials = tuple(t["content"] for t in config.get("added_tokens") or [])
        return front, back, specials

    def encode(self, text: str) -> list[int]:
        if any(s in text for s in self._specials):
            return self._full_encode(text)
        normalized = self._normalizer.normalize_str(text) if self._normalizer is not None else text
        words = self._pre_tokenizer.pre_tokenize_str(normalized) if self._pre_tokenizer is not None \
            else [(normalized, None)]
        ids: list[int] = []
        for word, _ in words:
            ids.extend(self._pieces(word))
        room = self.max_length - len(self._front) - len(self._back)
        return [*self._front, *ids[:max(0, room)], *self._back]

    def _pieces(self, s: str) -> list[int]:
        """tokenizers' Unigram::encode_optimized on one pre-tokenised word, then ids (unknown: unk)."""
        n = len(s)
        if n == 0:
            return []
        score = [0.0] * (n + 1)
        start: list[int] = [-1] * (n + 1)  # where the best piece ending here starts (-1: none yet)
        node: list[int] = [-1] * (n + 1)   # its id
        ids, scores, lengths = self._ids, self._scores, self._lengths
        for i in range(n):
            here = score[i]
            single = False
            for length in lengths.get(s[i], ()):
                end = i + length
                if end > n:
                    break
                pid = ids.get(s[i:end])
                if pid is None:
                    continue
                cand = scores[pid] + here
                if start[end] < 0 or cand > score[end]:
                    score[end], start[end], node[end] = cand, i, pid
                if end == i + 1:
                    single = True
            if not single:
                cand = self._unk_score + here
                if start[i + 1] < 0 or cand > score[i + 1]:
                    score[i + 1], start[i + 1], node[i + 1] = cand, i, self._unk_id
        out: list[str] = []
        unknown: list[str] = []
        end = n
        while end > 0:
            begin = start[end]
            if node[end] == self._unk_id:
                unknown.append(s[begin:end])
            else:
                if unknown:
                    out.append("".join(reversed(unknown)))
                    unknown = []
                out.append(s[begin:end])
            end = begin
        if unknown:
            out.append("".join(reversed(unknown)))
        out.reverse()
        return [ids.get(piece, self._unk_id) for piece in out]

    def _full_encode(self, text: str) -> list[int]:
        with self._full_lock:
            if self._full is None:
                from tokenizers import Tokenizer  # deferred: only texts holding a special token's text

                full = Tokenizer.from_file(str(self._json))
                full.no_padding()
                full.enable_truncation(self.max_length)
                self._full = full
        return self._full.encode(text).ids
