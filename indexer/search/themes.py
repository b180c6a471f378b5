"""Whether a cell of the comparison table speaks of a theme: a judgement per cell, never a rank.

/compare lays the 日本列島改造論 | 地方創生1.0 | 2.0 table out row by row, and a theme box says, per
era, which of that era's cells (各年の状況, 目指すもの・目標, 施策の手法・考え方) address the theme,
or 「該当なし」. A fused ranking cannot say that: it always has a first place, and it put
「該当なし」 beside a table whose own row listed 高速道路・新幹線 for 交通. So each cell is judged
on its own lines, with the theme's plan (indexer.search.plan) and its expansions:

- The theme is cut into phrases: runs of adjacent content words (「人口減少への適応」 → 人口減少,
  適応). A phrase is held by a cell when one of its forms occurs in one line of the cell: the
  phrase itself, all its word units in one line (広域連携 in 「広域リージョン連携」), a thesaurus
  expansion of it, a plain phrase the thesaurus rewrites to it (若者 ← 若い世代), or one of the
  related words below (交通 → 高速道路, 新幹線).
- A cell is about the theme when it holds at least half of the theme's phrases: one of two
  (若者・女性), two of four (人口の将来目標（長期の人口規模）), so that a common word alone (人口)
  does not make every 各年の状況 cell about 人口の推移.
- The semantic side does not decide: e5 similarities of a theme to the cells' lines were measured
  on the 30 labelled themes (tests/gold/compare_themes.jsonl) and do not separate the cells that
  address it (交通 ↔ 「高速道路・新幹線…」 0.84) from those that do not (人口減少 ↔ 列島改造論's
  「人口と増減：＋129万人」 0.94). scripts/compare_relevance prints the figures of this judgement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.corpus.schema import ERA_LABELS
from indexer.search.plan import QueryPlan
from indexer.text.bound_numerals import numeral_start
from indexer.text.normalize import nfkc_with_offsets, normalize_for_match
from indexer.text.thesaurus import Thesaurus

#: Words a row of the comparison table uses for a theme it does not name. Written from what each
#: era's cells say (the table's vocabulary: the 1970s spoke of 高速道路 and 過密, 1.0 of ICT and
#: 若い世代, 2.0 of インバウンド and 地方分散), with the 30 development themes in view; the blind set
#: (tests/gold/compare_themes_blind.jsonl) was not used. Keys and words are compared normalised.
RELATED: dict[str, tuple[str, ...]] = {
    "交通": ("高速道路", "新幹線", "鉄道", "港湾", "空港", "本四架橋", "交通空白", "自動運転"),
    "観光": ("インバウンド", "誘客", "観光客"),
    "防災": ("治水", "国土強靱化", "災害"),
    "農業": ("農林水産業", "農業", "1次"),
    "デジタル": ("ICT", "ブロードバンド", "情報通信", "DX", "AI"),
    "東京一極集中": ("一極集中", "過密", "地方分散"),
    "移住": ("人の流れ", "ひとの流れ", "地方分散", "移り住む"),
    "産業誘致": ("企業誘致", "工業の全国的な再配置", "地方分散", "産業立地", "産業創出", "企業城下町"),
    "工業再配置": ("工業の全国的な再配置", "地方分散", "産業立地", "テクノポリス"),
    "高齢者": ("高齢化", "CCRC"),
    "インフラ整備": ("インフラ整備", "ブロードバンド整備", "高速道路", "新幹線"),
    "官民連携": ("民間活力", "官民連携", "産官学"),
    "産学官連携": ("産官学",),
    "広域連携": ("地域と地域を連携", "地域連携", "広域リージョン"),
    "雇用": ("就業", "働き方", "仕事", "働ける"),
    "人口減少": ("人口減", "▲"),
    "経済成長": ("成長", "GDP"),
    "地域経済": ("地方経済", "活性化", "稼げる地方"),
}
#: A cell is about the theme when it holds at least this share of the theme's phrases.
MIN_PHRASE_SHARE = 0.5


def _norm(text: str) -> str:
    return normalize_for_match(text).lower()


@dataclass(frozen=True)
class Phrase:
    """One run of adjacent content words of the theme, and every form a cell may hold it in."""

    text: str
    #: Each alternative is a tuple of strings that must all occur in one line (normalised).
    forms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class CellJudgement:
    """A cell judged against a theme: about it or not, and the lines and words that decided."""

    id: str
    about: bool
    phrases: tuple[str, ...]    # the theme's phrases
    held: tuple[str, ...]       # the phrases the cell holds
    lines: tuple[str, ...]      # the cell's lines that hold one (as written)
    words: tuple[str, ...]      # the forms found in those lines (as written in the cell, when found)

    def as_dict(self) -> dict:
        return {"id": self.id, "about": self.about, "phrases": list(self.phrases), "held": list(self.held),
                "lines": list(self.lines), "words": list(self.words)}


def cell_lines(rec: dict) -> list[str]:
    """A cell's own words: its quotes minus the repeated headings (era, table title, row label)."""
    section_label = rec["section"].split(" ＞ ")[-1]
    era_label = ERA_LABELS.get(rec.get("era") or "", "")
    out = []
    for q in rec["quotes"]:
        t = q["text"].strip()
        if t in (rec.get("category"), section_label, rec["title"]) or section_label.endswith(t):
            continue
        if era_label and t.startswith(era_label) and len(t) <= 40:
            continue
        out.append(t)
    return out


def theme_phrases(plan: QueryPlan, thesaurus: Thesaurus) -> tuple[Phrase, ...]:
    """The theme's phrases with their forms, from the plan's tokens and expansions."""
    runs: list[list[int]] = []
    # A numeral the plan read as part of a word (the 一 of 東京一極集中, the 二 of 二地域居住) is not
    # among its tokens: it still belongs to the run of the word after it.
    joined = {after for _, after in plan.bound_words}
    for t in plan.tokens:
        if t.mode != "C":
            continue
        start = numeral_start(plan.query, t.start) if t.term in joined else t.start
        if runs and runs[-1][1] == start:
            runs[-1][1] = t.end
        else:
            runs.append([start, t.end])
    out = []
    for start, end in runs:
        text = plan.query[start:end]
        key = _norm(text)
        units = tuple(_norm(t.surface) for t in plan.tokens if t.mode == "A" and start <= t.start and t.end <= end)
        forms: list[tuple[str, ...]] = [(key,)]
        if len(units) > 1:
            forms.append(units)
        for e in plan.expansions:
            if e.plain in text or text in e.plain:
                forms += [(_norm(w),) for w in (e.plain, *e.terms)]
        for plains, terms in thesaurus.entries:
            if any(_norm(t) == key for t in terms):
                forms += [(_norm(p),) for p in plains if len(p) >= 2]
        for word, related in RELATED.items():
            if _norm(word) == key or (len(units) > 1 and _norm(word) in units):
                forms += [(_norm(w),) for w in related]
        out.append(Phrase(text, tuple(dict.fromkeys(f for f in forms if all(f)))))
    return tuple(out)


def judge(rec: dict, phrases: Iterable[Phrase]) -> CellJudgement:
    """Whether one cell is about the theme whose phrases are given (see the module docstring)."""
    phrases = tuple(phrases)
    lines = cell_lines(rec)
    normed = [_norm(ln) for ln in lines]
    held: list[str] = []
    hit_lines: dict[int, None] = {}
    words: dict[str, None] = {}
    for ph in phrases:
        found = False
        for i, ln in enumerate(normed):
            for form in ph.forms:
                if all(part in ln for part in form):
                    found = True
                    hit_lines[i] = None
                    words.update(dict.fromkeys(form))
        if found:
            held.append(ph.text)
    need = max(1, math.ceil(MIN_PHRASE_SHARE * len(phrases)))
    about = bool(phrases) and len(held) >= need
    return CellJudgement(rec["id"], about, tuple(p.text for p in phrases), tuple(held),
                         tuple(lines[i] for i in sorted(hit_lines)) if about else (),
                         tuple(words) if about else ())


def word_spans(text: str, words: Iterable[str]) -> list[list[int]]:
    """[start, end] offsets in `text` (as written) of each normalised word it holds: the highlights."""
    norm, origin = nfkc_with_offsets(text, "drop")
    low = norm.lower()
    spans = []
    for w in words:
        pos = low.find(w)
        while pos >= 0 and w:
            spans.append([origin[pos], origin[pos + len(w)]])
            pos = low.find(w, pos + len(w))
    return sorted(spans)
