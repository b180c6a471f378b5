"""A record's text as its page shows it: lines with their source offsets, grouped by 項 for an
article, and the citations in an article's text as links.

Pure functions over a stored record dict (indexer.corpus.export.record_dict), so the web app
renders what it is given and never cuts text itself. Each line's `start` is the source offset of
its first character: the page writes it on the line (data-at), and the selection bar turns a
selection into source offsets for /api/cite from it. A line's pieces, joined, are exactly the
line's text, so the offsets a browser counts in them are the source's.
"""

from __future__ import annotations

from collections.abc import Callable

from indexer.laws import int_to_kanji

_BLANK = " \t\r\f\v\u3000\xa0"


def _lines(text: str, base: int | None) -> list[tuple[int | None, str]]:
    """(source offset or None, text) of each non-blank line, blanks at both ends left out."""
    out, pos = [], 0
    for raw in text.split("\n"):
        lead = len(raw) - len(raw.lstrip(_BLANK))
        line = raw.strip(_BLANK)
        if line:
            out.append((None if base is None else base + pos + lead, line))
        pos += len(raw) + 1
    return out


def _pieces(start: int | None, line: str, cites: list[dict], held: Callable[[str], bool]) -> list[dict]:
    """The line cut at the citations inside it: {text} or {text, target, paragraph}."""
    if start is None:
        return [{"text": line}]
    end = start + len(line)
    out, at = [], start
    for c in cites:
        if c["start"] < at or c["end"] > end or not held(c["target"]):
            continue  # outside this line, overlapping the one before, or no page to go to
        if c["start"] > at:
            out.append({"text": line[at - start:c["start"] - start]})
        out.append({"text": line[c["start"] - start:c["end"] - start], "target": c["target"],
                    "paragraph": c.get("paragraph")})
        at = c["end"]
    if at < end:
        out.append({"text": line[at - start:]})
    return out


def text_layout(rec: dict, held: Callable[[str], bool]) -> list[dict]:
    """Blocks of the record's text: [{num, label, anchor, lines: [{start, pieces}]}].

    An article of several 項 gives one block per 項 (anchor 「para-N」, label 「第N項」); any other
    record one block per quote without a label. `held(record id)`: whether a cited article has a
    page (a citation of an article that has none stays text).
    """
    law = rec.get("law") or {}
    cites = sorted(law.get("references") or [], key=lambda c: (c["start"], c["end"]))
    quotes = rec.get("quotes") or []
    paragraphs = law.get("paragraphs") or []
    if rec.get("kind") == "article" and len(paragraphs) > 1 and len(quotes) == 1 and quotes[0].get("start") is not None:
        text, base = quotes[0]["text"], quotes[0]["start"]
        return [{"num": p["num"], "label": f"第{int_to_kanji(p['num'])}項", "anchor": f"para-{p['num']}",
                 "lines": [{"start": s, "pieces": _pieces(s, line, cites, held)}
                           for s, line in _lines(text[p["start"] - base:p["end"] - base], p["start"])]}
                for p in paragraphs]
    blocks = []
    for q in quotes:
        lines = _lines(q["text"], q.get("start"))
        blocks.append({"num": None, "label": None, "anchor": None,
                       "lines": [{"start": s, "pieces": _pieces(s, line, cites, held)} for s, line in lines]})
    return blocks
