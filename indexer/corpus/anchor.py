"""Fill in the character offsets of quotes in the record files.

Curators write a quote's words; this finds where they stand in the source and
writes start/end back. A quote whose words occur more than once (slide titles
repeat) goes to the occurrence after the previous quote of the file, or to the
one nearest a `start` the curator wrote as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from indexer.corpus.sources import Source, load_sources


@dataclass
class AnchorReport:
    file: str
    filled: int
    ambiguous: list[str]
    missing: list[str]


def _pick(spans: list[tuple[int, int]], hint: int | None, cursor: int) -> tuple[int, int]:
    if hint is not None:
        return min(spans, key=lambda s: abs(s[0] - hint))
    after = [s for s in spans if s[0] >= cursor]
    return after[0] if after else spans[0]


class _Dumper(yaml.SafeDumper):
    pass


def _str_repr(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_repr)


def dump_records_file(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def anchor_file(path: Path, sources: dict[str, Source], *, write: bool = True) -> AnchorReport:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    filled, ambiguous, missing = 0, [], []
    cursor = 0
    for raw in data.get("records", []):
        src = sources.get(raw.get("source", "chihou-sousei-2.0"))
        if src is None:
            continue
        quotes = raw.get("quotes", [])
        for i, q in enumerate(quotes):
            q = {"text": q} if isinstance(q, str) else dict(q)
            start, end = q.get("start"), q.get("end")
            if start is not None and end is not None and src.span_matches(q["text"], start, end):
                quotes[i] = {"text": q["text"], "start": start, "end": end}
                cursor = end
                continue
            spans = src.find_all(q["text"])
            if not spans:
                missing.append(f"{raw.get('id')}: {q['text'][:40]!r}")
                quotes[i] = q
                continue
            if len(spans) > 1 and start is None:
                ambiguous.append(f"{raw.get('id')}: {q['text'][:30]!r} ×{len(spans)}")
            s, e = _pick(spans, start, cursor)
            quotes[i] = {"text": q["text"], "start": s, "end": e}
            cursor = e
            filled += 1
    if write and filled:
        path.write_text(dump_records_file(data), encoding="utf-8")
    return AnchorReport(str(path), filled, ambiguous, missing)


def anchor_corpus(corpus_dir: Path, *, write: bool = True) -> list[AnchorReport]:
    sources = load_sources(corpus_dir / "sources")
    return [anchor_file(p, sources, write=write) for p in sorted((corpus_dir / "records").glob("*.yaml"))]
