"""A measure's legal basis: the articles that could ground a policy record, ranked by evidence.

Suggestions, not references: an official judges them. Each comes with its evidence in words.

The law first, then the article (suggest_basis):

1. Laws. Every Act (法律: e-Gov ids with AC; an order carries an Act out) of 全法令 when it is
   ingested, and the regional statutes, is a candidate. A law's evidence that it is about the
   measure: the measure names it; its title holds a phrase of the measure's name (weighed by
   1/√ of how many titles hold it: 農林水産業 is in a dozen, スマート農業技術 in one) or a word of it;
   its purpose article (第一条) holds the phrase or words; another of its articles holds a phrase of the
   name that few laws hold (地域共生社会); it defines a term with the head of a phrase of the measure
   (特定居住 in 広域的地域活性化法 for 二地域居住), counted when e5 finds the law about the measure or
   the law makes a scheme of the term (特定居住促進計画); a term whose definition opens with the
   measure's phrase, or with the thesaurus's word for it (特定業務施設: 「本店又は主たる事務所…」, for
   本社機能) — definitions read as data by indexer.text.definitions, stored per Act by the build of
   全法令 (indexer.index.law_definitions) so that every Act's are at hand; and e5: the measure against the law's title and purpose, as a
   bonus relative to the median law compared (e5 similarities sit in a narrow band), read from the
   vectors the build stored (nothing about a law is encoded on a record page). The laws
   compared are those of the lexical evidence and those nearest by the law vectors a build of
   全法令 stores (indexer.index.law_vectors), or by the static model when it stored none. A law qualifies on its words
   (a phrase, or a title word that e5 backs); e5 alone only orders.
2. Articles. The qualified laws are read whole (main provisions, never 附則), beside the articles
   the engine finds for the measure's name and phrases. An article is offered when it creates an
   instrument (a plan made and certified, a grant, a designation; an exception to another law
   counts less) or when its caption or a term it defines names the measure's phrase; its score is
   its law's evidence plus its own:
   - 見出し: the caption (or 章・節) holds a phrase of the measure, or the statute's word for it;
   - 定義: the article defines a term of the measure;
   - 名指し: the measure names the article's law;
   - 仕組み: the instrument it creates;
   - 語句: the measure's specific words in its text (推進・支援・地域, numbers and 「等」 never count);
   - 意味: semantic similarity, only between articles of equal evidence.
   An article of a law with no evidence of its own must name the measure's phrase in its caption or
   a definition. An article beside an instrument (its proposal, change, relation to other plans)
   creates none. Below the thresholds nothing is shown: precision matters more than recall.

Why not the fused rank alone: the measure's name shares its generic words (地域・推進・支援) with
hundreds of articles; the fused rank's top 3 held 10 relevant of 96 (tests/gold/suggestion_judgements.jsonl).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from indexer.corpus.schema import DERIVED_KINDS
from indexer.index.measure_queries import measure_query_text
from indexer.search.filters import Filters
from indexer.text.analysis import analyze
from indexer.text.definitions import Definition, read_definitions

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
機関 施設 移行 変革 起点 解消 更なる 活かす 未来 創る 生み出す 構築 質 高い 推進 全員 全面展開
プロジェクト モデル 取り組む 広域 面的 全面 面 先行 先進 事例 好事例 共同 協働 対策 実情 役割 基盤 拠点
""".split())

#: What an article's caption or defined term names when it creates an instrument a measure can use.
INSTRUMENTS = ("計画", "認定", "指定", "交付金", "補助", "特例", "協議会", "基本方針", "区域", "推進法人",
               "特区", "構想")
# (支援 and 事業 alone were dropped: 「観光事業者の努力」, 「…の支援」 name a duty or a topic, not a scheme.)

_QUOTED = re.compile(r"「([^「」]{2,40})」")
_ACT_ID = re.compile(r"^\d{3}AC")
_HIRAGANA = re.compile(r"[ぁ-ゖ]")
_DIGITS = re.compile(r"^[\d０-９.,．，%％]+$")
_SHORT_LAW = re.compile(r"([\w・ー]{2,20}?法)(?:[にをのでがはと第（、。]|$)")


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    # Kept: a record page's suggestions normalise the same articles' texts again for every measure
    # (≈ 900 texts a page, 11 ms of its ≈ 110); a record's strings are the same objects each time,
    # so their hashes are cached too.
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
    #: The phrases of the measure's name (what it is), a subset of phrases, in their order (longest
    #: first): a frozenset's order follows its strings' hashes, which change from process to process,
    #: and which phrase a reason names (生涯活躍 or 生涯活躍のまち) followed it.
    title_phrases: tuple[str, ...]
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
    return MeasureTerms(tuple(phrases), frozenset(words), tuple(p for p in phrases if p in title_phrases),
                        frozenset(title_words),
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
    """Terms an article gives a meaning to (「「X」とは…をいう」, 「以下「X」という」, 「X（…をいう。）」:
    indexer.text.definitions, the reader legal_vocabulary shares), once each."""
    return list(_defined_terms(text))


@lru_cache(maxsize=8192)
def _defined_terms(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(d.term for d in read_definitions(text)))


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


def instrument_weight(caption: str, inst: str) -> float:
    """How much an article creating `inst` grounds a measure: a plan made and certified, a grant, a
    designation are the schemes measures use (W_MECHANISM and more); an exception to another law
    (「…法の特例」) is a tool such a scheme lends, less than the scheme itself."""
    if "特例" in caption and inst == "特例" or caption.endswith("の特例"):
        return W_MECHANISM / 2
    if re.search(r"計画.*(認定|作成|策定)|計画$|交付金|補助", caption):
        return W_MECHANISM * 1.5
    return W_MECHANISM


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


def evidence(rec: dict, terms: MeasureTerms, named: set[str], word_weight: float = 1.0) -> tuple[float, list[str]]:
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
    # (A term of two characters, 登録 or 事業, is a word every law defines, not the measure's scheme.)
    own = [d for d in defined if len(d) >= 3 and (any(p in d for p in terms.title_phrases)
                                                  or d in _norm(terms.text.split("\n")[0]))]
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
    if topical and not _SIDE.search(caption):
        inst = _instrument(caption) or next((i for d in own + used for i in [_instrument(d)] if i), None)
        if inst:
            score += instrument_weight(caption, inst)
            reasons.append(f"施策を実施する仕組み（{inst}）を定める条")
    # 語句: the measure's specific words in the article's text, its name's counting double.
    lowered = body.lower()
    shared_title = {t for t in terms.title_words if t in lowered}
    shared = {t for t in terms.words if t in lowered} - shared_title
    if shared_title or shared:
        score += word_weight * min(W_WORD * (2 * len(shared_title) + len(shared)) / 2, W_WORD * MAX_WORDS)
        shown = _quoted_words(terms, shared_title or shared)
        reasons.append(f"本文に施策名の語「{shown}」" if shared_title else f"本文に施策の語「{shown}」")
    return score, reasons



# -- the law first ---------------------------------------------------------------------------------------
# A measure is grounded by a law before it is grounded by an article: the law whose title, purpose
# (第一条) and defined terms are about what the measure does. Its articles are then read whole, and
# the one that creates the measure's instrument (a plan, a certification, a grant, a special measure)
# is preferred. Laws are looked at only when they are Acts (法律): an order carries an Act out.

#: Laws whose articles are read whole, best law evidence first.
LAWS_READ = 5
#: Law evidence below this is no reason to read the law.
MIN_LAW_EVIDENCE = 2.0
#: The evidence an article needs when its law has too little of its own (its caption or a definition
#: must then hold the measure's phrase, not a word of it).
MIN_ALONE = 4.0
#: The share of its law's evidence an article inherits.
LAW_SHARE = 1.0
W_LAW_TITLE = 4.0
W_PURPOSE = 2.0
#: e5 evidence for a law: at most this much, for a law far above the others compared.
W_LAW_SIM = 3.0
#: How far above the median law compared a law's e5 similarity must be for the full W_LAW_SIM
#: (the right law's purpose stood 0.02–0.05 above the tenth law for the measures read by hand).
SIM_SPREAD = 0.05
#: Laws whose definitions are read for the statute's own words (reading a law of 全法令 whole ≈ 30 ms).
LAWS_DEFINITIONS_READ = 20
#: How far the nearest law must stand above the tenth for e5 alone to put it forward.
E5_MARGIN = 0.015
#: Laws compared by e5 per measure (the lexical candidates first, then the static model's nearest).
LAWS_COMPARED = 30
#: Characters of a law's title and purpose (and of a measure) encoded for that comparison.
LAW_TEXT_CHARS = 256
W_HITS = 0.25
MAX_HITS = 1.0
#: Captions of articles that carry an Act out or close it, never the measure's basis.
#: Captions of articles beside an instrument rather than creating it: a proposal of a plan, its change,
#: its relation to other plans, what to do when it is not made, help and advice (地域公共交通計画の作成等の
#: 提案, 観光立国推進基本計画と国の他の計画との関係): the scheme's article is the one that creates it.
_SIDE = re.compile(r"提案|変更|との関係|判断|とるべき措置|援助|助言|指導|勧告|配慮|協力|評価|調査|進捗")
_PROCEDURAL = re.compile(r"罰則|報告|立入検査|手数料|権限の委任|経過措置|政令への委任|省令への委任|事務の区分|"
                         r"実施規定|聴聞|審査請求|公表|秘密|守秘|罰金|過料|適用除外|施行期日|主務大臣|命令への委任")
#: What an article says when it creates an instrument someone can use (「…を作成し、…認定を申請する
#: ことができる」, 「…を指定することができる」, 「交付金を交付することができる」).
_CREATES = re.compile(r"(作成|定め|策定)(る|、|し).{0,60}(認定|承認|同意|申請|提出)|認定を(申請|受け)|指定することができる|"
                      r"交付金を交付|補助することができる|(計画|方針|構想)を(作成|定め)(る|ることができる)|特例|課税の特例|"
                      r"事業を(行う|実施する)ことができる")  # a scheme the law lets a municipality run (重層的支援体制整備事業)
_DEBUG = bool(__import__("os").environ.get("POLICYKB_BASIS_DEBUG"))
_LAW_DOC = re.compile(r"^law-(\d{3}[a-z]{2}\w{10})-", re.IGNORECASE)


@dataclass
class LawEvidence:
    """One law's evidence that it is about a measure."""

    law_id: str
    title: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    #: Whether a phrase of the measure (not a single word of it) ties it to the law: in its title,
    #: in its definitions, or the law is named.
    phrase: bool = False
    #: Whether the law's title holds a word of the measure's name (観光 in 観光立国推進基本法).
    title_word: bool = False

    def credit(self, points: float, weight: float, reason: str) -> None:
        """Evidence of a phrase of the measure, weighed 1/√(the laws that share it): at 0.5 or more
        (four laws or fewer) the phrase ties the law to the measure."""
        self.score += points * weight
        self.phrase = self.phrase or weight >= 0.5
        self.reasons.append(reason)


class LawShelf:
    """The laws a basis may come from (the Acts of 全法令 when ingested, and the regional statutes):
    their titles, and their articles read on demand. One per engine, made on first need."""

    def __init__(self, engine) -> None:
        self._engine = weakref.ref(engine)
        self._lock = threading.Lock()  # the static vectors of all Acts are made once, by one thread
        self.regional: dict[str, list[dict]] = {}
        self.titles: dict[str, str] = {}
        for r in engine.regional.records:
            law = r.get("law") or {}
            if r["kind"] == "article" and law.get("law_id"):
                self.regional.setdefault(law["law_id"].upper(), []).append(r)
                self.titles[law["law_id"].upper()] = law.get("law_title") or r.get("source_title") or ""
        self.docs: dict[str, str] = {}
        laws = engine.collections.get("laws")
        if laws is not None:
            for doc, title in laws.titles(list(laws.documents)).items():
                m = _LAW_DOC.match(doc)
                if m and _ACT_ID.match(m.group(1).upper()):
                    self.docs[m.group(1).upper()] = doc
                    self.titles.setdefault(m.group(1).upper(), _norm(title))
        self._articles: dict[str, list[dict]] = {}
        self._profiles: dict[str, str] = {}
        self._spread: dict[str, int] = {}
        self._terms: dict[str, list[str]] = {}
        self._definitions: dict[str, list[Definition]] = {}
        self._regional_definitions: dict[str, list[Definition]] = {}
        self._static = None
        self._first_rows: dict[str, int] | None = None

    @property
    def engine(self):
        return self._engine()

    def articles(self, law_id: str) -> list[dict]:
        """The main provisions of a law (never 附則), in reading order."""
        got = self._articles.get(law_id)
        if got is None:
            if law_id in self.regional:
                units = self.regional[law_id]
            elif law_id in self.docs:
                units = self.engine.collections["laws"].document_units(self.docs[law_id])
            else:
                units = []
            got = [u for u in units if u.get("kind") == "article" and not (u.get("law") or {}).get("suppl_act")]
            if len(self._articles) > 64:
                self._articles.clear()
            self._articles[law_id] = got
        return got

    def terms(self, law_id: str) -> list[str]:
        """The terms a law gives a meaning to, anywhere in its main provisions: 「この法律において「X」とは」,
        「（以下「X」という。）」 and 「X（…をいう。）」 (特定居住（当該地域外に住所を有する者が…をいう。）)."""
        got = self._terms.get(law_id)
        if got is None:
            got = self._terms[law_id] = list(dict.fromkeys(d.term for d in self.definitions(law_id)))
        return got

    def definitions(self, law_id: str) -> list[Definition]:
        """A law's definitions (term, what defines it): as the build stored them for an Act of 全法令
        (indexer.index.law_definitions), else read from its main provisions (the regional statutes are
        in memory; an Act of an index built without them is read whole, ≈ 15–30 ms)."""
        got = self._definitions.get(law_id) or self._regional_definitions.get(law_id)
        if got is None and law_id in self.regional:
            # Read once per process, like the titles: the regional statutes are few and in memory.
            got = self._regional_definitions[law_id] = [
                d for a in self.articles(law_id) for d in read_definitions(a.get("text") or "")]
        if got is None:
            stored = self._stored_definitions()
            doc = self.docs.get(law_id)
            if law_id not in self.regional and stored is not None and doc is not None:
                got = [Definition(t, b, f) for t, b, f, _ in stored.get(doc, [])]
            else:
                got = [d for a in self.articles(law_id) for d in read_definitions(a.get("text") or "")]
            if len(self._definitions) > 4096:
                self._definitions.clear()
            self._definitions[law_id] = got
        return got

    def forget(self) -> None:
        """Drop what was read per law of 全法令 (articles, purposes, definitions): what a new measure
        costs on a record page, measured (scripts/eval_basis --cpu). What is read once per process
        (titles, the regional statutes' definitions) stays."""
        for cache in (self._articles, self._profiles, self._spread, self._terms, self._definitions):
            cache.clear()

    def definitions_stored(self) -> bool:
        """Whether 全法令's build stored its Acts' definitions (or there is no 全法令: the regional
        statutes are in memory)."""
        return not self.docs or self._stored_definitions() is not None

    def scheme_named(self, law_id: str, terms: Iterable[str]) -> bool:
        """Whether an article of the law that creates an instrument is captioned with one of the terms
        (特定居住促進計画 for 特定居住): the law makes a scheme of what the term names."""
        terms = [t for t in terms if t]
        return any(any(t in _caption(a) for t in terms) and creates_instrument(a) for a in self.articles(law_id))

    def _stored_definitions(self) -> dict[str, list[list[str]]] | None:
        laws = self.engine.collections.get("laws")
        return laws.definitions() if laws is not None and hasattr(laws, "definitions") else None

    def defining(self, keys: dict[str, str]) -> list[tuple[str, Definition, str]]:
        """(law id, definition, key) for each definition whose body names a key (a phrase of a measure,
        or the thesaurus's word for it): over the regional statutes, and over every Act of 全法令 when
        its build stored their definitions (else the Acts are not read: that would mean reading them whole)."""
        if not keys:
            return []
        pool = list(self.regional)
        if self._stored_definitions() is not None:
            pool += [lid for lid in self.docs if lid not in self.regional]
        out = []
        for lid in pool:
            for d in self.definitions(lid):
                key = next((k for k in keys if k in d.body), None)
                if key is not None:
                    out.append((lid, d, key))
        return out

    def spread(self, phrase: str) -> int:
        """How many law titles hold the phrase (all of its words, when it is written as words with
        spaces between), counted once per phrase."""
        got = self._spread.get(phrase)
        if got is None:
            parts = phrase.lower().split()
            got = self._spread[phrase] = sum(all(p in t.lower() for p in parts) for t in self.titles.values())
        return got

    def profile(self, law_id: str) -> str:
        """What a law is about in a few lines: its title and purpose article (LAW_TEXT_CHARS)."""
        got = self._profiles.get(law_id)
        if got is None:
            got = self._profiles[law_id] = f"{self.titles.get(law_id, '')}。{self.purpose(law_id)}"[:LAW_TEXT_CHARS]
        return got

    def nearest_static(self, text: str, k: int) -> list[str]:
        """The k Acts of 全法令 whose profile is nearest to `text` in the static model's space (the
        model 全法令 is searched with): made once per process, ≈ 1 s for 2,126 Acts; [] without 全法令."""
        laws = self.engine.collections.get("laws")
        if laws is None or not self.docs:
            return []
        encoder = laws.index.encoder
        with self._lock:
            if self._static is None:
                ids = sorted(self.docs)
                vecs = np.asarray(encoder.encode_passages([self.profile(i) for i in ids]), dtype=np.float32)
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
                self._static = (ids, vecs)
        ids, vecs = self._static
        q = np.asarray(encoder.encode_query(text), dtype=np.float32)
        sims = vecs @ (q / (np.linalg.norm(q) + 1e-9))
        return [ids[i] for i in np.argsort(-sims)[:k]]

    def stored_vector(self, law_id: str):
        """The law's e5 vector as the build stored it (title, 編・章, 第一条: indexer.index.law_vectors),
        or None when the build made none (an index built before them, or the regional statutes alone)."""
        laws = self.engine.collections.get("laws")
        doc = self.docs.get(law_id)
        if laws is None or doc is None or not hasattr(laws, "law_vector"):
            return None
        return laws.law_vector(doc)

    def law_vector(self, law_id: str):
        """The law's e5 vector as a build stored it, unit length: an Act of 全法令 by its law vector
        (stored_vector); a regional statute by the regional collection's first row of its 第一条 (the
        build embeds an article as 「法令名 第一条（目的）」, its 章・節 and the start of its text, i.e.
        what the law is for). None when neither was stored."""
        got = self.stored_vector(law_id)
        if got is None and law_id in self.regional:
            first = next((a for a in self.regional[law_id] if (a.get("law") or {}).get("article") == "第一条"),
                         None)
            got = self._regional_row(first["id"]) if first else None
        return got

    def _regional_row(self, rid: str):
        vectors = getattr(self.engine.regional, "vectors", None)
        rows, owners = getattr(vectors, "vectors", None), getattr(vectors, "owners", None)
        if rows is None or owners is None:
            return None  # a vector index that does not keep its rows (HNSW): no stored vector to read
        with self._lock:
            if self._first_rows is None:
                first: dict[str, int] = {}
                for i, owner in enumerate(owners):
                    first.setdefault(owner, i)
                self._first_rows = first
        row = self._first_rows.get(rid)
        if row is None:
            return None
        v = np.asarray(rows[row], dtype=np.float32)
        return v / (np.linalg.norm(v) + 1e-9)

    def nearest_e5(self, vec, k: int) -> list[str]:
        """The k Acts of 全法令 nearest to an e5 vector by their stored law vectors ([] without them)."""
        laws = self.engine.collections.get("laws")
        if laws is None or not hasattr(laws, "nearest_laws") or vec is None:
            return []
        out = []
        for doc, _ in laws.nearest_laws(vec, k):
            m = _LAW_DOC.match(doc)
            if m and m.group(1).upper() in self.docs:
                out.append(m.group(1).upper())
        return out

    def purpose(self, law_id: str) -> str:
        """The law's purpose article (第一条, 目的 or 趣旨), NFKC; '' when it has none."""
        if law_id in self.regional:
            first = next((a for a in self.regional[law_id] if (a.get("law") or {}).get("article") == "第一条"), None)
        else:  # one record read, not the whole law (its unit ids are law-<id>-art<n>)
            first = self.engine.record(f"law-{law_id.lower()}-art1")
        return _norm(first["text"]) if first else ""


# One shelf per engine, gone with it (the shelf reaches its engine through a weak reference).
_SHELVES: "weakref.WeakKeyDictionary[object, LawShelf]" = weakref.WeakKeyDictionary()
_SHELVES_LOCK = threading.Lock()


def law_shelf(engine) -> LawShelf:
    """The engine's LawShelf, made on first need (reading 9,380 titles takes ≈ 0.3 s)."""
    with _SHELVES_LOCK:
        shelf = _SHELVES.get(engine)
        if shelf is None:
            shelf = _SHELVES[engine] = LawShelf(engine)
        return shelf


def warm_shelf(engine) -> None:
    """Make the engine's LawShelf and read the regional statutes' definitions now (≈ 0.1 s for the 21
    statutes), not in the first record page a visitor opens."""
    shelf = law_shelf(engine)
    for law_id in shelf.regional:
        shelf.definitions(law_id)


def _law_id(rec: dict) -> str:
    return str((rec.get("law") or {}).get("law_id") or "").upper()


def _standing_words(terms: MeasureTerms, text: str) -> set[str]:
    """The specific words of the measure's name that a text holds where they stand on their own: a word
    of one of the name's phrases counts only with the phrase (再生 of 再生可能エネルギー is not the
    再生 of 地域再生法; 産業 of ＧＸ産業立地 not the 産業 of every industry law)."""
    lowered = text.lower()
    out = set()
    for w in terms.title_words:
        if w not in lowered:
            continue
        # A Japanese compound ends in its head: 移住 of 地方移住 is what the phrase names, 再生 of
        # 再生可能エネルギー only qualifies it.
        wrapping = [p for p in terms.title_phrases if w in p.lower() and p.lower() != w]
        if wrapping and not any(p.lower() in lowered or p.lower().endswith(w) for p in wrapping):
            continue
        out.add(w)
    return out


def law_evidence(law_id: str, title: str, purpose: str, terms: MeasureTerms, named: set[str],
                 hits: int = 0, spread: Callable[[str], int] = lambda _: 1) -> LawEvidence:
    """How much a law is about a measure: its title, its purpose article, being named, and how many
    of its articles the measure's phrases found. `spread(phrase)`: how many law titles hold the
    phrase; a title match weighs 1/√ of it (農林水産業 is in a dozen titles and names a sector,
    スマート農業技術 in one and names a scheme)."""
    ev = LawEvidence(law_id, title)
    t = _norm(title)
    if any(n == t or (len(n) >= 3 and t.startswith(n[:-1])) for n in named):
        ev.score += W_NAMED_LAW + 1.0
        ev.phrase = True
        ev.reasons.append(f"施策が名指しする法律（{title}）")
    # (The query vocabulary is left out here: a thesaurus entry such as ロボット → スマート農業技術 is
    # fit to widen a search, too loose to choose a law.)
    in_title = [p for p in terms.title_phrases if p in t]
    loose = [p for p in terms.title_phrases if _all_words_in(terms.parts.get(p, ()), t)]
    words = _standing_words(terms, t)
    if in_title:
        ev.score += W_LAW_TITLE / math.sqrt(max(spread(in_title[0]), 1))
        ev.phrase = True
        ev.reasons.append(f"法律名が施策の「{in_title[0]}」を扱う")
    elif loose:
        ev.score += W_LAW_TITLE * 0.75 / math.sqrt(max(spread(" ".join(terms.parts[loose[0]])), 1))
        ev.phrase = True
        ev.reasons.append(f"法律名が施策の「{loose[0]}」の語を含む")
    elif words:
        ev.title_word = True
        ev.score += min(W_LAW_TITLE / 4 * sum(1 + (len(w) >= 3) for w in words), W_LAW_TITLE / 2) / \
            math.sqrt(max(min(spread(w) for w in words), 1))
        ev.reasons.append(f"法律名に施策名の語「{_quoted_words(terms, words)}」")
    if purpose:
        # The name's phrases and its words that stand on their own; the text's words are too many
        # (作成・公共・供給 are in every purpose article).
        p_phrases = [p for p in terms.title_phrases if p in purpose]
        p_words = _standing_words(terms, purpose)
        gained = (W_PURPOSE if p_phrases else 0.0) + min(0.5 * len(p_words), W_PURPOSE / 2)
        ev.phrase = ev.phrase or bool(p_phrases)
        if gained:
            ev.score += min(gained, W_PURPOSE * 1.5)
            shown = p_phrases[0] if p_phrases else _quoted_words(terms, p_words)
            ev.reasons.append(f"目的規定（第一条）が施策の「{shown}」に触れる")
    if hits:
        ev.score += min(W_HITS * hits, MAX_HITS)
    return ev


def statute_words(terms: MeasureTerms, defined: list[str]) -> dict[str, str]:
    """The law's own words for the measure's phrases: a term the law defines that ends in the same head
    word as a phrase of the measure's name (特定居住 for 二地域居住; the head of a Japanese compound
    is its last word), the head being specific (機能, 社会 are not). law term → the measure's phrase."""
    out: dict[str, str] = {}
    for phrase in terms.title_phrases:
        parts = terms.parts.get(phrase, ())
        if len(parts) < 2 or not _specific(parts[-1]):
            continue
        head = _norm(parts[-1])
        for d in defined:
            # A compound term (特定居住), not a phrase with particles (国会等の移転).
            if d.endswith(head) and d != head and phrase not in d and len(d) > len(head) and not _HIRAGANA.search(d):
                out.setdefault(d, phrase)
    return out


_LIST_MARK = re.compile(r"^(?:[一二三四五六七八九十]+|[イロハニホヘトチリヌルヲ])\s+")


#: Laws (and articles) beyond which a phrase found in their articles' text says nothing of any one of them.
PHRASE_LAWS = 3
PHRASE_ARTICLES = 6


def _name_phrases(shelf: "LawShelf", terms: MeasureTerms) -> list[str]:
    """The phrases of a measure's name (four characters or more) that name no law: a phrase in a law's
    title (農林水産業 names a dozen) is a field, not a scheme."""
    return [p for p in terms.title_phrases if len(p) >= 4 and _specific(p, word=False) and not shelf.spread(p)]


def _rare_holders(holders: dict[str, dict[str, str]], too_many: Callable[[str], bool] = lambda p: False
                  ) -> dict[str, tuple[str, str, float]]:
    """law id → (phrase, what of the law holds it, weight 1/√(laws)) from phrase → {law id: what}, the
    phrases held by fewest laws first; a phrase more than PHRASE_LAWS laws hold (or `too_many`) says
    nothing of any one of them."""
    out: dict[str, tuple[str, str, float]] = {}
    for p in sorted(holders, key=lambda p: (len(holders[p]), -len(p))):
        if len(holders[p]) > PHRASE_LAWS or too_many(p):
            continue
        for lid, what in holders[p].items():
            out.setdefault(lid, (p, what, 1 / math.sqrt(len(holders[p]))))
    return out


def phrase_in_articles(engine, shelf: "LawShelf", terms: MeasureTerms, seen: dict[str, int]) -> dict[str, tuple[str, str, float]]:
    """law id → (phrase, the article's label, weight) for the Acts whose main-provision articles, among
    those the measure's lookups found, hold a phrase of its name (four characters or more) as written,
    when at most PHRASE_LAWS laws and PHRASE_ARTICLES articles do: weight 1/√(laws). A phrase in many
    articles (地域公共交通), or in any law's title (農林水産業 names a dozen laws), is a field, not a scheme."""
    phrases = _name_phrases(shelf, terms)
    if not phrases:
        return {}
    holders: dict[str, dict[str, str]] = {}
    articles: dict[str, int] = {}
    for aid in seen:
        a = engine.record(aid) or {}
        lid = _law_id(a)
        law = a.get("law") or {}
        if lid not in shelf.titles or law.get("suppl_act") or not _is_act(a):
            continue
        body = _norm(a.get("text") or "")
        for p in phrases:
            if p in body:
                holders.setdefault(p, {}).setdefault(lid, law.get("article") or "条")
                articles[p] = articles.get(p, 0) + 1
    return _rare_holders(holders, lambda p: articles[p] > PHRASE_ARTICLES)


def defined_on_phrase(shelf: "LawShelf", terms: MeasureTerms, pool: list[str]) -> dict[str, tuple[str, str, float]]:
    """law id → (term, phrase, weight) for the laws of `pool` that define a term holding a phrase of the
    measure's name (four characters or more, in no law's title: a phrase that names laws is a field),
    when at most PHRASE_LAWS laws do: weight 1/√(laws)."""
    phrases = _name_phrases(shelf, terms)
    if not phrases:
        return {}
    holders: dict[str, dict[str, str]] = {}
    for lid in pool:
        if lid not in shelf.titles:
            continue
        for term in shelf.terms(lid):
            p = next((p for p in phrases if p in term and p != term), None)
            if p is not None:
                holders.setdefault(p, {}).setdefault(lid, term)
    return {lid: (term, p, weight) for lid, (p, term, weight) in _rare_holders(holders).items()}


def mechanism_keys(terms: MeasureTerms, thesaurus) -> dict[str, str]:
    """What a definition's body may name a measure's mechanism by: each phrase of its name (three or
    more characters), and the everyday words the thesaurus gives for such a phrase when the entry is
    about that phrase alone (本社機能 ← 本社・本店・本部; an entry that also gives 相談支援 beside
    地域共生社会 is about a field, and its words 介護・福祉 open dozens of definitions): key → the
    measure's phrase."""
    keys: dict[str, str] = {}
    for phrase in terms.title_phrases:
        if len(phrase) >= 3 and _specific(phrase, word=False):
            keys.setdefault(phrase, phrase)
    for plains, statute_terms in getattr(thesaurus, "entries", ()):
        for phrase in terms.title_phrases:
            if [_norm(t) for t in statute_terms] == [phrase]:
                for plain in plains:
                    plain = _norm(plain)
                    if len(plain) >= 2 and _specific(plain) and plain not in keys:
                        keys[plain] = phrase
    return keys


#: A definition's body naming the measure's word ties its law to the measure fully only when few laws
#: define a term that way: weight 1/√(laws), e.g. 0.5 for a word four laws' definitions name.
def defined_by_body(shelf: "LawShelf", keys: dict[str, str]) -> dict[str, tuple[str, str, float, str]]:
    """law id → (the term it defines, the measure's phrase, weight, the key it opens with) for the laws whose definitions open
    with a key: the statute's own word for the measure's mechanism (特定業務施設, 「本店又は主たる事務所
    その他の…業務施設」, for 本社機能). Only a body that opens with the key says what the term is; one
    that names it further on names a condition or a part (地域再生拠点区域 …「地域農林水産業振興施設その他
    の…施設」 is not about 農林水産業). The term must be a compound of its own (three characters or more,
    no kana inflection), not the phrase itself (a caption or definition holding the phrase is found as
    it is written)."""
    found = [(lid, d, key) for lid, d, key in shelf.defining(keys)
             if _LIST_MARK.sub("", d.body).startswith(key)
             and lid in shelf.titles and len(d.term) >= 3 and not _HIRAGANA.search(d.term)
             and _specific(d.term, word=False) and keys[key] not in d.term and key not in d.term]
    spread: dict[str, set[str]] = {}
    for lid, _, key in found:
        spread.setdefault(key, set()).add(lid)
    out: dict[str, tuple[str, str, float, str]] = {}
    for lid, d, key in found:
        weight = 1 / math.sqrt(len(spread[key]))
        if lid not in out or weight > out[lid][2]:
            out[lid] = (d.term, keys[key], weight, key)
    return out


def measure_vector(engine, rec: dict):
    """The measure's e5 vector (its name and text, as a query), unit length; None without the model.
    The build's (indexer.index.measure_queries) when it made one for this text, else encoded here."""
    text = measure_query_text(rec) or ""
    stored = engine.regional.query_vectors.get(text)
    try:
        m = np.asarray(stored if stored is not None else engine.embedder.encode_query(text), dtype=np.float32)
        return m / (np.linalg.norm(m) + 1e-9)
    except Exception:  # noqa: BLE001 — no model here: the lexical evidence stands alone
        return None


def law_similarity(engine, shelf: LawShelf, vec, law_ids: list[str]) -> dict[str, float]:
    """e5 similarity of the measure (a "query: " vector) to each law, by the vectors the build stored
    (LawShelf.law_vector: an Act's title, 編・章 and 第一条 as one passage; a regional statute's
    第一条 as the regional collection embedded it). Nothing is encoded here: encoding each law's
    title and purpose per measure cost 1.8–3.4 CPU-s a record page over 全法令. A law the build
    stored no vector for is left out (the lexical evidence stands alone for it). Empty without the
    model. The stored vectors sit in the band the encoded ones did (on the 535-law sample, best law
    minus median 0.027 against 0.026, interquartile 0.011 against 0.012; Pearson 0.84), so the
    thresholds below were kept."""
    if not law_ids or vec is None:
        return {}
    out: dict[str, float] = {}
    for lid in law_ids:
        v = shelf.law_vector(lid)
        if v is not None:
            out[lid] = float(vec @ v)
    return out


def similarity_bonus(sims: dict[str, float]) -> dict[str, float]:
    """e5 similarities as evidence: e5 similarities of Japanese texts sit in a narrow band (0.85–0.92
    between a measure and a law's purpose), so only the distance above the pool's typical law says
    anything: W_LAW_SIM for a law SIM_SPREAD above the median of the laws compared, 0 at or below it."""
    if len(sims) < 3:
        return {lid: 0.0 for lid in sims}
    values = sorted(sims.values())
    median = values[len(values) // 2]
    return {lid: W_LAW_SIM * min(max((v - median) / SIM_SPREAD, -1.0), 1.0) for lid, v in sims.items()}


def e5_alone(sims: dict[str, float]) -> str | None:
    """The law e5 alone may put forward: the nearest of the laws compared when it stands E5_MARGIN above
    the tenth (スマート農業技術活用促進法 for スマート技術 in farming, 0.05 above; laws that were only
    about as near as the others stood 0.006–0.010 above)."""
    if len(sims) < 10:
        return None
    ranked = sorted(sims.items(), key=lambda kv: -kv[1])
    return ranked[0][0] if ranked[0][1] - ranked[9][1] >= E5_MARGIN else None


_CAPTION_TAIL = re.compile(r"(等)?(の(作成|認定|策定|指定|交付|設置|実施|変更))?(等)?$")


def purpose_instrument(caption: str, purpose: str) -> str | None:
    """The instrument an article creates when its law's purpose article names it among what the law
    is for (地域再生法 第一条: 「地域再生計画の作成及びその…認定」 → 第五条（地域再生計画の認定）):
    the law's core scheme rather than one of its side provisions."""
    name = _CAPTION_TAIL.sub("", caption)
    if len(name) >= 4 and _instrument(name) and name in purpose:
        return name
    return None


def creates_instrument(rec: dict) -> str | None:
    """The instrument an article creates, from its caption (計画の作成, 認定, 交付金) or its first
    paragraph (「…を作成し、…認定を申請することができる」); None for other articles."""
    caption = _caption(rec)
    if _PROCEDURAL.search(caption) or _SIDE.search(caption):
        return None
    inst = _instrument(caption)
    if inst:
        return inst
    first = _norm(rec.get("text") or "").split("\n")[0]
    m = _CREATES.search(first)
    if m:
        said = m.group(0)
        if "計画" in said:
            return "計画"
        return _instrument(said) or ("事業" if said.startswith("事業") else "特例")
    return None


def basis_collections(engine) -> tuple[str, ...]:
    """全法令 when it is ingested, else the regional statutes. The regional collection stays chosen
    beside 全法令: its statutes are e5-embedded, and an archive that lacks one of them (a sample)
    still has it there; an article both hold is fused once (its id is the same)."""
    return ("regional", "laws") if "laws" in engine.collections else ("regional",)


def _vocabulary(engine, rec: dict, terms: MeasureTerms) -> dict[str, str]:
    vocabulary: dict[str, str] = {}
    for exp in engine.plan(rec["title"]).expansions:
        for term in exp.terms:
            t = _norm(term)
            # A one- or two-character plain word (町 → 市町村) is too loose to carry a caption match.
            if len(_norm(exp.plain)) >= 3 and len(t) >= 3 and _specific(t, word=False) and t not in terms.text:
                vocabulary.setdefault(t, exp.plain)
    return vocabulary


def suggest_basis(engine, rid: str, k: int = BASIS_K) -> list[BasisSuggestion]:
    """The articles that could ground policy record `rid`, best first (empty for an article itself)."""
    rec = engine.record(rid)
    if rec is None or rec["kind"] in DERIVED_KINDS:
        return []
    terms = measure_terms(rec["title"], rec["text"])
    terms = replace(terms, vocabulary=_vocabulary(engine, rec, terms))
    named = named_laws(rec["text"])
    cited = {link["id"] for link in rec.get("links") or []}
    shelf = law_shelf(engine)
    filters = Filters(kind=("article",), collection=basis_collections(engine))
    # The name by both sides (the semantic side finds the law's own words for it: 二地域居住 → 特定居住);
    # each phrase and named law by keyword only (they are to be found as written, in captions and
    # definitions), which also spares an e5 encoding a phrase on a record page.
    lookups = terms.phrases[:PHRASE_QUERIES] + tuple(terms.vocabulary) + tuple(sorted(named))
    queries = [(rec["title"], "hybrid")] + [(q, "keyword") for q in lookups if q != rec["title"]]
    seen: dict[str, int] = {}
    similarity: dict[str, float] = {}
    for q, mode in dict.fromkeys(queries):
        ranking = engine.rank(q, mode, filters, within=True)
        for pos, (aid, _) in enumerate(ranking.hits[:CANDIDATES_PER_QUERY]):
            seen[aid] = min(pos, seen.get(aid, pos))
            if aid in ranking.info.semantic_rank:
                similarity[aid] = max(similarity.get(aid, 0.0), ranking.info.semantic_rank[aid][1])
    # The laws: those of the articles found, those the measure names, those whose title holds its words.
    hits: dict[str, int] = {}
    for aid in seen:
        lid = _law_id(engine.record(aid) or {})
        if lid in shelf.titles:
            hits[lid] = hits.get(lid, 0) + 1
    laws: dict[str, LawEvidence] = {}
    for lid, title in shelf.titles.items():
        t = title.lower()
        if lid in hits or any(w in t for w in terms.title_words) or any(n[:-1] in t for n in named if len(n) >= 3):
            laws[lid] = law_evidence(lid, title, "", terms, named, hits.get(lid, 0), shelf.spread)
    # The purpose article is read for the laws already ahead on title and hits (reading is the cost),
    # and for those the static model finds near the measure (a law whose title shares no word with it:
    # 社会福祉法 for a 包摂的な支援体制).
    compared = [ev.law_id for ev in sorted(laws.values(), key=lambda ev: -ev.score)][:LAWS_COMPARED // 2]
    vec = measure_vector(engine, rec)
    near = shelf.nearest_e5(vec, LAWS_COMPARED)
    compared += [lid for lid in near if lid not in compared]
    # Without stored law vectors, the static model (what 全法令 is searched with) proposes the laws.
    compared += [] if near else [lid for lid in shelf.nearest_static(measure_query_text(rec) or "",
                                                     LAWS_COMPARED) if lid not in compared]
    if not shelf.docs:  # the regional statutes alone: few enough to compare them all
        compared += [lid for lid in shelf.titles if lid not in compared]
    compared = compared[:LAWS_COMPARED + len(shelf.regional)]
    def compare(lid: str) -> None:
        """A law is compared: its evidence read again with its purpose article, and it is in `compared`
        (every law compared has its evidence in `laws`; `laws` also holds laws ahead on title alone)."""
        laws[lid] = law_evidence(lid, shelf.titles[lid], shelf.purpose(lid), terms, named, hits.get(lid, 0),
                                  shelf.spread)
        if lid not in compared:
            compared.append(lid)

    for lid in compared:
        compare(lid)
    # Definitions whose body names the measure's phrase or the thesaurus's word for it (特定業務施設:
    # 「本店又は主たる事務所…業務施設」, for 本社機能), over every law whose definitions are at hand.
    by_body = defined_by_body(shelf, mechanism_keys(terms, getattr(engine, "thesaurus", None)))
    for lid in by_body:
        if lid not in compared:
            compare(lid)
    # A phrase of the measure's name written in an article of few laws (地域共生社会 in 社会福祉法 第四条,
    # not in its title or purpose article): the law is about what the measure names.
    for lid, (phrase, label, weight) in phrase_in_articles(engine, shelf, terms, seen).items():
        if lid not in compared:
            compare(lid)
        if not any(f"「{phrase}」" in r for r in laws[lid].reasons):
            laws[lid].credit(W_PURPOSE, weight, f"{label}に施策の「{phrase}」の語がある")
    # The statutes' own words for the measure's phrases, from the definitions of the laws compared
    # (特定居住 in 広域的地域活性化法 for 二地域居住): evidence for the law, and words its captions can hold.
    sims = law_similarity(engine, shelf, vec, compared)
    own_words: dict[str, dict[str, str]] = {}
    median = sorted(sims.values())[len(sims) // 2] if sims else 0.0
    # (Stored definitions, and the regional statutes' in memory, cost nothing to read: all of those are read.)
    read_defs = len(compared) if shelf.definitions_stored() else LAWS_DEFINITIONS_READ
    by_sim = sorted(compared, key=lambda i: -sims.get(i, 0.0))
    for lid in by_sim[:read_defs] + [i for i in by_sim[read_defs:] if i in shelf.regional]:
        words = statute_words(terms, shelf.terms(lid))
        # A shared head word (居住, 技術) is a hint; it counts for a law e5 finds about the measure too,
        # or for a law that names a scheme after the term (特定居住促進計画: the term is what it is for).
        if words and (not sims or sims.get(lid, 0.0) >= median + SIM_SPREAD / 3 or shelf.scheme_named(lid, words)):
            own_words[lid] = words
            term, phrase = next(iter(words.items()))
            laws[lid].score += W_DEFINITION / 2  # a shared head word: half a definition of the phrase itself
            laws[lid].phrase = True
            laws[lid].reasons.append(f"法律が定める「{term}」は施策の「{phrase}」にあたる")
    # A law that defines a term built on a phrase of the measure's name (地域脱炭素化促進事業 for
    # 地域脱炭素, 生涯活躍のまち形成事業計画): the law makes a scheme of what the measure names. Read over
    # the laws whose definitions are at hand (stored by the build, or in memory) and those compared.
    pool = (list(shelf.titles) if shelf.definitions_stored() else
            list(dict.fromkeys(by_sim[:read_defs] + list(shelf.regional))))
    for lid, (term, phrase, weight) in defined_on_phrase(shelf, terms, pool).items():
        if lid not in laws:
            compare(lid)
            sims.update(law_similarity(engine, shelf, vec, [lid]))
        words = own_words.setdefault(lid, {})
        if term not in words:
            words[term] = phrase
            laws[lid].credit(W_DEFINITION, weight, f"法律が施策の「{phrase}」を名に持つ「{term}」を定める")
    for lid, (term, phrase, weight, key) in by_body.items():
        words = own_words.setdefault(lid, {})
        if term not in words:
            words[term] = phrase
            # The term is defined as the measure's thing (a kind of 本店), not only named like it: a
            # definition of the phrase, where a shared head word above counts half of one.
            laws[lid].credit(W_DEFINITION, weight,
                             f"法律が定める「{term}」は「{key}」…をいい、施策の「{phrase}」にあたる" if key != phrase
                             else f"法律が定める「{term}」は施策の「{phrase}」…をいう")
    # A law qualifies on its words (title, purpose, being named) with e5 beside them; e5 alone, or the
    # hits alone, only order: a relative similarity always has a first place, however unrelated.
    lexical = {lid: ev.score - min(W_HITS * hits.get(lid, 0), MAX_HITS) for lid, ev in laws.items()}
    nearest = None  # e5 alone put forward unrelated laws for 9 of 32 measures read by hand: only orders
    bonuses = similarity_bonus(sims)
    for lid, bonus in bonuses.items():
        ev = laws[lid]
        ev.score += bonus
        if bonus >= W_LAW_SIM / 2 or lid == nearest:
            ev.reasons.append("法律の題名と目的規定が施策の文と意味で近い")
    for lid, ev in laws.items():
        if lid == nearest:
            ev.score = max(ev.score, MIN_LAW_EVIDENCE + W_LAW_SIM)
        # Single words of the name (主導, 活躍, 立地) tie a measure to many laws: they qualify one only
        # in its title, and when e5 puts it clearly above the laws compared (a word of a purpose
        # article, 文化 in 多極分散型国土形成促進法, is too little even then).
        elif lexical[lid] <= 0 or not (ev.phrase or (ev.title_word and bonuses.get(lid, 0.0) >= W_LAW_SIM / 3)):
            ev.score = min(ev.score, MIN_LAW_EVIDENCE - 0.01)
    read = [ev for ev in sorted(laws.values(), key=lambda ev: -ev.score) if ev.score >= MIN_LAW_EVIDENCE][:LAWS_READ]
    if _DEBUG:
        for ev in sorted(laws.values(), key=lambda ev: -ev.score)[:12]:
            print(f"    law {ev.score:5.2f} lex {lexical.get(ev.law_id, 0):4.2f} sim {sims.get(ev.law_id, 0):.3f} {ev.title[:40]} {ev.reasons}")
    candidates: dict[str, dict] = {}
    for ev in read:
        for a in shelf.articles(ev.law_id):
            candidates[a["id"]] = a
    for aid in seen:
        if aid not in candidates:
            a = engine.record(aid)
            if a is not None:
                candidates[aid] = a
    out: list[BasisSuggestion] = []
    for aid, article in candidates.items():
        if aid in cited or (article.get("law") or {}).get("suppl_act"):
            continue  # 附則: dates and transitions of an act, never a measure's basis
        caption = _caption(article)
        if _PROCEDURAL.search(caption):
            continue
        words = own_words.get(_law_id(article))
        law_ev = laws.get(_law_id(article))
        # Within a law about the measure, its words recur in every article (and in each 「…法の特例」
        # that quotes the law's title): they tell its articles apart less than their instruments do.
        qualified_law = law_ev is not None and law_ev.score >= MIN_LAW_EVIDENCE
        score, reasons = evidence(article, replace(terms, vocabulary={**terms.vocabulary, **words}) if words else terms,
                                  named, word_weight=0.5 if qualified_law else 1.0)
        if _SIDE.search(caption):
            score -= W_MECHANISM  # beside a scheme (its proposal, change, relations): less a basis than the scheme
        inst = creates_instrument(article)
        if not inst and not any("を扱う" in r or "にあたる" in r for r in reasons):
            # What grounds a measure is the article that creates its instrument (a plan, a
            # certification, a grant): a duty, a principle or a purpose of the right law is background.
            continue
        if law_ev is not None and law_ev.score >= MIN_LAW_EVIDENCE:
            score += LAW_SHARE * law_ev.score
            reasons = law_ev.reasons[:2] + reasons
            core = purpose_instrument(caption, shelf.purpose(_law_id(article)))
            if core:
                score += W_MECHANISM / 2
                reasons.append(f"目的規定が掲げる仕組み（{core}）を定める条")
            if inst and not any(r.startswith("施策を実施する仕組み") for r in reasons):
                score += instrument_weight(caption, inst)
                reasons.append(f"法律の仕組み（{inst}）を定める条")
        if not _is_act(article):
            continue  # a 施行令・施行規則 carries out an Act; the Act is what grounds a measure
        if law_ev is None or law_ev.score < MIN_LAW_EVIDENCE:
            # No law behind it: its caption or a definition must name the measure's phrase itself
            # (a caption sharing one word, 大規模 or 中小企業, is how unrelated laws came in).
            if score < MIN_ALONE or not any("を扱う" in r or "にあたる" in r for r in reasons):
                continue
        elif score < MIN_EVIDENCE:
            continue
        sim = similarity.get(aid)
        if sim is not None:
            reasons.append(f"施策の文との意味の近さ {sim:.2f}")
        pos = seen.get(aid, CANDIDATES_PER_QUERY)
        # Similarity and the best place in any list only break ties between equal evidence.
        out.append(BasisSuggestion(article, score + 0.5 * (sim or 0.0) + 0.2 / (1 + pos), reasons, sim))
    out.sort(key=lambda s: -s.score)
    return out[:k]
