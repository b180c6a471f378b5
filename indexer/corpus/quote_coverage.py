"""How much of each source the records quote, and which lines no record covers.

Chart axis ticks and bare numbers are layout noise of the slide extraction, not
content, so lines made only of digits, punctuation and units are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.corpus.loader import Corpus
from indexer.corpus.sources import Source
from indexer.text.normalize import normalize_for_match

_NOISE = re.compile(r"^[\s0-9０-９.,，．%％()（）年万人件校〜~～\-－ー：:]*$")


@dataclass
class Coverage:
    source_id: str
    content_chars: int
    covered_chars: int
    uncovered_lines: list[tuple[int, str]]

    @property
    def ratio(self) -> float:
        return self.covered_chars / self.content_chars if self.content_chars else 1.0


def coverage(corpus: Corpus, source: Source) -> Coverage:
    covered = bytearray(len(source.text))
    for rec in corpus.records:
        if rec.source != source.id:
            continue
        for q in rec.quotes:
            if q.start is not None and q.end is not None:
                covered[q.start:q.end] = b"\x01" * (q.end - q.start)
        for extra in filter(None, [rec.statistical_source]):
            for s, e in source.find_all(extra):
                covered[s:e] = b"\x01" * (e - s)
    content = done = 0
    uncovered: list[tuple[int, str]] = []
    pos = 0
    for lineno, line in enumerate(source.text.split("\n"), start=1):
        start, pos = pos, pos + len(line) + 1
        if _NOISE.match(line):
            continue
        chars = [i for i, ch in enumerate(line, start) if normalize_for_match(ch)]
        hit = sum(covered[i] for i in chars)
        content += len(chars)
        done += hit
        if hit < len(chars):
            uncovered.append((lineno, line))
    return Coverage(source.id, content, done, uncovered)
