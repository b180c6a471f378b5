"""Records derived at load time from ingested sources: never written as YAML, never hand-edited.

- A statute (source `kind: statute`) gives one `article` record per 条, 附則 articles included
  (keyed by the act that enacted their block), and its 別表 as `table` records: one per table,
  or one per row when the table is large (地方自治法 別表第一 has 228 rows), each row quoted
  with its header row. 削除 articles are skipped: they hold no text to find or cite.
- Any other ingested document (`kind: document`) gives `passage` records from split_passages.
- Only the current version of a statute gives records, so ids stay stable across versions:
  `law-<law id lower-cased>-art<key>` (art5, art17-24, art-suppl-h20-36-3), `…-table1[-row5]`;
  passages are `doc-<source id>-p<n>`.
- Every record quotes its exact span of the source (the whole article), so text, offsets and
  citations work as for curated records. Sections are registered on the Source from the heading
  path, so section paths and citations need nothing special.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer.corpus.schema import LawItem, LawParagraph, LawRef, Quote, Record
from indexer.corpus.sources import Section, Source
from indexer.laws import Statute, parse_statute
from indexer.laws.sunset import sunset_of
from indexer.text.extracted import ExtractedText
from indexer.text.passages import split_passages

#: A 別表 with more data rows than this becomes one record per row.
LARGE_TABLE_ROWS = 30
ROOT_LABEL = {"statute": "本則", "document": "本文"}


def source_kind(src: Source) -> str | None:
    """'statute' or 'document' for an ingested source; None for a curated one (the seed)."""
    kind = src.meta.get("kind")
    return kind if kind in ("statute", "document") else None


def _section_for(src: Source, path: list[str], root: str) -> str:
    """The id of the section whose path of labels is `path`, registered on the source when new."""
    if not path:
        sid = "root"
        src.sections.setdefault(sid, Section(sid, root, None))
        return sid
    parent: str | None = None
    for depth in range(1, len(path) + 1):
        # A digest, not hash(): string hashing is salted per process and ids must be stable.
        sid = "h-" + hashlib.sha1("\x1f".join(path[:depth]).encode()).hexdigest()[:10]
        if sid not in src.sections:
            src.sections[sid] = Section(sid, path[depth - 1], parent)
        parent = sid
    return parent  # type: ignore[return-value]


def _art_slug(key: str) -> str:
    return f"art{key}" if key[:1].isdigit() else f"art-{key}"


def article_record_id(law_key: str, article_key: str) -> str:
    """The stable id of an article's record: law-417ac0000000024-art5, …-art17-24, …-art-suppl-h20-36-3."""
    return f"law-{law_key}-{_art_slug(article_key)}"


def statute_records(src: Source, versions: int = 1, statute: Statute | None = None) -> list[Record]:
    """The records of a statute source; `statute`: its text already parsed (the 全法令 build reads
    its citations from the same parse)."""
    text = src.text
    statute = statute if statute is not None else parse_statute(text)
    meta = src.meta
    key = meta.get("law_key") or src.id
    title = statute.title
    base = {"law_id": meta.get("law_id"), "law_title": title, "law_number": statute.law_number,
            "effective": str(meta["effective"]) if meta.get("effective") else None, "versions": versions}
    if (sunset := sunset_of(statute)) is not None:
        base["sunset"] = sunset.as_dict()  # every article and 別表 says the law has a last day
    out: list[Record] = []
    seen: set[str] = set()
    for art in statute.articles:
        if art.deleted:
            continue
        rid = article_record_id(key, art.key)
        if rid in seen:  # the parser promises unique keys; keep ids unique whatever happens
            continue
        seen.add(rid)
        paragraphs = [LawParagraph(num=p.num, start=p.start, end=p.end,
                                   items=[LawItem(num=i.num, label=i.label, start=i.start, end=i.end) for i in p.items])
                      for p in art.paragraphs]
        law = LawRef(**base, article=art.label, caption=art.caption, heading_path=list(art.heading_path),
                     paragraphs=paragraphs, suppl_act=art.suppl_act)
        out.append(Record(
            id=rid, kind="article", title=f"{title} {art.label}{art.caption or ''}", source=src.id,
            section=_section_for(src, list(art.heading_path), ROOT_LABEL["statute"]),
            quotes=[Quote(text=text[art.start:art.end], start=art.start, end=art.end)],
            law=law, heading_path=list(art.heading_path),
        ))
    for n, table in enumerate(statute.tables, start=1):
        label = f"{table.label}{table.title}".strip()
        section = _section_for(src, [table.label], ROOT_LABEL["statute"])
        law = LawRef(**base, article=table.label, caption=table.title or None, heading_path=[table.label])
        header = [r for r in table.rows if r.header]
        data = [r for r in table.rows if not r.header]
        tid = f"law-{key}-table{n}"
        if len(data) <= LARGE_TABLE_ROWS:
            out.append(Record(id=tid, kind="table", title=f"{title} {label}", source=src.id, section=section,
                              quotes=[Quote(text=text[table.start:table.end], start=table.start, end=table.end)],
                              law=law, heading_path=[table.label]))
            continue
        for m, row in enumerate(data, start=1):
            quotes = [Quote(text=text[h.start:h.end], start=h.start, end=h.end) for h in header[:1]]
            quotes.append(Quote(text=text[row.start:row.end], start=row.start, end=row.end))
            first_cell = next((c.strip() for c in text[row.start:row.end].split("|") if c.strip()), "")
            out.append(Record(id=f"{tid}-row{m}", kind="table", title=f"{title} {table.label} {first_cell[:40]}".rstrip(),
                              source=src.id, section=section, quotes=quotes, law=law, heading_path=[table.label]))
    return out


def passage_records(src: Source) -> list[Record]:
    doc = ExtractedText(path=Path(src.path), text=src.text, format=str(src.meta.get("format") or "text"),
                        page_starts=list(src.meta.get("page_starts") or []))
    out = []
    for n, p in enumerate(split_passages(doc), start=1):
        if not p.text.strip():
            continue
        head = p.heading_path[-1] if p.heading_path else None
        title = f"{src.short_title} {head}" if head and head != src.short_title else f"{src.short_title}（{n}）"
        out.append(Record(
            id=f"doc-{src.id.removeprefix('doc-')}-p{n}", kind="passage", title=title, source=src.id,
            section=_section_for(src, list(p.heading_path), ROOT_LABEL["document"]),
            quotes=[Quote(text=p.text, start=p.start, end=p.end)], heading_path=list(p.heading_path),
        ))
    return out


def derive_records(sources: dict[str, Source]) -> tuple[list[Record], list[str]]:
    """Records of every ingested source, and problems (one line each) for sources that fail."""
    versions: dict[str, int] = {}
    for src in sources.values():
        if source_kind(src) == "statute":
            k = src.meta.get("law_key") or src.id
            versions[k] = versions.get(k, 0) + 1
    records: list[Record] = []
    problems: list[str] = []
    for src in sources.values():
        kind = source_kind(src)
        if kind is None or src.meta.get("superseded_by") or not src.path.exists():
            continue
        try:
            if kind == "statute":
                records += statute_records(src, versions.get(src.meta.get("law_key") or src.id, 1))
            else:
                records += passage_records(src)
        except ValueError as exc:  # StatuteParseError is one; pydantic's ValidationError too
            problems.append(f"{src.id}: {' '.join(str(exc).split())[:300]}")
    return records, problems
