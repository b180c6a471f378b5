"""Citations ready to paste into an official document.

A citation quotes the record's substance verbatim, not just its heading:

- the whole record when it is short (≤ SHORT characters once its lines are joined)
  and always for a case (its description is what is cited) and a measure (its body);
- for a data record, its title and its statements (○ bullets, and sentences above
  the slide's ※ notes and sources); when they are long, only those that carry
  figures (a digit); a chart-only slide falls back to its labelled figures;
- otherwise the record's quotes in order up to LONG characters.

The quoted words are runs of the source: pieces that stand next to each other in
the source (nothing but whitespace between) are joined into one run, and an
omission between runs is written 「…」 (the source has no 「…」, so a run can be
found back in it). Every run is in `runs` so a test can find each one verbatim.

Format, plain: 発行主体『題名』（令和7年（2025年）6月13日）、章 ＞ 節、p.N「…」（原資料：…）（公式URL）/records/<id>
A statute's article is cited the way statutes are: 地域再生法（平成十七年法律第二十四号）第五条「…」（e-Gov URL）/records/<id>,
with 第一項 when one paragraph is cited and the version's 施行日 when the corpus holds more than one.
The permalink is the record's path; the web app puts its own base URL in front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.corpus.dates import japanese_date
from indexer.corpus.schema import Record
from indexer.corpus.sources import Source
from indexer.laws import int_to_kanji
from indexer.text.normalize import normalize_for_match

SHORT = 200
LONG = 200
# A data slide's statements are all quoted up to this length; beyond it, those with figures.
STATEMENTS = 300
OMISSION = "…"
# Labels a statistical-source line starts with; 「原資料：」 replaces them.
SOURCE_LABELS = re.compile(r"^\s*(?:（(?:出典|資料|備考)）|(?:出典|資料|備考)\s*[：:])\s*")
# Lines of a data slide that are not its statements: notes, sources, figure captions.
NOTE_LINE = re.compile(r"^\s*(?:※|（(?:出典|資料|備考)|(?:出典|資料|備考)\s*[：:]|[０-９0-9一二三．.]*図|（)")
BULLET = re.compile(r"^\s*[○◯◆◇●⇒•・]")
DIGIT = re.compile(r"[0-9０-９]")


@dataclass(frozen=True)
class Run:
    """One stretch of the source quoted without omission."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    source_title: str
    publisher: str
    date: str
    section: str
    runs: tuple[Run, ...]
    truncated: bool
    statistical_source: str | None
    permalink: str
    source_url: str | None
    page: str | None
    # 「地域再生法（平成十七年法律第二十四号）第五条」: set for statute records, replaces publisher/title/place.
    law_ref: str | None = None

    @property
    def quote(self) -> str:
        text = OMISSION.join(r.text for r in self.runs)
        return text + OMISSION if self.truncated else text

    @property
    def start(self) -> int:
        return min(r.start for r in self.runs)

    @property
    def end(self) -> int:
        return max(r.end for r in self.runs)

    @property
    def place(self) -> str:
        return "、".join(p for p in (self.section, self.page) if p)

    def _origin(self) -> str | None:
        if not self.statistical_source:
            return None
        return SOURCE_LABELS.sub("", _one_line(self.statistical_source)).rstrip("。")

    @property
    def origin(self) -> str | None:
        """The statistical source the record cites, as a citation names it (「原資料：」 without its label)."""
        return self._origin()

    def _official(self) -> str:
        # The document's official URL, as the Markdown form links it: in a pasted plain text it is the
        # address a reader can check the quote against (the permalink is this site's).
        return f"（{self.source_url}）" if self.source_url else ""

    def plain(self) -> str:
        if self.law_ref:
            return f"{self.law_ref}「{self.quote}」{self._official()}{self.permalink}"
        text = f"{self.publisher}『{self.source_title}』（{japanese_date(self.date)}）、{self.place}「{self.quote}」"
        if origin := self._origin():
            text += f"（原資料：{origin}）"
        return text + self._official() + self.permalink

    def markdown(self) -> str:
        if self.law_ref:
            ref = f"[{self.law_ref}]({self.source_url})" if self.source_url else self.law_ref
            return f"> {self.quote}\n\n— {ref}。 {self.permalink}"
        title = f"[{self.source_title}]({self.source_url})" if self.source_url else self.source_title
        md = f"> {self.quote}\n\n— {self.publisher}『{title}』（{japanese_date(self.date)}）、{self.place}"
        if origin := self._origin():
            md += f"。原資料：{origin}"
        return md + f"。 {self.permalink}"

    def as_dict(self) -> dict:
        return {
            "text": self.plain(), "markdown": self.markdown(), "quote": self.quote,
            "runs": [r.text for r in self.runs], "truncated": self.truncated,
            "source_title": self.source_title, "publisher": self.publisher, "date": self.date,
            "date_label": japanese_date(self.date), "section": self.section, "page": self.page,
            "statistical_source": self.statistical_source, "origin": self.origin, "permalink": self.permalink,
            "source_url": self.source_url, "span": [self.start, self.end], "law_ref": self.law_ref,
        }


@dataclass(frozen=True)
class _Piece:
    text: str
    start: int
    end: int
    quote: int


def _one_line(text: str) -> str:
    # Slide text breaks lines mid-word; a citation quotes it as one run.
    return "".join(part.strip() for part in text.splitlines())


def _quote_pieces(record: Record) -> list[_Piece]:
    return [_Piece(_one_line(q.text), q.start or 0, q.end or 0, i) for i, q in enumerate(record.quotes)]


def _is_stat_source(record: Record, piece: _Piece) -> bool:
    return bool(record.statistical_source) and normalize_for_match(piece.text) == normalize_for_match(record.statistical_source)


def _budget(pieces: list[_Piece], limit: int) -> tuple[list[_Piece], bool]:
    kept, used = [], 0
    for p in pieces:
        if kept and used + len(p.text) > limit:
            return kept, True
        kept.append(p)
        used += len(p.text)
    return kept, False


def _statements(rest: list[_Piece]) -> list[_Piece]:
    """Bullets anywhere, and sentences above the slide's notes (a note's continuation lines carry no ※)."""
    out, in_notes = [], False
    for p in rest:
        if NOTE_LINE.match(p.text):
            in_notes = True
        elif BULLET.match(p.text) or ("。" in p.text and not in_notes):
            out.append(p)
    return out


def _data_pieces(record: Record, body: list[_Piece]) -> tuple[list[_Piece], bool]:
    title, rest = body[0], body[1:]
    statements = _statements(rest)
    figures = [p for p in statements if DIGIT.search(p.text)]
    if figures and sum(len(p.text) for p in statements) > STATEMENTS:
        return [title, *figures], False
    if statements:
        return [title, *statements], False
    labelled = [p for p in rest if DIGIT.search(p.text) and not NOTE_LINE.match(p.text)]
    kept, cut = _budget(labelled, LONG)
    return [title, *kept], cut


def substance(source: Source, record: Record) -> tuple[list[_Piece], bool]:
    """The pieces of the record a citation quotes, in reading order, and whether some were left out at the end."""
    body = [p for p in _quote_pieces(record) if not _is_stat_source(record, p)] or _quote_pieces(record)
    if record.kind in ("case", "measure") or sum(len(p.text) for p in body) <= SHORT:
        return body, False
    if record.kind == "data":
        return _data_pieces(record, body)
    return _budget(body, LONG)


def _runs(source: Source, pieces: list[_Piece]) -> list[Run]:
    runs: list[Run] = []
    for p in pieces:
        if runs and source.text[runs[-1].end:p.start].strip() == "" and p.start >= runs[-1].end:
            prev = runs[-1]
            glue = "" if p.start == prev.end else " "
            runs[-1] = Run(prev.text + glue + p.text, prev.start, p.end)
        else:
            runs.append(Run(p.text, p.start, p.end))
    return runs


def _page_label(source: Source, start: int, end: int) -> str | None:
    first, last = source.page_of(start), source.page_of(max(start, end - 1))
    if first is None:
        return None
    return f"p.{first}" if first == last else f"p.{first}–{last}"


def law_reference(record: Record, paragraph: int | None = None) -> str | None:
    """「<法令名>（<法令番号>）第五条[第一項]」 (+ the 施行日 when several versions are held); None if not a statute record."""
    law = record.law
    if law is None:
        return None
    ref = f"{law.law_title}（{law.law_number}）{law.article or ''}"
    if paragraph is not None and law.article and not law.article.endswith("附則"):
        ref += f"第{int_to_kanji(paragraph)}項"
    if law.versions > 1 and law.effective:
        ref += f"（{japanese_date(law.effective)}施行のもの）"
    return ref


def cite(record: Record, source: Source, paragraph: int | None = None) -> Citation:
    """The record's citation; for a statute article, `paragraph` cites that one 項 alone."""
    if record.law is not None:
        para = next((p for p in record.law.paragraphs if p.num == paragraph), None) if paragraph else None
        if para is not None:
            runs = (Run(_one_line(source.text[para.start:para.end]), para.start, para.end),)
        else:
            pieces, _ = _quote_pieces(record), False
            runs = tuple(_runs(source, pieces))
        return Citation(
            source_title=source.title, publisher=source.publisher, date=source.date,
            section=" ＞ ".join(record.law.heading_path), runs=runs, truncated=False, statistical_source=None,
            permalink=f"/records/{record.id}", source_url=source.url, page=None,
            law_ref=law_reference(record, para.num if para is not None else None),
        )
    section = " ＞ ".join(s.label for s in source.section_path(record.section))
    pieces, truncated = substance(source, record)
    runs = tuple(_runs(source, pieces))
    return Citation(
        source_title=source.title, publisher=source.publisher, date=source.date, section=section,
        runs=runs, truncated=truncated, statistical_source=record.statistical_source,
        permalink=f"/records/{record.id}", source_url=source.url,
        page=_page_label(source, min(r.start for r in runs), max(r.end for r in runs)),
    )
