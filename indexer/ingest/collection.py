"""Registering a whole archive or folder of laws: `policykb ingest ARCHIVE_OR_DIR`.

Streaming: the archive is read in one pass and each file parsed in a pool of worker processes
(the parser is pure Python; two cores, two workers), so memory holds a few files at a time.
Nothing is copied into the repository: each document is registered by path, member and sha256
(indexer.corpus.collections), and the build reads it from there.

Unlike a single file, a bad file never stops the run:
- a text that is not UTF-8, or is empty, is reported (file, reason) and skipped;
- a text that is not a statute this parser can structure is registered as passages, with the
  line and reason reported (e-Gov holds 太政官布告 with no 法令番号 line, and some amended laws
  whose numbering the parser rejects: 17 % of the archive);
- a file of another kind (.xml, images) is counted and skipped.
One current version per law id: the newest 施行日 (from the e-Gov file name) is current.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

from indexer.corpus.collections import ExternalDoc, iter_files, load_register, write_register
from indexer.ingest.add import EGOV_NAME, _doc_title, _slug

TEXT_SUFFIXES = (".md", ".txt")
POOL = 2


@dataclass
class Report:
    """What one archive ingest did, for the summary line and the list of problems."""

    files: int = 0
    added: int = 0
    unchanged: int = 0
    counts: Counter = field(default_factory=Counter)  # laws, statutes, passages-docs, articles, passages
    skipped: list[str] = field(default_factory=list)   # "<file>: reason" — not registered
    as_passages: list[str] = field(default_factory=list)  # "<file>: line N: reason" — registered as passages
    register: Path | None = None

    def summary(self) -> str:
        c = self.counts
        return (f"{self.files} files: {c['laws']} laws ({c['current']} current, {c['version']} older versions) — "
                f"{c['statute']} structured into {c['articles']} articles, {c['passages_docs']} held as "
                f"{c['passages']} passages; {len(self.skipped)} skipped; {self.added} new, {self.unchanged} already registered")


def examine(item: tuple[str | None, str, bytes]) -> tuple[dict | None, str | None]:
    """(entry fields, None) for a text file; (None, reason) for one that cannot be registered.

    Runs in a worker process: parse and count here, send back only the small result.
    """
    from indexer.ingest.extracted import ExtractedText
    from indexer.ingest.passages import split_passages
    from indexer.laws import StatuteParseError, parse_statute

    member, name, data = item
    stem = Path(member or name).stem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"{name}: not UTF-8 text (byte {exc.start}); skipped"
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, f"{name}: empty; skipped"
    entry: dict = {"member": member, "sha256": hashlib.sha256(data).hexdigest(), "chars": len(text)}
    m = EGOV_NAME.match(stem)
    if m:
        d = m["date"]
        entry.update(law_id=m["law_id"], law_key=m["law_id"].lower(), effective=f"{d[:4]}-{d[4:6]}-{d[6:]}")
    statute = None
    # Every file is tried: in the archive, 37 % of the texts that `looks_like_statute` doubts
    # (法令番号 further down than it looks) parse whole, and a failure names its line.
    try:
        statute = parse_statute(text)
    except StatuteParseError as exc:
        entry["problem"] = f"line {exc.line}: {exc.reason}"
    if statute is not None:
        entry.update(form="statute", title=statute.title, law_number=statute.law_number,
                     articles=sum(1 for a in statute.articles if not a.deleted))
        if not entry.get("law_key"):
            from indexer.laws import suppl_act_key

            try:
                entry["law_key"] = suppl_act_key(statute.law_number)
            except ValueError:
                entry["law_key"] = _slug(stem)
    else:
        doc = ExtractedText(path=Path(name), text=text, format="markdown" if (member or name).endswith(".md") else "text")
        entry.update(form="passages", title=_doc_title(doc),
                     passages=sum(1 for p in split_passages(doc) if p.text.strip()))
        entry.setdefault("law_key", _slug(stem))
    return entry, None


def _doc_id(entry: dict) -> str:
    eff = (entry.get("effective") or "").replace("-", "")
    return f"law-{entry['law_key']}" + (f"-{eff}" if eff else "")


def _mark_versions(docs: list[ExternalDoc]) -> None:
    """The newest 施行日 of each law key is current; the older ones are versions of it."""
    by_key: dict[str, list[ExternalDoc]] = {}
    for d in docs:
        by_key.setdefault(d.law_key or d.id, []).append(d)
    for group in by_key.values():
        group.sort(key=lambda d: (d.effective or "", d.id), reverse=True)
        group[0].status = "current"
        group[0].versions = [d.id for d in group[1:]]
        for d in group[1:]:
            d.status, d.versions = "version", []


def ingest_collection(path: Path, corpus_dir: Path, *, collection: str = "laws", progress: bool = True) -> Report:
    """Register every text file of `path` (a .tar[.xz|.gz|.bz2] archive, a folder, or one file)."""
    from indexer.corpus.sources import load_sources

    path = Path(path).resolve()
    if not path.exists():
        from indexer.ingest.errors import IngestError

        raise IngestError(path, "no such file or folder")
    report = Report()
    held = {d.id: d for d in load_register(corpus_dir, collection)}
    held_bytes = {(d.path, d.member, d.sha256) for d in held.values()}
    regional: dict[str, str] = {}
    if (corpus_dir / "sources").is_dir():
        regional = {s.sha256: s.id for s in load_sources(corpus_dir / "sources").values()}

    def items():
        for member, name, data in iter_files(path):
            report.files += 1
            if not (member or name).endswith(TEXT_SUFFIXES):
                report.skipped.append(f"{name}: not a text file ({Path(member or name).suffix or 'no suffix'}); skipped")
                continue
            yield member, name, data

    bar = None
    if progress:
        from tqdm import tqdm

        # Redrawn in a terminal; in a log, one line every 30 s is enough.
        bar = tqdm(desc="policykb ingest", unit=" files", file=sys.stderr, dynamic_ncols=True,
                   mininterval=0.2 if sys.stderr.isatty() else 30)
    new: list[ExternalDoc] = []
    with get_context("fork" if sys.platform != "win32" else "spawn").Pool(POOL) as pool:
        for entry, problem in pool.imap(examine, items(), chunksize=4):
            if bar is not None:
                bar.update(1)
            if entry is None:
                report.skipped.append(problem or "?")
                continue
            doc = ExternalDoc(id=_doc_id(entry), path=str(path), **entry)
            doc.regional = regional.get(doc.sha256)
            if doc.problem:
                report.as_passages.append(f"{doc.where}: {doc.problem}; registered as passages")
            if (doc.path, doc.member, doc.sha256) in held_bytes:
                report.unchanged += 1
                continue
            new.append(doc)
    if bar is not None:
        bar.close()
    merged = dict(held)
    for d in new:
        base, n = d.id, 2
        while d.id in merged and merged[d.id].sha256 != d.sha256:
            d = replace(d, id=f"{base}-{n}")
            n += 1
        merged[d.id] = d
    report.added = len(new)
    docs = list(merged.values())
    _mark_versions(docs)
    c = report.counts
    for d in docs:
        if d.status != "current":
            c["version"] += 1
            continue
        c["current"] += 1
        if d.form == "statute":
            c["statute"] += 1
            c["articles"] += d.articles
        else:
            c["passages_docs"] += 1
            c["passages"] += d.passages
    c["laws"] = len({d.law_key or d.id for d in docs})
    report.register = write_register(corpus_dir, collection, docs)
    return report
