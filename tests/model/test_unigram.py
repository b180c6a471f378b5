"""The compact query tokenizer gives `tokenizers`' ids, token for token, on the real e5 tokenizer."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from indexer.model.unigram import CompactUnigram, write_vocab

ROOT = Path(__file__).resolve().parents[2]

MIXED = [
    "", " ", "  二つ  の 空白 ", "\u3000全角の空白\u3000", "タブ\tと\n改行",
    "ＡＩ・デジタル　ｶﾀｶﾅ 𠮷野家 ①②",  # width, compatibility and astral characters
    "é e\u0301 ไทย 한국어 Русский",  # combining marks (the normaliser's \u0001 rule), other scripts
    "👍🏽 \u200d \x00\x01 ▁▁ ☃",  # characters no piece covers: fused into one unknown
    "<s>", "a </s> b", "query: <mask>交通", "<pad><unk>",  # special tokens' text: tokenizers' own path
    "交通、地域。" * 300,  # 1,200 tokens: cut with room for <s> and </s>
]


@pytest.fixture(scope="module")
def tokenizers_pair(settings, tmp_path_factory):
    from tokenizers import Tokenizer

    path = settings.model_dir / "tokenizer.json"
    vocab = tmp_path_factory.mktemp("vocab") / "vocab.npz"
    write_vocab(path, vocab)
    full = Tokenizer.from_file(str(path))
    full.no_padding()
    full.enable_truncation(512)
    return CompactUnigram(vocab, 512, path), full


def _gold_queries() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests" / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                q = row.get("query") or row.get("theme")
                if isinstance(q, str):
                    out.append(q)
    return out


def _differences(pair, texts: list[str]) -> list[str]:
    compact, full = pair
    return [t for t in texts if compact.encode(t) != full.encode(t).ids]


def test_gold_queries_and_mixed_text(tokenizers_pair):
    texts = [p + q for q in _gold_queries() + MIXED for p in ("query: ", "")]
    assert len(texts) > 500
    assert _differences(tokenizers_pair, texts) == []


def test_every_record_of_the_corpus(tokenizers_pair, engine):
    texts = [f"passage: {r['title']}\n{r['text'][:2000]}" for r in engine.records]
    assert len(texts) > 3000
    assert _differences(tokenizers_pair, texts) == []


def test_random_strings_over_scripts_and_marks(tokenizers_pair):
    rnd = random.Random(18)
    alphabet = ("あいうアイウ漢字交通ｶﾀｶﾅＡＢＣabcXYZ0123①②𠮷 \u3000\t\n-・、。\u0301\u0308\u200d👍🏽é"
                "ไทย한국어Русский<>/s▁")
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60))) for _ in range(3000)]
    assert _differences(tokenizers_pair, texts) == []


def test_special_tokens_around_and_the_cut(tokenizers_pair):
    compact, full = tokenizers_pair
    full.no_truncation()
    try:
        assert len(full.encode("交通、地域。" * 300).ids) > 1000
    finally:
        full.enable_truncation(512)
    ids = compact.encode("交通、地域。" * 300)
    assert len(ids) == 512 and ids[0] == 0 and ids[-1] == 2
    assert compact.encode("")[:1] == [0] and compact.encode("")[-1:] == [2]
