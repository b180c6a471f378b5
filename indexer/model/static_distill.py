"""Distilling a static model from the converted e5 (the writer; indexer.model.static_encoder reads it):
a token table, no transformer at encode time.

Why: e5 encodes 10–25 short passages a second on this machine's two cores, so the ~0.8 million
passages of the whole body of law would take 9–22 hours; a static model encodes ≈ 3,400 passages
per CPU second. It is much weaker than e5: on the statute gold queries over one pool of 1,024
statute passages, hit@1 0.35 / hit@10 0.69 against e5's 0.71 / 0.88, and its top ten share 12 %
with e5's. So it covers the passages e5 cannot embed in the build budget, never replaces e5 where
e5 fits (README, scale section). Its vectors live in their own space: a query is encoded by the
same static model, never compared with e5 vectors, and the fingerprint keeps their cached rows apart.

Distillation is model2vec's (`model2vec.distill.inference.create_embeddings`: each token alone
through e5 with mean pooling, then PCA and SIF weighting), with one change measured here:
`model2vec.distill.distill` runs all 250,037 tokens of the multilingual vocabulary, about an hour
at 40–100 tokens a second on two shared cores. `distill_static(texts=...)` runs only the tokens
the given texts use (the whole archive uses about a fifth of the vocabulary) and weights them by
their real frequency in those texts instead of model2vec's Zipf estimate from the token rank.
Unused tokens map to a zero row (model2vec's `token_mapping`), which adds nothing to a mean.
The result is a model2vec directory that `StaticModel.from_pretrained` loads as is.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

MARKER = "policykb_static.json"


def _token_counts(tokenizer, texts: Iterable[str], batch: int = 4096) -> Counter:
    counts: Counter = Counter()
    buf: list[str] = []

    def flush() -> None:
        for enc in tokenizer.encode_batch(buf, add_special_tokens=False):
            counts.update(enc.ids)
        buf.clear()

    for t in texts:
        buf.append(t)
        if len(buf) >= batch:
            flush()
    if buf:
        flush()
    return counts


def distill_static(model_dir: Path, out_dir: Path, *, texts: Iterable[str] | None = None, pca_dims: int = 256,
                   sif_coefficient: float = 1e-4, progress: bool = False) -> Path:
    """Distil `model_dir` (a sentence-transformers BERT-like directory) into a model2vec directory at out_dir.

    texts: the passages whose tokens get vectors (all tokens of the vocabulary when None).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # deferred: torch, transformers and model2vec's distiller, only for the one distillation per model
    import torch
    from model2vec import StaticModel
    from model2vec.distill.inference import apply_pca, create_embeddings
    from tokenizers import Tokenizer
    from transformers import AutoModel

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    vocab_size = tokenizer.get_vocab_size()
    special = {tokenizer.token_to_id(t) for t in ("<s>", "</s>", "<pad>", "<unk>", "[CLS]", "[SEP]", "[PAD]", "[UNK]")}
    special.discard(None)
    if texts is None:
        counts = Counter({i: 1 for i in range(vocab_size)})
    else:
        counts = _token_counts(tokenizer, texts)
    ids = sorted(i for i in counts if i not in special)
    if not ids:
        raise ValueError("no token to distil: the texts are empty")
    bos = tokenizer.token_to_id("<s>") if tokenizer.token_to_id("<s>") is not None else tokenizer.token_to_id("[CLS]")
    eos = tokenizer.token_to_id("</s>") if tokenizer.token_to_id("</s>") is not None else tokenizer.token_to_id("[SEP]")
    pad = tokenizer.token_to_id("<pad>") if tokenizer.token_to_id("<pad>") is not None else 0
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    with torch.inference_mode():
        emb = create_embeddings(model=model, tokenized=[[bos, i, eos] for i in ids], device="cpu",
                                pad_token_id=pad, pooling="mean")
    emb = apply_pca(emb, min(pca_dims, emb.shape[1], len(ids)))
    total = sum(counts[i] for i in ids)
    proba = np.array([counts[i] / total for i in ids], dtype=np.float64) if texts is not None else \
        (lambda r: r / r.sum())(1 / np.arange(2, len(ids) + 2))  # model2vec's Zipf estimate when no texts
    emb = (emb * (sif_coefficient / (sif_coefficient + proba))[:, None]).astype(np.float32)
    vectors = np.vstack([np.zeros((1, emb.shape[1]), dtype=np.float32), emb])
    mapping = np.zeros(vocab_size, dtype=np.int64)
    mapping[np.array(ids)] = np.arange(1, len(ids) + 1)
    static = StaticModel(vectors=vectors, tokenizer=tokenizer, token_mapping=mapping, normalize=True,
                         base_model_name=model_dir.name,
                         config={"model_type": "model2vec", "architectures": ["StaticModel"], "apply_pca": pca_dims,
                                 "sif_coefficient": sif_coefficient, "hidden_dim": int(vectors.shape[1]),
                                 "pooling": "mean", "normalize": True})
    out_dir.mkdir(parents=True, exist_ok=True)
    static.save_pretrained(str(out_dir))
    (out_dir / MARKER).write_text(json.dumps({"source": model_dir.name, "tokens": len(ids), "vocab": vocab_size,
                                              "pca_dims": int(vectors.shape[1]), "sif": sif_coefficient,
                                              "from_texts": texts is not None}, indent=1), encoding="utf-8")
    return out_dir
