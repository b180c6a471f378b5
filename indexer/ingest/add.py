"""Adding documents to the corpus: `policykb ingest PATH...`.

A document becomes a byte-identical copy under corpus/sources/ and a metadata YAML beside it in
the shape of the seed's (id, file, sha256, title, publisher, date, url, outline) plus `format`
and `kind` (statute | document); a statute also gets `law_number` (法令番号), `law_id` (e-Gov id,
from a file name <lawid>_<YYYYMMDD>_<amending act>.md when present) and `effective` (施行日).
Its records are not written: they are derived from the text at load time
(indexer.corpus.derived), so ingest never touches the curated records.

Decisions:
- A statute is told by structure (`looks_like_statute`), whatever the file format, so a PDF of
  a statute gives the articles its text gives. A statute that looks like one but does not parse
  is ingested as a document of passages, with a warning naming the line.
- A PDF's extracted text is stored as the source text (`<stem>.txt`: offsets point into it);
  the PDF itself is copied too, its name and sha256 kept as `original_file`/`original_sha256`.
- Everything is checked before anything is written, so refused input leaves the corpus as it
  was; the files of one document are written to temporary names and renamed last.
- A statute is recognised by its 法令番号 whatever its file name or encoding: a file without an
  e-Gov name takes the 法令ID of the statute held with the same 法令番号. Without a 施行日
  (file name or --effective) it is refused as already held; with a newer one it is a new version.
- A later version of a statute already held (same law_id, or same 法令番号 when the id is not
  known) becomes current; the older keeps its files and gets `superseded_by`.
- Only a regular file is read, once (indexer.corpus.files: a symbolic link only with
  --follow-symlinks, never a device or FIFO, within indexer.limits), and what is written is the
  bytes that were checked. File names that would be odd in corpus/sources/ (control characters,
  a leading dot) are replaced by the document's id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer.corpus.collections import EGOV_URL, STATUTE_PUBLISHER
from indexer.corpus.files import RefusedFile, read_document_bytes
from indexer.ingest.errors import IngestError, RefusedInput
from indexer.ingest.formats import read_document
from indexer.laws import StatuteParseError, looks_like_statute, parse_statute, suppl_act_key
from indexer.text.extracted import ExtractedText

__all__ = ["EGOV_NAME", "EGOV_URL", "STATUTE_PUBLISHER", "AlreadyInCorpus", "VersionConflict", "Ingested",
           "ingest_file", "plan"]

# e-Gov ids are 15 characters: 322AC0000000067, 309M10011000001, 321CONSTITUTION.
EGOV_NAME = re.compile(r"^(?P<law_id>\d{3}[0-9A-Z]{12})_(?P<date>\d{8})_(?P<amend>\d{3}[0-9A-Z]{12}|0{15})$")
_SLUG = re.compile(r"[^a-z0-9]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A name kept as is in corpus/sources/: no control characters, no leading dot, no separators.
_PLAIN_NAME = re.compile(r"^[^\x00-\x1f\x7f./\\][^\x00-\x1f\x7f/\\]*$")


class AlreadyInCorpus(IngestError):
    reason = "already in the corpus (same sha256; nothing added)"


class VersionConflict(IngestError):
    reason = "the corpus already holds this statute in force from the same date"


class SameStatute(IngestError):
    reason = "the corpus already holds this statute (same 法令番号); nothing added"


class BadOption(IngestError):
    reason = "option cannot be used"


@dataclass
class Ingested:
    """What one ingest added: the source id, its kind, the files written and any warnings."""

    source_id: str
    kind: str  # statute | document
    title: str
    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    superseded: str | None = None  # the older version this one replaced as current

    def summary(self) -> str:
        what = "statute" if self.kind == "statute" else "document"
        line = f"added {what} {self.source_id}: {self.title}"
        if self.superseded:
            line += f" (current; {self.superseded} kept as an older version)"
        return line


def sha256_of(path: Path) -> str:
    return hashlib.sha256(read_document_bytes(path)).hexdigest()


def _check_date(path: Path, option: str, value: str | None) -> None:
    """A date option is a real date written YYYY-MM-DD (`--effective notadate` is refused)."""
    if value is None:
        return
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        dt.date.fromisoformat(value)
    except ValueError:
        raise BadOption(path, f"{option} {value!r} is not a date written YYYY-MM-DD") from None


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "doc"


def _held(sources_dir: Path) -> list[dict]:
    out = []
    for p in sorted(sources_dir.glob("*.yaml")):
        meta = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        meta["_meta_path"] = p
        out.append(meta)
    return out


def _doc_title(doc: ExtractedText) -> str:
    for line in doc.text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:80]
    return doc.path.stem


def _statute_meta(doc: ExtractedText, path: Path, warnings: list[str]) -> dict | None:
    """Statute fields when the text is one that parses; None (with a warning) when it does not."""
    if not looks_like_statute(doc.text):
        return None
    try:
        statute = parse_statute(doc.text)
    except StatuteParseError as exc:
        warnings.append(f"{path}: looks like a statute but line {exc.line} cannot be structured ({exc.reason}); "
                        "ingested as passages")
        return None
    meta: dict = {"title": statute.title, "law_number": statute.law_number, "law_id": None, "effective": None}
    m = EGOV_NAME.match(path.stem)
    if m:
        d = m["date"]
        meta.update(law_id=m["law_id"], effective=f"{d[:4]}-{d[4:6]}-{d[6:]}",
                    amended_by=None if set(m["amend"]) == {"0"} else m["amend"])
    return meta


def _law_key(meta: dict) -> str:
    """The stable part of a statute's ids: its e-Gov id, or its 法令番号 as a slug (h17-24)."""
    if meta.get("law_id"):
        return meta["law_id"].lower()
    return suppl_act_key(meta["law_number"])


def _held_text(m: dict, sources_dir: Path) -> str | None:
    try:
        return (sources_dir / m["file"]).read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError, KeyError):
        return None


def _same_law(law: dict, doc: ExtractedText, path: Path, held: list[dict], sources_dir: Path,
              effective_given: bool) -> None:
    """Recognise a statute held under its 法令ID whatever this file's name or encoding.

    A file without an e-Gov name takes the 法令ID (and 施行日) of the statute held with its
    法令番号. The same text is refused as held; another text with no 施行日 of its own is refused
    too (it cannot be placed among the versions); with a 施行日 it is a version of that statute.
    """
    if law["law_id"]:
        return
    same = [m for m in held if m.get("kind") == "statute" and m.get("law_number") == law["law_number"]
            and m.get("law_id")]
    if not same:
        return
    current = next((m for m in same if not m.get("superseded_by")), same[0])
    law["law_id"] = current["law_id"]
    text = doc.text.lstrip("\ufeff")
    for m in same:
        if _held_text(m, sources_dir) == text:
            raise SameStatute(path, f"held as {m['id']}, the same text in another file name or encoding")
    if not effective_given:
        raise SameStatute(path, f"held as {current['id']} (施行日 {current.get('effective') or '不明'}); "
                                "a newer version needs its 施行日: --effective YYYY-MM-DD")


def plan(path: Path, sources_dir: Path, held: list[dict], *, title: str | None = None,
         publisher: str | None = None, date: str | None = None, url: str | None = None,
         effective: str | None = None, follow_symlinks: bool = False,
         data: bytes | None = None) -> tuple[dict, ExtractedText, list[str]]:
    """Read and check one file; the metadata it would get, its text, warnings. Writes nothing.

    `data` is the file's bytes when already read (read here otherwise, as indexer.corpus.files reads).
    """
    path = Path(path)
    _check_date(path, "--effective", effective)
    _check_date(path, "--date", date)
    if data is None:
        try:
            data = read_document_bytes(path, follow_symlinks=follow_symlinks)
        except RefusedFile as exc:
            raise RefusedInput(path, exc.reason) from None
    doc = read_document(path, data)  # UnsupportedFormat / EmptyDocument / NoTextLayer / NotAPdf …
    digest = hashlib.sha256(data).hexdigest()
    for m in held:
        if digest in (m.get("sha256"), m.get("original_sha256")):
            raise AlreadyInCorpus(path, f"held as {m['id']}")
    warnings = list(doc.warnings)
    law = _statute_meta(doc, path, warnings)
    today = dt.date.today().isoformat()
    meta: dict = {}
    if law is not None:
        _same_law(law, doc, path, held, sources_dir, effective is not None or law["effective"] is not None)
        if effective:
            law["effective"] = effective
        key = _law_key(law)
        eff = law["effective"]
        meta["id"] = f"law-{key}" + (f"-{eff.replace('-', '')}" if eff else "")
        meta.update(
            kind="statute", title=title or law["title"], short_title=law["title"],
            publisher=publisher or STATUTE_PUBLISHER, date=date or eff or today,
            url=url or (EGOV_URL.format(law_id=law["law_id"]) if law["law_id"] else None),
            law_number=law["law_number"], law_id=law["law_id"], law_key=key, effective=eff,
        )
        if law.get("amended_by"):
            meta["amended_by"] = law["amended_by"]
        if not eff:
            meta["date_note"] = "施行日が分からないため取込日を記載（--effective で指定できます）。"
    else:
        t = title or _doc_title(doc)
        meta.update(id=f"doc-{_slug(path.stem)}", kind="document", title=t, short_title=t,
                    publisher=publisher or "不明", date=date or today, url=url)
        if not publisher:
            meta["publisher_note"] = "資料に発行主体の記載がなく、取込時にも指定されなかった（--publisher で指定できます）。"
        if not date:
            meta["date_note"] = "取込日を記載（資料の日付は --date で指定できます）。"
    meta["format"] = doc.format
    ids = {m["id"] for m in held}
    base, n = meta["id"], 2
    while meta["id"] in ids:
        meta["id"] = f"{base}-{n}"
        n += 1
    if meta["kind"] == "statute":
        for m in held:
            if m.get("kind") == "statute" and m.get("law_key") == meta["law_key"] and m.get("effective") == meta["effective"]:
                raise VersionConflict(path, f"{m['id']} (施行日 {m.get('effective') or '不明'}), with other bytes")
    return meta, doc, warnings


def _names(sources_dir: Path, path: Path, meta: dict, copy_suffix: str | None) -> tuple[str, str | None, str]:
    """(name of the file as given, name of its UTF-8 text copy or None, name of its metadata), all free.

    The given name is kept when it is plain; otherwise (control characters, a leading dot, an
    odd suffix) the document's id is the stem. A -2, -3 … is added until no name of the three is
    taken, so nothing already in corpus/sources/ is ever overwritten.
    """
    plain = bool(_PLAIN_NAME.match(path.name)) and re.fullmatch(r"\.[A-Za-z0-9]{1,8}", path.suffix or ".x")
    stem = path.stem if plain else meta["id"]
    suffix = path.suffix if plain and path.suffix else (".pdf" if meta["format"] == "pdf" else ".txt")
    if suffix.lower() in (".yaml", (copy_suffix or "").lower()):  # would be its own metadata or text copy
        suffix = ".pdf" if meta["format"] == "pdf" else ".txt"
    n = 1
    while True:
        s = stem if n == 1 else f"{stem}-{n}"
        names = (s + suffix, s + copy_suffix if copy_suffix else None, s + ".yaml")
        given = [x for x in names if x]
        if len(set(given)) == len(given) and not any((sources_dir / x).exists() for x in given):
            return names
        n += 1


def _dump(meta: dict) -> str:
    head = "# Metadata of one ingested source (written by `policykb ingest`; records are derived from the text).\n"
    return head + yaml.safe_dump({k: v for k, v in meta.items() if not k.startswith("_")},
                                 allow_unicode=True, sort_keys=False, width=1000)


def _write_all(path: Path, writes: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary name first, then rename them in order: a failure (disk full,
    permissions) leaves nothing behind and is one IngestError line."""
    temps: list[tuple[Path, Path]] = []
    try:
        for target, data in writes:
            tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            temps.append((tmp, target))
            tmp.write_bytes(data)
        for tmp, target in temps:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise IngestError(path, f"cannot write into the corpus ({exc.strerror or exc})") from None


def ingest_file(path: str | Path, corpus_dir: Path, **opts) -> Ingested:
    """Add one document to `corpus_dir`; raise IngestError (nothing written) when it cannot be."""
    path = Path(path)
    sources_dir = corpus_dir / "sources"
    held = _held(sources_dir) if sources_dir.is_dir() else []
    follow = opts.pop("follow_symlinks", False)
    try:
        data = read_document_bytes(path, follow_symlinks=follow)
    except RefusedFile as exc:
        raise RefusedInput(path, exc.reason) from None
    opts["data"] = data
    meta, doc, warnings = plan(path, sources_dir, held, **opts)
    sources_dir.mkdir(parents=True, exist_ok=True)
    original_sha = hashlib.sha256(data).hexdigest()
    if doc.format == "pdf":
        pdf_name, text_name, meta_name = _names(sources_dir, path, meta, ".txt")
        text_bytes = doc.text.encode("utf-8")
        meta.update(file=text_name, sha256=hashlib.sha256(text_bytes).hexdigest(),
                    original_file=pdf_name, original_sha256=original_sha)
        if doc.page_starts:
            meta["page_starts"] = list(doc.page_starts)
        to_write = [(sources_dir / pdf_name, data), (sources_dir / text_name, text_bytes)]
    elif doc.encoding != "utf-8":
        # Offsets are computed on the decoded text; a file that is not plain UTF-8 keeps its bytes
        # as the original and gets a UTF-8 text beside it, as a PDF does.
        # (Source.text reads with universal newlines, so CRLF needs no copy; a BOM or cp932 does.)
        name, text_name, meta_name = _names(sources_dir, path, meta, ".utf8.txt")
        text_bytes = doc.text.encode("utf-8")
        meta.update(file=text_name, sha256=hashlib.sha256(text_bytes).hexdigest(),
                    original_file=name, original_sha256=original_sha, encoding=doc.encoding)
        to_write = [(sources_dir / name, data), (sources_dir / text_name, text_bytes)]
    else:
        name, _, meta_name = _names(sources_dir, path, meta, None)
        meta.update(file=name, sha256=original_sha)
        to_write = [(sources_dir / name, data)]
    meta["outline"] = []
    superseded = None
    updates: list[tuple[Path, dict]] = []
    if meta["kind"] == "statute":
        same = [m for m in held if m.get("kind") == "statute" and m.get("law_key") == meta["law_key"]]
        current = [m for m in same if not m.get("superseded_by")]
        newer = [m for m in current if (m.get("effective") or "") > (meta["effective"] or "")]
        if newer:
            meta["superseded_by"] = newer[0]["id"]
            warnings.append(f"{path}: an older version than {newer[0]['id']}; kept as a version, not current")
        else:
            for m in current:
                updates.append((m["_meta_path"], {**m, "superseded_by": meta["id"]}))
                superseded = m["id"]
    meta_path = sources_dir / meta_name
    # The source's files, then its metadata (a source exists once its YAML does), then the older
    # versions' `superseded_by`.
    writes = [*to_write, (meta_path, _dump(meta).encode("utf-8"))]
    writes += [(mp, _dump(m).encode("utf-8")) for mp, m in updates]
    _write_all(path, writes)
    return Ingested(meta["id"], meta["kind"], meta["title"], [t for t, _ in to_write] + [meta_path], warnings, superseded)

