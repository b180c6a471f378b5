"""Typed records of the knowledge base.

A record is what the YAML files under corpus/records/ hold, one list item each.
Its `text` is not written by hand: it is the record's quotes joined in reading
order, so what is shown and cited is always the document's own words.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from indexer.corpus.prefectures import normalize_prefecture

KINDS = ("data", "comparison", "stance", "pillar", "measure", "target", "role", "case", "note")
ERAS = ("kaizoron", "1.0", "2.0")
ERA_LABELS = {"kaizoron": "日本列島改造論", "1.0": "地方創生1.0", "2.0": "地方創生2.0"}
KIND_LABELS = {
    "data": "データ", "comparison": "比較表", "stance": "基本姿勢・視点", "pillar": "政策の柱",
    "measure": "施策", "target": "目標・KPI", "role": "役割・進め方", "case": "好事例", "note": "注記",
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
)

Kind = Literal["data", "comparison", "stance", "pillar", "measure", "target", "role", "case", "note"]
Era = Literal["kaizoron", "1.0", "2.0"]
LinkType = Literal["pillar", "measure", "pair", "counterpart", "illustrates", "motivates", "related"]
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


class TargetSpec(_Strict):
    """Fields parsed from a target's wording, where the wording has them."""

    metric: str | None = None
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    deadline: str | None = None
    deadline_year: int | None = None
    type: Literal["numeric", "qualitative", "milestone"]


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
