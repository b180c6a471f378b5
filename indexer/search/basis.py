"""A measure's legal basis: the articles that could ground a policy record, ranked by evidence.

Suggestions, not references: an official judges them. Each comes with its evidence in words.

Candidates are articles (main provisions, never 附則) found by the hybrid engine for the measure's
name and by keyword for each of its phrases (and each law it names), in 全法令 when it is ingested
(beside the regional statutes), else in the regional statutes.
They are then ranked by what they hold, strongest first:

- 見出し: the article's caption (or the 章・節 it stands in) holds a phrase of the measure
  (「生涯活躍のまち」, 交通空白, 広域地方計画): the article is about the measure's mechanism;
- 定義: the article defines a term (「…（以下「特定居住促進計画」という。）」, 「この法律において
  「○○」とは」) that the measure uses, or that holds the measure's phrase;
- 名指し: the measure names the article's law (地域再生法, or its short title);
- 仕組み: the article creates an instrument (計画・認定・指定・交付金・協議会・特例 …) — counted
  only beside one of the above, since almost every article of a promotion law names a plan;
- 語句: the measure's specific words in the article's text (generic policy words such as 推進・
  支援・地域 never count, nor numbers or 「等」);
- 意味: the semantic similarity, which only orders articles of equal evidence.

Why not the fused rank alone: the measure's name shares its generic words (地域・推進・支援) with
hundreds of articles; an article about the mechanism says so in its caption and definitions
(tests/gold/suggestion_judgements.jsonl: the fused rank's top 3 held 10 relevant of 96).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from indexer.corpus.schema import DERIVED_KINDS
from indexer.search.filters import Filters
from indexer.text.analysis import analyze

#: Suggestions an official is shown per measure.
BASIS_K = 3
#: Articles the hybrid engine contributes per query (the measure's name, each phrase).
CANDIDATES_PER_QUERY = 30
#: Phrases of the measure searched on their own (besides its name), most specific first.
PHRASE_QUERIES = 4

# Evidence weights: a caption or definition about the measure's mechanism outweighs any number of
# shared words (chosen on the 32 measures of suggestion_judgements.jsonl; see docs/evaluation.md).
W_CAPTION = 4.0
W_HEADING = 1.5
W_DEFINITION = 3.0
W_NAMED_LAW = 3.0
W_MECHANISM = 1.0
W_WORD = 0.5
MAX_WORDS = 4
#: Evidence kept for an article of a cabinet order, ministerial ordinance or rule (not an Act, 法律).
SUBORDINATE = 0.5
#: Below this much evidence, an article is not suggested at all (similarity alone is no basis).
MIN_EVIDENCE = 2.0

#: Words of policy prose too general to say what a measure is about (compared on NFKC terms).
GENERIC = frozenset("""
推進 促進 支援 地域 地方 取組 取り組み 整備 活用 強化 展開 形成 構築 実現 創出 確保 施策 事業 制度 全国
関係 連携 機能 向上 検討 充実 普及 実施 拡大 等 必要 新た 各地 国 自治体 地方公共団体 省庁 関係省庁 府省
各省庁 関係府省 取組方針 創生 地方創生 活性 活性化 高付加価値 付加価値 高付加価値化 環境 体制 仕組み 枠組み 枠組
目標 目指す 図る 進める 行う 向け 通じる 踏まえる 含む 総合 総合的 一体 一体的 効果 効果的 多様 様々 新しい 新
改革 見直し 拡充 加速 加速化 重点 横断 省庁横断 分野 分野横断 民間 事業者 企業 団体 主体 全世代 各 本年 今後
政策 計画 方針 構想 成果 成長 経済 社会 生活 住民 人材 確保策 導入 開発 創設 発揮 提供 管理 利用 対応 措置
プロジェクト モデル 取り組む 広域 面的 全面 面 先行 先進 事例 好事例 共同 協働 対策 実情 役割 基盤 拠点
""".split())

#: What an article's caption or defined term names when it creates an instrument a measure can use.
INSTRUMENTS = ("計画", "認定", "指定", "交付金", "補助", "特例", "協議会", "基本方針", "区域", "推進法人",
               "支援", "事業", "特区", "構想")

_QUOTED = re.compile(r"「([^「」]{2,40})」")
# 「…（以下「X」という。）」, 「この法律において「X」とは」: a term the article gives a meaning to.
_DEFINED = re.compile(r"(?:以下[^「」）]{0,20}「([^「」]{2,40})」という|「([^「」]{2,40})」とは)")
_ACT_ID = re.compile(r"^\d{3}AC")
_HIRAGANA = re.compile(r"[ぁ-ゖ]")
_DIGITS = re.compile(r"^[\d０-９.,．，%％]+$")
_SHORT_LAW = re.compile(r"([\w・ー]{2,20}?法)(?:[にをのでがはと第（、。]|$)")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _specific(term: str, *, word: bool = True) -> bool:
    """Whether a word (or a phrase, word=False) says something about a measure: not generic, not a
    number, not 「等」 alone."""
    t = _norm(term).strip()
    if t.endswith("等"):
        t = t[:-1]
    if len(t) < 2 or t in GENERIC or _DIGITS.match(t):
        return False
    # A word ending in hiragana (よる, とも, 持ち, 付ける) is a verb or an inflection, not a thing a
    # measure is about; a phrase may (「生涯活躍のまち」).
    return not (word and _HIRAGANA.match(t[-1]))


@dataclass(frozen=True)
class MeasureTerms:
    """What a measure is about, from its name and text: phrases (quoted, or runs of nouns) and words."""

    phrases: tuple[str, ...]   # most specific first: quoted names, then the name's compounds
    words: frozenset[str]      # specific single terms (NFKC, lower-cased), for the article's text
    title_phrases: frozenset[str]  # the phrases of the measure's name (what it is), a subset of phrases
    title_words: frozenset[str]    # the specific words of the measure's name
    surfaces: dict[str, str]   # term → as written in the measure, for reasons
    text: str                  # the measure's name and text, NFKC
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a name's phrase → its words (A units)
    #: The statutes' words for the name's phrases, from the query vocabulary (the engine's thesaurus:
    #: 二地域居住 → 特定居住 when it holds that entry): law term → the measure's word.
    vocabulary: dict[str, str] = field(default_factory=dict)


def measure_terms(title: str, text: str) -> MeasureTerms:
    whole = _norm(f"{title}\n{text}")
    phrases: list[str] = []
    for q in _QUOTED.findall(whole):
        q = q.strip("「」 ")
        if _specific(q, word=False) and q not in phrases:
            phrases.append(q)
    words: set[str] = set()
    surfaces: dict[str, str] = {}
    title_n = _norm(title)
    title_words: set[str] = set()
    title_phrases: set[str] = {p for p in phrases if p in title_n}
    for part in (title_n, whole):
        toks = analyze(part, "C")
        run: list = []
        for t in toks + [None]:
            # A run of nouns only: a verb or an adjective (よる, 支える, 高い) or a number ends it.
            nounish = t is not None and not _HIRAGANA.match(t.surface[-1]) and not re.search(r"[\d\s]", t.surface)
            if nounish and run and t.start == run[-1].end:
                run.append(t)
                continue
            if len(run) >= 2:
                phrase = part[run[0].start:run[-1].end].removesuffix("等")  # 広域地方計画等 → 広域地方計画
                # A compound of general words can name one thing (広域地方計画); a short one cannot (地域活性).
                if len(phrase) >= 3 and _specific(phrase, word=False) and \
                        (any(_specific(r.term) for r in run) or len(phrase) >= 5):
                    if phrase not in phrases:
                        phrases.append(phrase)
                    if part is title_n:
                        title_phrases.add(phrase)
            run = [t] if nounish else []
        for t in toks:
            if _specific(t.term):
                words.add(t.term)
                surfaces.setdefault(t.term, t.surface)
                if part is title_n:
                    title_words.add(t.term)
    # The measure's own name's phrases first (they say what it is), then the longest.
    phrases.sort(key=lambda p: (p not in title_phrases, -len(p)))
    parts = {p: tuple(t.surface for t in analyze(p, "A")) for p in title_phrases}
    return MeasureTerms(tuple(phrases), frozenset(words), frozenset(title_phrases), frozenset(title_words),
                        surfaces, whole, parts)


@dataclass
class BasisSuggestion:
    """An article that could ground a measure, with its evidence."""

    record: dict
    score: float
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None

    def as_dict(self) -> dict:
        return {"record": self.record, "score": round(self.score, 3), "reasons": list(self.reasons),
                "similarity": round(self.similarity, 3) if self.similarity is not None else None}


def defined_terms(text: str) -> list[str]:
    """Terms an article gives a meaning to (「以下「X」という」, 「「X」とは」), in order, once each."""
    out = []
    for a, b in _DEFINED.findall(_norm(text)):
        term = a or b
        if term not in out:
            out.append(term)
    return out


def named_laws(text: str) -> set[str]:
    """Law titles (or short titles ending in 法) written in a measure's text."""
    return {m for m in _SHORT_LAW.findall(_norm(text)) if len(m) >= 3}


def _is_act(rec: dict) -> bool:
    """Whether an article is of an Act (法律: e-Gov ids with AC, 417AC0000000024), not of an order or rule."""
    law_id = (rec.get("law") or {}).get("law_id") or ""
    return bool(_ACT_ID.match(law_id)) or not law_id


def _caption(rec: dict) -> str:
    law = rec.get("law") or {}
    return _norm((law.get("caption") or "").strip("（）()"))


def _instrument(name: str) -> str | None:
    for word in INSTRUMENTS:
        if word in name:
            return word
    return None


def _phrase_in(phrase: str, text: str) -> bool:
    return phrase in text


def _all_words_in(parts: tuple[str, ...], text: str) -> bool:
    """Whether every word of a phrase (its Sudachi A units, two or more) occurs in the text."""
    return len(parts) >= 2 and all(p in text for p in parts)


def _quoted_words(terms: MeasureTerms, words) -> str:
    return "」「".join(terms.surfaces.get(t, t) for t in sorted(words, key=lambda t: (-len(t), t))[:3])


def evidence(rec: dict, terms: MeasureTerms, named: set[str]) -> tuple[float, list[str]]:
    """(score, reasons in words) for one article against one measure.

    The measure's name weighs more than its text: the name says what the measure is (「生涯活躍のまち」
    2.0の展開), the text what it touches on the way (相談支援・地域づくり事業を一本化).
    """
    score = 0.0
    reasons: list[str] = []
    law = rec.get("law") or {}
    caption = _caption(rec)
    headings = _norm(" ".join(rec.get("heading_path") or []))
    body = _norm(rec.get("text") or "")
    topical = False
    # 見出し: the caption holds a phrase of the measure, or several of its name's words.
    in_caption = [p for p in terms.phrases if p in caption]
    title_in_caption = [p for p in in_caption if p in terms.title_phrases]
    caption_words = {t for t in terms.title_words if t in caption.lower()}
    # A phrase of the name whose every word the caption holds (地域交通 → 地域公共交通計画).
    loose = [p for p in terms.title_phrases if p not in in_caption and _all_words_in(terms.parts.get(p, ()), caption)]
    if title_in_caption:
        score += W_CAPTION
        topical = True
        reasons.append(f"見出し「{caption}」が施策の「{title_in_caption[0]}」を扱う")
    elif vocab := [t for t in terms.vocabulary if t in caption]:
        score += W_CAPTION / 2
        topical = True
        reasons.append(f"見出し「{caption}」が施策の「{terms.vocabulary[vocab[0]]}」にあたる「{vocab[0]}」を扱う")
    elif loose:
        score += W_CAPTION / 2
        topical = True
        reasons.append(f"見出し「{caption}」が施策の「{loose[0]}」にあたる語を含む")
    elif in_caption and len(caption_words) < 2:
        # A phrase the text only passes by (「中小企業等への就職」 in a measure on migration): a hint.
        score += W_CAPTION / 4
        reasons.append(f"見出し「{caption}」に施策の文の語「{in_caption[0]}」")
    elif len(caption_words) >= 2 or any(len(t) >= 3 for t in caption_words):
        score += W_CAPTION / 2
        topical = True
        reasons.append(f"見出し「{caption}」に施策名の語「{_quoted_words(terms, caption_words)}」")
    elif caption_words:
        # One short word of the name (観光, 移転): a hint, not enough alone to call the article topical.
        score += W_CAPTION / 4
        reasons.append(f"見出し「{caption}」に施策名の語「{_quoted_words(terms, caption_words)}」")
    # 章・節: the article stands in a chapter or section about the measure's phrase.
    in_heading = [p for p in terms.phrases if p in headings]
    if in_heading and not in_caption:
        score += W_HEADING if in_heading[0] in terms.title_phrases else W_HEADING / 2
        topical = True
        section = (rec.get("heading_path") or [headings])[-1]
        reasons.append(f"「{in_heading[0]}」を扱う章・節（{section}）にある")
    # 定義: a term the article defines is the measure's name's, or is written in the measure.
    defined = [d for d in defined_terms(body) if _specific(d, word=False)]
    own = [d for d in defined if any(p in d for p in terms.title_phrases) or d in _norm(terms.text.split("\n")[0])]
    used = [d for d in defined if d not in own and len(d) >= 5 and d in terms.text]
    if own or used:
        score += W_DEFINITION if own else W_DEFINITION / 2
        topical = True
        reasons.append(f"この条が定める「{(own or used)[0]}」は施策の語にあたる")
    # 名指し: the measure names the article's law.
    law_title = _norm(law.get("law_title") or rec.get("source_title") or "")
    if law_title and any(n == law_title or (len(n) >= 3 and law_title.startswith(n[:-1])) for n in named):
        score += W_NAMED_LAW
        topical = True
        reasons.append(f"施策が名指しする法律（{law_title}）の条")
    # 仕組み: beside one of the above, an article that creates an instrument is what grounds a measure.
    if topical:
        inst = _instrument(caption) or next((i for d in own + used for i in [_instrument(d)] if i), None)
        if inst:
            score += W_MECHANISM
            reasons.append(f"施策を実施する仕組み（{inst}）を定める条")
    # 語句: the measure's specific words in the article's text, its name's counting double.
    lowered = body.lower()
    shared_title = {t for t in terms.title_words if t in lowered}
    shared = {t for t in terms.words if t in lowered} - shared_title
    if shared_title or shared:
        score += min(W_WORD * (2 * len(shared_title) + len(shared)) / 2, W_WORD * MAX_WORDS)
        shown = _quoted_words(terms, shared_title or shared)
        reasons.append(f"本文に施策名の語「{shown}」" if shared_title else f"本文に施策の語「{shown}」")
    return score, reasons


def basis_collections(engine) -> tuple[str, ...]:
    """全法令 when it is ingested, else the regional statutes. The regional collection stays chosen
    beside 全法令: its statutes are e5-embedded, and an archive that lacks one of them (a sample)
    still has it there; an article both hold is fused once (its id is the same)."""
    return ("regional", "laws") if "laws" in engine.collections else ("regional",)


def suggest_basis(engine, rid: str, k: int = BASIS_K) -> list[BasisSuggestion]:
    """The articles that could ground policy record `rid`, best first (empty for an article itself)."""
    rec = engine.record(rid)
    if rec is None or rec["kind"] in DERIVED_KINDS:
        return []
    terms = measure_terms(rec["title"], rec["text"])
    vocabulary: dict[str, str] = {}
    for exp in engine.plan(rec["title"]).expansions:
        for term in exp.terms:
            t = _norm(term)
            # A one- or two-character plain word (町 → 市町村) is too loose to carry a caption match.
            if len(_norm(exp.plain)) >= 3 and len(t) >= 3 and _specific(t, word=False) and t not in terms.text:
                vocabulary.setdefault(t, exp.plain)
    terms = replace(terms, vocabulary=vocabulary)
    named = named_laws(rec["text"])
    cited = {link["id"] for link in rec.get("links") or []}
    filters = Filters(kind=("article",), collection=basis_collections(engine))
    # The name by both sides (the semantic side finds the law's own words for it: 二地域居住 → 特定居住);
    # each phrase and named law by keyword only (they are to be found as written, in captions and
    # definitions), which also spares an e5 encoding a phrase on a record page.
    lookups = terms.phrases[:PHRASE_QUERIES] + tuple(vocabulary) + tuple(sorted(named))
    queries = [(rec["title"], "hybrid")] + [(q, "keyword") for q in lookups if q != rec["title"]]
    seen: dict[str, int] = {}
    similarity: dict[str, float] = {}
    for q, mode in dict.fromkeys(queries):
        ranking = engine.rank(q, mode, filters, within=True)
        for pos, (aid, _) in enumerate(ranking.hits[:CANDIDATES_PER_QUERY]):
            seen[aid] = min(pos, seen.get(aid, pos))
            if aid in ranking.info.semantic_rank:
                similarity[aid] = max(similarity.get(aid, 0.0), ranking.info.semantic_rank[aid][1])
    out: list[BasisSuggestion] = []
    for aid, pos in seen.items():
        article = engine.record(aid)
        if article is None or aid in cited or (article.get("law") or {}).get("suppl_act"):
            continue  # 附則: dates and transitions of an act, never a measure's basis
        score, reasons = evidence(article, terms, named)
        if not _is_act(article):
            score *= SUBORDINATE  # a 施行令・施行規則 carries out an Act; the Act is what grounds a measure
        if score < MIN_EVIDENCE:
            continue
        sim = similarity.get(aid)
        if sim is not None:
            reasons.append(f"施策の文との意味の近さ {sim:.2f}")
        # Similarity and the best place in any list only break ties between equal evidence.
        out.append(BasisSuggestion(article, score + 0.5 * (sim or 0.0) + 0.2 / (1 + pos), reasons, sim))
    out.sort(key=lambda s: -s.score)
    return out[:k]
