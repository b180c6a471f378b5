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
- A later version of a statute already held (same law_id, or same 法令番号 when the id is not
  known) becomes current; the older keeps its files and gets `superseded_by`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer.ingest.errors import IngestError
from indexer.ingest.extracted import ExtractedText
from indexer.ingest.formats import read_document

# e-Gov ids are 15 characters: 322AC0000000067, 309M10011000001, 321CONSTITUTION.
EGOV_NAME = re.compile(r"^(?P<law_id>\d{3}[0-9A-Z]{12})_(?P<date>\d{8})_(?P<amend>\d{3}[0-9A-Z]{12}|0{15})$")
EGOV_URL = "https://laws.e-gov.go.jp/law/{law_id}"
STATUTE_PUBLISHER = "e-Gov法令検索（デジタル庁）"
_SLUG = re.compile(r"[^a-z0-9]+")


class AlreadyInCorpus(IngestError):
    reason = "already in the corpus (same sha256; nothing added)"


class VersionConflict(IngestError):
    reason = "the corpus already holds this statute in force from the same date"


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
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    from indexer.laws import StatuteParseError, looks_like_statute, parse_statute

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
    from indexer.laws import suppl_act_key

    return suppl_act_key(meta["law_number"])


def plan(path: Path, sources_dir: Path, held: list[dict], *, title: str | None = None,
         publisher: str | None = None, date: str | None = None, url: str | None = None,
         effective: str | None = None) -> tuple[dict, ExtractedText, list[str]]:
    """Read and check one file; the metadata it would get, its text, warnings. Writes nothing."""
    if not path.is_file():
        raise IngestError(path, "no such file")
    doc = read_document(path)  # UnsupportedFormat / EmptyDocument / NoTextLayer / NotAPdf …
    digest = sha256_of(path)
    for m in held:
        if digest in (m.get("sha256"), m.get("original_sha256")):
            raise AlreadyInCorpus(path, f"held as {m['id']}")
    warnings = list(doc.warnings)
    law = _statute_meta(doc, path, warnings)
    today = dt.date.today().isoformat()
    meta: dict = {}
    if law is not None:
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


def _free_name(sources_dir: Path, name: str) -> str:
    stem, suffix, n = Path(name).stem, Path(name).suffix, 2
    while (sources_dir / name).exists() or (sources_dir / (Path(name).stem + ".yaml")).exists():
        name = f"{stem}-{n}{suffix}"
        n += 1
    return name


def _dump(meta: dict) -> str:
    head = "# Metadata of one ingested source (written by `policykb ingest`; records are derived from the text).\n"
    return head + yaml.safe_dump({k: v for k, v in meta.items() if not k.startswith("_")},
                                 allow_unicode=True, sort_keys=False, width=1000)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def ingest_file(path: str | Path, corpus_dir: Path, **opts) -> Ingested:
    """Add one document to `corpus_dir`; raise IngestError (nothing written) when it cannot be."""
    path = Path(path)
    sources_dir = corpus_dir / "sources"
    sources_dir.mkdir(parents=True, exist_ok=True)
    held = _held(sources_dir)
    meta, doc, warnings = plan(path, sources_dir, held, **opts)
    written: list[Path] = []
    if doc.format == "pdf":
        pdf_name = _free_name(sources_dir, path.name)
        text_name = Path(pdf_name).stem + ".txt"
        text_bytes = doc.text.encode("utf-8")
        meta.update(file=text_name, sha256=hashlib.sha256(text_bytes).hexdigest(),
                    original_file=pdf_name, original_sha256=sha256_of(path))
        if doc.page_starts:
            meta["page_starts"] = list(doc.page_starts)
        to_write = [(sources_dir / pdf_name, path.read_bytes()), (sources_dir / text_name, text_bytes)]
    else:
        name = _free_name(sources_dir, path.name)
        meta.update(file=name, sha256=sha256_of(path))
        # Offsets are computed on the decoded text; a file that is not plain UTF-8 keeps its bytes
        # as the original and gets a UTF-8 text beside it, as a PDF does.
        # (Source.text reads with universal newlines, so CRLF needs no copy; a BOM or cp932 does.)
        if doc.encoding != "utf-8":
            text_name = Path(name).stem + ".utf8.txt"
            text_bytes = doc.text.encode("utf-8")
            meta.update(file=text_name, sha256=hashlib.sha256(text_bytes).hexdigest(),
                        original_file=name, original_sha256=sha256_of(path), encoding=doc.encoding)
            to_write = [(sources_dir / name, path.read_bytes()), (sources_dir / text_name, text_bytes)]
        else:
            to_write = [(sources_dir / name, path.read_bytes())]
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
    meta_path = sources_dir / (Path(meta["file"]).stem.removesuffix(".utf8") + ".yaml")
    if meta_path.exists():
        meta_path = sources_dir / (meta["id"] + ".yaml")
    for target, data in to_write:
        _write_atomic(target, data)
        written.append(target)
    for mp, m in updates:
        _write_atomic(mp, _dump(m).encode("utf-8"))
    _write_atomic(meta_path, _dump(meta).encode("utf-8"))
    written.append(meta_path)
    return Ingested(meta["id"], meta["kind"], meta["title"], written, warnings, superseded)

