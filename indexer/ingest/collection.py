"""Registering a whole archive or folder of laws: `policykb ingest ARCHIVE_OR_DIR`.

Streaming: the archive is read in one pass and each file parsed in a pool of worker processes
(the parser is pure Python; two cores, two workers). The reader hands the pool at most
MAX_BYTES_IN_FLIGHT of unparsed text (indexer.limits), so memory holds a few files at a time
however fast the archive decompresses. Nothing is copied into the repository: each document is
registered by path, member and sha256 (indexer.corpus.collections), and the build reads it from
there; the files read are stamped (size, mtime, sha256) so a build notices when one changes.

Unlike a single file, a bad file never stops the run (a line names it and the reason):
- a member larger than MAX_TEXT_BYTES (from its header, before it is read), with NUL bytes, not
  UTF-8, or empty; a symbolic link, device or FIFO in a folder (indexer.corpus.files);
- a text that is not a statute this parser can structure is registered as passages, with the
  line and reason reported (e-Gov holds 太政官布告 with no 法令番号 line, and some amended laws
  whose numbering the parser rejects: 17 % of the archive);
- a statute already registered under its 法令ID, in a file without an e-Gov name (so without a 施行日);
- a file of another kind (.xml, images) is counted and skipped unread.
What stops the run, with nothing written: a damaged or truncated archive, an archive past
MAX_ARCHIVE_BYTES or MAX_ARCHIVE_FILES, a path that is not a regular file or folder.
Ingesting an archive or folder again replaces what was registered from it.
One current version per law id: the newest 施行日 (from the e-Gov file name) is current.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from indexer.corpus.collections import ExternalDoc, load_register, stamp_files, write_register
from indexer.corpus.files import Backpressure, Item, RefusedFile, Stamp, iter_files, stamp_of
from indexer.corpus.sources import load_sources
from indexer.ingest.add import EGOV_NAME, _doc_title, _slug
from indexer.ingest.errors import IngestError, RefusedInput
from indexer.laws import StatuteParseError, parse_statute, suppl_act_key
from indexer.limits import MAX_BYTES_IN_FLIGHT
from indexer.text.extracted import ExtractedText
from indexer.text.passages import split_passages

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


def _examine_item(item: Item) -> tuple[str, tuple[dict | None, str | None]]:
    return item.name, examine((item.member, item.name, item.data))


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


def _skip(name: str) -> str | None:
    """Why a file is not read: only .md and .txt texts are."""
    if name.endswith(TEXT_SUFFIXES):
        return None
    return f"not a text file ({Path(name).suffix or 'no suffix'}); skipped"


def _same_statute(held: list[ExternalDoc], docs: list[ExternalDoc], report: Report) -> list[ExternalDoc]:
    """A statute in a file without an e-Gov name gets the 法令ID of the one registered with its 法令番号.

    Its law_key is then the id's, so it is recognised whatever its file name; without a 施行日
    (which only an e-Gov name gives here) it cannot be placed among the versions: skipped.
    """
    by_number = {d.law_number: d for d in [*held, *docs] if d.law_id and d.law_number}
    out = []
    for d in docs:
        known = by_number.get(d.law_number) if d.law_number and not d.law_id else None
        if known is None:
            out.append(d)
            continue
        if not d.effective:
            report.skipped.append(f"{d.where}: the statute {known.id} (法令番号 {d.law_number}), already registered "
                                  f"from {known.where}; no 施行日 in its name to place it as a version; skipped")
            continue
        out.append(replace(d, law_id=known.law_id, law_key=known.law_key))
    return out


def ingest_collection(path: Path, corpus_dir: Path, *, collection: str = "laws", progress: bool = True,
                      follow_symlinks: bool = False) -> Report:
    """Register every text file of `path` (a .tar[.xz|.gz|.bz2] archive, a folder, or one file).

    Raises IngestError (one line naming the file; nothing written) for what stops the run.
    """
    path = Path(os.path.abspath(path))
    if follow_symlinks:  # the operator named the link: read what it points to, from there on
        path = Path(os.path.realpath(path))
    elif path.is_symlink():
        raise RefusedInput(path, "a symbolic link; refused (--follow-symlinks reads what it points to)")
    if not path.exists():
        raise RefusedInput(path, "no such file or folder")
    report = Report()
    held = {d.id: d for d in load_register(corpus_dir, collection)}
    held_by_bytes = {(d.path, d.member, d.sha256): d for d in held.values()}
    regional: dict[str, str] = {}
    if (corpus_dir / "sources").is_dir():
        regional = {s.sha256: s.id for s in load_sources(corpus_dir / "sources").values()}
    stamps: dict[str, Stamp] = {}
    pressure = Backpressure(MAX_BYTES_IN_FLIGHT)

    stopped: list[RefusedFile] = []

    def items():
        # Runs on the pool's feeder thread: what stops the run is kept and raised on this one.
        try:
            yield from checked()
        except RefusedFile as exc:
            stopped.append(exc)

    def checked():
        for item in iter_files(path, follow_symlinks=follow_symlinks, skip=_skip):
            report.files += 1
            if item.data is None:
                report.skipped.append(f"{item.name}: {item.problem}")
                continue
            if path.is_dir():
                file = str(path / item.member)
                stamps[file] = stamp_of(file, hashlib.sha256(item.data).hexdigest())
            yield item

    bar = None
    if progress:
        # Redrawn in a terminal; in a log, one line every 30 s is enough.
        bar = tqdm(desc="policykb ingest", unit=" files", file=sys.stderr, dynamic_ncols=True,
                   mininterval=0.2 if sys.stderr.isatty() else 30)
    scanned: list[ExternalDoc] = []
    try:
        with get_context("fork" if sys.platform != "win32" else "spawn").Pool(POOL) as pool:
            try:
                fed = pressure.feed(items(), key=lambda it: it.name, size=lambda it: len(it.data))
                for name, (entry, problem) in pool.imap(_examine_item, fed, chunksize=1):
                    pressure.done(name)
                    if bar is not None:
                        bar.update(1)
                    if entry is None:
                        report.skipped.append(problem or "?")
                        continue
                    doc = ExternalDoc(id=_doc_id(entry), path=str(path), **entry)
                    doc.regional = regional.get(doc.sha256)
                    if doc.problem:
                        report.as_passages.append(f"{doc.where}: {doc.problem}; registered as passages")
                    before = held_by_bytes.get((doc.path, doc.member, doc.sha256))
                    if before is not None:
                        report.unchanged += 1
                        doc = before
                    scanned.append(doc)
            finally:
                pressure.close()
        if stopped:
            raise stopped[0]
    except RefusedFile as exc:
        raise RefusedInput(exc.path, exc.reason) from None
    finally:
        if bar is not None:
            bar.close()
    if path.is_file():
        stamps[str(path)] = stamp_of(path)
    # What was registered from this path before is replaced by what it holds now.
    merged = {k: d for k, d in held.items() if d.path != str(path)}
    scanned = _same_statute(list(merged.values()), scanned, report)
    for d in scanned:
        base, n = d.id, 2
        while d.id in merged and merged[d.id].sha256 != d.sha256:
            d = replace(d, id=f"{base}-{n}")
            n += 1
        merged[d.id] = d
    report.added = len(scanned) - report.unchanged
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
    stamp_files(corpus_dir, collection, stamps, {str(path)})
    return report
