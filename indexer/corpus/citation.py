"""Citations ready to paste into an official document."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.corpus.dates import japanese_date
from indexer.corpus.schema import Record
from indexer.corpus.sources import Source


@dataclass(frozen=True)
class Citation:
    source_title: str
    publisher: str
    date: str
    section: str
    quote: str
    statistical_source: str | None
    start: int
    end: int

    def plain(self) -> str:
        parts = [f"{self.publisher}『{self.source_title}』（{japanese_date(self.date)}）", self.section]
        text = "、".join(parts) + f"「{self.quote}」"
        if self.statistical_source:
            text += f"（原資料：{self.statistical_source}）"
        return text

    def markdown(self) -> str:
        md = f"> {self.quote}\n\n— {self.publisher}『{self.source_title}』（{japanese_date(self.date)}）、{self.section}"
        if self.statistical_source:
            md += f"。原資料：{self.statistical_source}"
        return md

    def as_dict(self) -> dict:
        return {
            "text": self.plain(), "markdown": self.markdown(), "source_title": self.source_title,
            "publisher": self.publisher, "date": self.date, "section": self.section,
            "statistical_source": self.statistical_source, "span": [self.start, self.end],
        }


def _one_line(text: str) -> str:
    # Slide text breaks lines mid-word; a citation quotes it as one run.
    return "".join(part.strip() for part in text.splitlines())


def cite(record: Record, source: Source) -> Citation:
    section = " ＞ ".join(s.label for s in source.section_path(record.section))
    first = record.quotes[0]
    quote = _one_line(first.text)
    if len(record.quotes) > 1:
        quote += "…"
    return Citation(
        source_title=source.title, publisher=source.publisher, date=source.date, section=section,
        quote=quote, statistical_source=record.statistical_source,
        start=min(q.start or 0 for q in record.quotes), end=max(q.end or 0 for q in record.quotes),
    )
