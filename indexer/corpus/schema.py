"""Typed records of the knowledge base.

A record is what the YAML files under corpus/records/ hold, one list item each.
Its `text` is not written by hand: it is the record's quotes joined in reading
order, so what is shown and cited is always the document's own words.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from indexer.corpus.deadlines import resolve as resolve_deadline
from indexer.corpus.prefectures import normalize_prefecture

KINDS = ("data", "comparison", "stance", "pillar", "measure", "target", "role", "case", "note",
         "article", "table", "passage")
# Kinds derived at load time from ingested documents (indexer.corpus.derived), never curated.
DERIVED_KINDS = ("article", "table", "passage")
ERAS = ("kaizoron", "1.0", "2.0")
ERA_LABELS = {"kaizoron": "日本列島改造論", "1.0": "地方創生1.0", "2.0": "地方創生2.0"}
KIND_LABELS = {
    "data": "データ", "comparison": "比較表", "stance": "基本姿勢・視点", "pillar": "政策の柱",
    "measure": "施策", "target": "目標・KPI", "role": "役割・進め方", "case": "好事例", "note": "注記",
    "article": "条文", "table": "別表", "passage": "本文",
}
PILLARS = (1, 2, 3, 4, 5)
TARGET_TYPES = ("numeric", "qualitative", "milestone")
# Relations between records. Stored once, on either side; shown on both sides.
LINK_TYPES = (
    "pillar",       # record → the pillar it belongs to
    "measure",      # target → the measure it measures
    "pair",         # stance: 1.0 reflection ↔ 2.0 stance of the same viewpoint
    "counterpart",  # comparison cell ↔ the same row in another era
    "illustrates",  # case → the measure / pillar it is an example of
    "motivates",    # data → the measure / stance it argues for
    "related",      # curated theme link the document makes plain
    "same-goal",    # target ↔ target: one goal the document states in two places (目指す姿 and a pillar)
    "cites",        # article/policy record → the article it cites (resolved at load time, never hand-written)
)
#: Links with a direction: the other side sees them under this name.
INVERSE_LINK_TYPES = {"cites": "cited_by"}

Kind = Literal["data", "comparison", "stance", "pillar", "measure", "target", "role", "case", "note",
               "article", "table", "passage"]
Era = Literal["kaizoron", "1.0", "2.0"]
LinkType = Literal["pillar", "measure", "pair", "counterpart", "illustrates", "motivates", "related", "same-goal",
                   "cites"]
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Quote(_Strict):
    """A verbatim span of the source; start/end are character offsets."""

    text: str = Field(min_length=1)
    start: int | None = None
    end: int | None = None


class Link(_Strict):
    type: LinkType
    id: str


class Place(_Strict):
    prefecture: str | None = None
    municipality: str | None = None
    # Multi-prefecture cases name a region (中部・北陸９県) and list prefectures.
    region: str | None = None
    prefectures: list[str] = Field(default_factory=list)
    # True when the source does not name the prefectures and they were worked out (see note).
    inferred: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _inferred_says_why(self) -> "Place":
        if self.inferred and not self.note:
            raise ValueError("an inferred place needs a note saying what the source states and how it was inferred")
        return self

    @field_validator("prefecture")
    @classmethod
    def _known_prefecture(cls, v: str | None) -> str | None:
        if v is None:
            return v
        full = normalize_prefecture(v)
        if full is None:
            raise ValueError(f"'{v}' is not one of the 47 prefectures")
        return full

    @field_validator("prefectures")
    @classmethod
    def _known_prefectures(cls, v: list[str]) -> list[str]:
        out = []
        for name in v:
            full = normalize_prefecture(name)
            if full is None:
                raise ValueError(f"'{name}' is not one of the 47 prefectures")
            out.append(full)
        return out


def normalize_unit(unit: str | None) -> str | None:
    """One notation per unit: the full-width ％ the document's Japanese text uses (50％), also in ％/年."""
    return unit.replace("%", "％") if unit else unit


class TargetValue(_Strict):
    """One value a target states: 訪日外国人旅行者数 6,000万人."""

    metric: str | None = None
    value: float | None = None
    value_text: str | None = None  # as the source writes it (約2,000地区, 実人数1,000万人)
    unit: str | None = None

    _unit = field_validator("unit")(classmethod(lambda cls, v: normalize_unit(v)))


class TargetSpec(_Strict):
    """Fields parsed from a target's wording, where the wording has them.

    The wording itself is the record's first quote: a whole statement of the
    source (see indexer.corpus.statements). `measured` names the phrases of it
    this target measures, when it shares the statement with another target.
    `value`/`value_text`/`unit` are the first of `values`, kept for readers of
    one value; `values` lists every value the target states, each with its
    own metric (`metric` names the target as a whole, 関係人口).
    `deadline_year`, `deadline_basis` and `deadline_note` are derived from the
    `deadline` phrase by indexer.corpus.deadlines, never written by hand.
    """

    metric: str | None = None
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    values: list[TargetValue] = Field(default_factory=list)
    measured: list[str] = Field(default_factory=list)
    deadline: str | None = None  # the deadline phrase, verbatim
    # Where the source states the deadline, when not inside the wording (a measure's 集中対策期間…).
    deadline_quote: Quote | None = None
    deadline_year: int | None = None
    deadline_basis: Literal["fiscal", "calendar", "period"] | None = None
    deadline_note: str | None = None
    type: Literal["numeric", "qualitative", "milestone"]

    _unit = field_validator("unit")(classmethod(lambda cls, v: normalize_unit(v)))

    @model_validator(mode="after")
    def _derive(self) -> "TargetSpec":
        first = TargetValue(metric=self.metric, value=self.value, value_text=self.value_text, unit=self.unit)
        if not self.values and (self.value is not None or self.value_text):
            self.values = [first]
        elif self.values:
            head = self.values[0]
            self.metric = self.metric or head.metric  # a target's own metric may name the whole (関係人口)
            for name in ("value", "value_text", "unit"):
                mine = getattr(self, name)
                if mine is None:
                    setattr(self, name, getattr(head, name))
                elif mine != getattr(head, name):
                    raise ValueError(f"{name} {mine!r} differs from values[0].{name} {getattr(head, name)!r}: "
                                     "the single-value fields repeat the first of `values`")
        derived = resolve_deadline(self.deadline)
        for name, value in (("deadline_year", derived.year), ("deadline_basis", derived.basis),
                            ("deadline_note", derived.note)):
            written = getattr(self, name)
            if written is not None and written != value:
                raise ValueError(f"{name} {written!r} disagrees with the rule for {self.deadline!r} ({value!r}); "
                                 "it is derived by indexer.corpus.deadlines — leave it out")
            setattr(self, name, value)
        return self


class LawItem(_Strict):
    """A 号 of a paragraph: its number, label as written (「一の二」) and offsets into the source."""

    num: int
    label: str
    start: int
    end: int


class LawParagraph(_Strict):
    """A 項: number (1 for the implicit first), offsets into the source, its 号."""

    num: int
    start: int
    end: int
    items: list[LawItem] = Field(default_factory=list)


class LawCite(_Strict):
    """A citation inside an article's text that resolves to an article held (indexer.corpus.references):
    its source span, the cited article's record id, and the 項 it names (None: the whole article)."""

    start: int
    end: int
    target: str
    paragraph: int | None = None


class LawSunset(_Strict):
    """The law's own expiry as its 附則 states it (indexer.laws.sunset): its articles are no longer in
    force after `date`, though e-Gov's archive still holds them."""

    date: str  # YYYY-MM-DD: the last day the law has effect (「…限り、その効力を失う」)
    article: str  # 「附則第三条」, 「附則第二項」


class LawRef(_Strict):
    """Where an article or 別表 record stands in its statute (derived by indexer.corpus.derived)."""

    law_id: str | None = None  # e-Gov law id (417AC0000000024), when known
    law_title: str
    law_number: str  # 法令番号: 平成十七年法律第二十四号
    article: str | None = None  # 「第五条」, 「附則第三条」; None for a 別表
    caption: str | None = None  # 「（地域再生計画の認定）」
    heading_path: list[str] = Field(default_factory=list)
    paragraphs: list[LawParagraph] = Field(default_factory=list)
    suppl_act: str | None = None  # the act a 附則 article belongs to
    effective: str | None = None  # this version's 施行日 (YYYY-MM-DD)
    versions: int = 1  # versions of the statute held in the corpus (cite the 施行日 when > 1)
    references: list[LawCite] = Field(default_factory=list)  # citations in the text, linked on the page
    sunset: LawSunset | None = None  # the law's own expiry, when its 附則 states one


class Record(_Strict):
    id: str
    kind: Kind
    title: str = Field(min_length=1)
    source: str = "chihou-sousei-2.0"
    section: str
    # A finer label inside the kind: a comparison row, a stance facet, a role's actor…
    category: str | None = None
    pillar: int | None = Field(default=None, ge=1, le=5)
    era: Era | None = None
    place: Place | None = None
    target: TargetSpec | None = None
    themes: list[str] = Field(default_factory=list)
    # data records: the primary statistical source (出典／資料／備考), verbatim.
    statistical_source: str | None = None
    quotes: list[Quote] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)
    # Derived records only: the statute fields of an article/table, the heading path of a passage.
    law: LawRef | None = None
    heading_path: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(f"id '{v}' must be a lower-case slug (a-z, 0-9, '-', '.')")
        return v

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        return "\n".join(q.text for q in self.quotes)
