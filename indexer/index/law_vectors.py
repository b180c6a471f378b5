"""e5 vectors for the main Acts of a large collection (全法令): a short heading passage per article, one
passage per law. The writer's half (the build calls `heading_passage` and `law_passage` in its worker
processes and `write_e5_part` once the units are written); the reader is indexer.index.collection.

Why only this much: e5 over every unit of 全法令 (631,263) would take 12–23 hours, and even over the
articles of the Acts at full length about 2.9 hours (docs/scaling.md, エンコーダ). The Acts (e-Gov ids
with "AC": 法律, 2,126 current laws, 153,241 articles of which 82,438 outside 附則) are what
plain-language and policy questions are about; their articles are embedded as 「法令名　章・節　第N条（見出し）」 plus the first sentence,
cut at ARTICLE_TOKENS tokens (a transformer's cost grows with the length, and the heading carries
most of what a question meets). Each Act also gets one vector (title, 第一条 — its purpose — and
its chapter titles, LAW_TOKENS tokens): the laws nearest to a question or a measure
(CollectionIndex.nearest_laws), and law-level routing — their articles searched among themselves,
two-stage retrieval — which search keeps switched off (it cost the development sets:
indexer.search.large_collection.ACT_E5).

Layout, per part (`parts/<n>/e5/`), in the indexer.index.ann layout:
  articles/  rows of the article passages, owned by unit ordinals (owners.npy), and `laws.npy`:
             each row's law (an index into laws/owners.json); usearch HNSW above ARTICLE_EXACT_LIMIT rows
  laws/      one row per Act, owners.json = document ids, exact
  meta.json  the encoder's fingerprint and the token budgets
The vectors go through the embedding cache (keyed by the passage text), so a rebuild embeds
nothing it embedded before.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from indexer.index.vector_writer import save_ann
from indexer.index.collection_store import E5_DIR
from indexer.model.cache import text_key

__all__ = ["ARTICLE_TOKENS", "LAW_TOKENS", "E5_DIR", "is_act", "heading_passage", "law_passage", "TokenBudget",
           "write_e5_part"]

#: Token budgets (with e5's "passage: " and the two special tokens), chosen by measurement
#: (scripts/measure_e5_headings on statutes.jsonl: 81 questions against 4,557 articles — every article
#: of the gold laws, 附則 included, and 1,500 drawn from other Acts; ONNX fp32 on one thread, load ≈ 5):
#:   32 tokens: 56.2 passages/CPU s, hit@1/5/10 .185 / .469 / .519
#:   64 tokens: 27.6 passages/CPU s, hit@1/5/10 .358 / .667 / .778
#:   96 tokens: 22.3 passages/CPU s, hit@1/5/10 .420 / .728 / .778
#: 64 doubles 32's hit@1 and reaches 96's hit@10 for 19 % less cost. All the Acts' main articles
#: (82,438) and Acts (1,887) at that rate: ≈ 3,050 CPU s, ≈ 25 min on two processes, once (the cache).
#: Changing a budget changes every passage, so the cache misses once.
ARTICLE_TOKENS = 64
LAW_TOKENS = 128
#: The article rows of a part above which usearch HNSW serves them (the regional EXACT_LIMIT is for
#: 256-dimension static rows; 384-dimension e5 rows cost more per exact scan).
ARTICLE_EXACT_LIMIT = 50_000

_LABEL = re.compile(r"^\s*第[一二三四五六七八九十百千〇]+条(?:の[一二三四五六七八九十百千〇]+)*[\s　]*")


def is_act(law_id: str | None) -> bool:
    """A main Act (法律): its e-Gov law id holds "AC" (e.g. 417AC0000000024); 政令 CO, 省令 M…, 規則 R… do not."""
    return bool(law_id) and "AC" in law_id


def first_sentence(text: str, limit: int = 200) -> str:
    """The article's text without its label (第五条), to its first 「。」."""
    body = _LABEL.sub("", text.split("\n", 1)[0], count=1)
    depth = 0
    for i, ch in enumerate(body[:limit]):
        if ch in "（「":
            depth += 1
        elif ch in "）」":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:  # not the 。 of 「（以下「地域再生」という。）」
            return body[:i + 1]
    return body[:limit]


def _supplementary(rec: dict) -> bool:
    return "".join((rec.get("heading_path") or [""])[:1]).replace(" ", "").replace("　", "").startswith("附則")


def heading_passage(rec: dict) -> str | None:
    """「法令名　章・節　第N条（見出し）」 and the first sentence, for an article of an Act's main provisions;
    None for any other unit. 附則 (70,803 of the Acts' 153,241 articles: 施行期日, 経過措置, amendments'
    own provisions) are left to the keyword and static sides: questions are about the main provisions,
    and they would nearly double the cost."""
    law = rec.get("law") or {}
    if rec.get("kind") != "article" or not is_act(law.get("law_id")) or _supplementary(rec):
        return None
    head = "　".join(x for x in (law.get("law_title") or rec.get("source_title") or "",
                                 "　".join(h for h in rec.get("heading_path") or [] if h),
                                 f"{law.get('article') or ''}{law.get('caption') or ''}") if x)
    return f"{head}\n{first_sentence(rec.get('text') or '')}"


def law_passage(title: str, law_id: str | None, records: list[dict]) -> str | None:
    """One passage for an Act: its title, its first article (目的・趣旨) and its chapter titles."""
    if not is_act(law_id):
        return None
    articles = [r for r in records if r.get("kind") == "article" and not _supplementary(r)]
    if not articles:
        return None
    first = _LABEL.sub("", articles[0].get("text", "").split("\n", 1)[0], count=1)
    # The chapters (編・章) name what the law governs; short, so they go before the purpose, which is long.
    chapters = list(dict.fromkeys(h[0] for h in (r.get("heading_path") or [] for r in articles) if h))
    chapters = [c for c in (re.sub(r"^第[^　\s]+[編章][\s　]*", "", c) for c in chapters) if c and c != "総則"]
    return "\n".join(x for x in (title, "　".join(chapters)[:120], first) if x)


class TokenBudget:
    """Cuts passages to a number of the model's tokens ("passage: " and the special tokens counted),
    at a token boundary of the text, so what is cached is what is embedded."""

    def __init__(self, model_dir: Path, prompt: str = "passage: "):
        from tokenizers import Tokenizer  # deferred: only a build of Acts needs it

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.prompt = prompt

    def cut(self, texts: list[str], tokens: int) -> list[str]:
        out = []
        n = len(self.prompt)
        for text, enc in zip(texts, self.tokenizer.encode_batch([self.prompt + t for t in texts])):
            if len(enc.ids) <= tokens:
                out.append(text)
            else:  # keep tokens 1 … tokens-2 (<s> first, </s> last)
                out.append(text[:max(0, enc.offsets[tokens - 2][1] - n)])
        return out


def write_e5_part(part_dir: Path, articles: list[tuple[int, str, str]], laws: list[tuple[str, str]], *,
                  encoder, cache, budget: TokenBudget, progress: bool = False) -> dict:
    """Embed (through the cache) and write one part's e5 rows.

    articles: (unit ordinal, document id, heading passage); laws: (document id, law passage).
    Returns counts and timings for the build's stages.
    """
    t = time.perf_counter()
    law_ids = [d for d, _ in laws]
    law_at = {d: i for i, d in enumerate(law_ids)}
    arts = [a for a in articles if a[1] in law_at]
    texts = budget.cut([a[2] for a in arts], ARTICLE_TOKENS) + budget.cut([p for _, p in laws], LAW_TOKENS)
    distinct = list(dict.fromkeys(texts))
    # Counted before, not as the cache's growth: another build may fill the same cache meanwhile.
    embedded = len(distinct) - len(cache.get_many(encoder.fingerprint, [text_key(x) for x in distinct]))
    if progress:
        print(f"policykb build: e5 for {len(arts)} articles and {len(laws)} Acts (the cached ones are not embedded)",
              file=sys.stderr, flush=True)
    vecs = cache.encode_cached(encoder, texts, progress=progress) if texts else np.zeros((0, 384), np.float32)
    root = part_dir / E5_DIR
    dim = int(vecs.shape[1]) if len(vecs) else 384
    art_vecs = vecs[:len(arts)].reshape(len(arts), dim)
    save_ann(root / "articles", art_vecs, [str(a[0]) for a in arts], fingerprint=encoder.fingerprint,
             exact_limit=ARTICLE_EXACT_LIMIT)
    # Owners as unit ordinals (mapped, like the static rows) and each row's law, for routing.
    (root / "articles" / "owners.json").unlink()
    np.save(root / "articles" / "owners.npy", np.asarray([a[0] for a in arts], dtype=np.int32))
    np.save(root / "articles" / "laws.npy", np.asarray([law_at[a[1]] for a in arts], dtype=np.int32))
    save_ann(root / "laws", vecs[len(arts):].reshape(len(laws), dim), law_ids, fingerprint=encoder.fingerprint)
    meta = {"fingerprint": encoder.fingerprint, "article_tokens": ARTICLE_TOKENS, "law_tokens": LAW_TOKENS,
            "articles": len(arts), "laws": len(laws), "embedded": embedded}
    (root / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    meta["seconds"] = round(time.perf_counter() - t, 2)
    return meta
