"""The parsed shape of a statute: frozen dataclasses whose offsets point into the original text.

Every `start`/`end` pair is a Python string slice of the text given to `parse_statute`
(code points, not bytes): `text[x.start:x.end]` is exactly that element, first label
character to last non-blank character. Decisions, taken on the 21 statutes of shared/laws:

- An article's span starts at its label (「第五条」), not at its caption: a caption
  (「（目的）」) sits on its own line before the label and has its own `caption_span`.
  Paragraph 1 starts at the article label too, since its number is implicit.
- 附則 blocks: the first block belongs to the original act (`SupplBlock.act is None`); each
  later block belongs to the amending act named in its heading. Articles of a block get the
  label 「附則第三条」 and a key that names the act (`suppl-h20-36-3`) so that ids stay stable
  when a new amending act adds a block. A block written as bare paragraphs (「１ この法律は…」,
  or one unnumbered sentence) becomes one article labelled 「附則」 keyed `suppl[-<act>]`.
- 削除 articles keep their line: 「第五条　削除」 is one deleted article, and the ranges
  「第十条から第十二条まで　削除」/「第百十条及び第百十一条　削除」/「第二十条乃至第七十三条　削除」
  are one deleted article each (key "10-to-12", "110-and-111"), as a line counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


class StatuteParseError(ValueError):
    """The text is not a statute this parser can structure; `line` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Item:
    """A 号: 「一」, 「一の二」, or an excerpt range 「一から三まで」 (num is its first number)."""

    num: int
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A 項. `num` is 1 for the implicit first paragraph; circled ② and ２ both give 2."""

    num: int
    start: int
    end: int
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Article:
    """A 条 of the main provisions or of a 附則 block.

    key: slug fragment, unique in the statute: "5", "17-24", "10-to-12", "suppl-3" (original
    附則), "suppl-h20-36-3" (附則 of 平成二十年法律第三十六号), "suppl-h26-128" (a 附則 made of
    bare paragraphs). suppl_act: None for main provisions; the law number of the act the 附則
    belongs to otherwise (the statute's own number for the original 附則).
    """

    label: str
    key: str
    caption: str | None
    heading_path: list[str]
    start: int
    end: int
    deleted: bool
    suppl_act: str | None
    paragraphs: list[Paragraph]
    caption_span: tuple[int, int] | None = None
    line: int = 0

    @property
    def in_suppl(self) -> bool:
        return self.suppl_act is not None

    def paragraph(self, num: int) -> Paragraph | None:
        return next((p for p in self.paragraphs if p.num == num), None)


@dataclass(frozen=True)
class Heading:
    """A 編/章/節/款/目 heading of the body (not the 目次 line that lists it)."""

    level: str  # 編 | 章 | 節 | 款 | 目
    label: str  # 「第二章　地域再生計画の認定等」 as written
    start: int
    end: int
    line: int = 0


@dataclass(frozen=True)
class SupplBlock:
    """One 附則 block. act: 「平成二十年法律第三十六号」 (place-value form) or None for the original."""

    label: str
    act: str | None
    act_key: str | None  # "h20-36": the stable slug of `act`
    excerpt: bool  # 抄: e-Gov prints only part of the amending act's 附則
    start: int
    end: int
    line: int = 0


@dataclass(frozen=True)
class TableRow:
    start: int
    end: int
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A 別表. label 「別表第一」 (or 「別表」), title the rest of its heading line."""

    label: str
    title: str
    start: int
    end: int
    rows: list[TableRow]
    line: int = 0


@dataclass(frozen=True)
class Statute:
    title: str
    law_number: str
    articles: list[Article]
    tables: list[Table]
    suppl_blocks: list[SupplBlock]
    toc: list[Heading]
    # The text the offsets point into; kept so that references can be read from the statute.
    text: str = field(default="", repr=False, compare=False)

    def article(self, key: str) -> Article | None:
        """The article with this key ("5", "suppl-h20-36-3"), if any."""
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Article]:
        # cached_property writes the instance __dict__ directly, which a frozen dataclass allows.
        return {a.key: a for a in self.articles}

    @property
    def main_articles(self) -> list[Article]:
        return [a for a in self.articles if a.suppl_act is None]
