"""Collections: what a search covers, and the register of documents kept outside the repository.

Two collections:
- `regional` (地域政策): the curated seed and the statutes copied into corpus/sources/. The default.
- `laws` (全法令): every law of an e-Gov archive or folder, registered by `policykb ingest ARCHIVE`.

The archive is never copied into the repository. Its documents are listed, one JSON line each,
in `corpus/collections/laws.jsonl`, by path (the archive or file, absolute), member (inside an
archive) and sha256, with what ingest learnt of them (title, 法令番号, 施行日, articles or passages,
the line and reason of a statute that does not parse). The build reads the texts from there and
checks each against its sha256, so a changed or missing file is named, never indexed silently.

One current version per law id: the newest 施行日 is current, the older ones stay listed as
versions (status `version`) and give no records. A document whose sha256 is also a source of the
regional collection (the 21 statutes) has `regional` set to that source id: it belongs to both.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from indexer.corpus.derived import passage_records, statute_records
from indexer.corpus.files import RefusedFile, Stamp, changed_files, iter_files, load_stamps, write_stamps
from indexer.corpus.sources import Source
from indexer.errors import BuildError, CorpusError

#: e-Gov's page of a law, and the publisher named for its text (ingest writes both into metadata).
EGOV_URL = "https://laws.e-gov.go.jp/law/{law_id}"
STATUTE_PUBLISHER = "e-Gov法令検索（デジタル庁）"

#: name → label shown to users. `regional` is the default of every search.
COLLECTIONS: dict[str, str] = {"regional": "地域政策", "laws": "全法令"}
DEFAULT_COLLECTIONS: tuple[str, ...] = ("regional",)
#: The collections held in registers (the others live in corpus/sources/).
EXTERNAL = ("laws",)
REGISTER_DIR = "collections"


@dataclass
class ExternalDoc:
    """One document of an external collection, as ingest found it."""

    id: str                      # law-<law key>-<施行日 yyyymmdd>, or doc-<slug>
    path: str                    # the archive or the file, absolute
    member: str | None           # the member inside an archive; None for a plain file
    sha256: str
    chars: int
    form: str                    # statute | passages (a text that does not parse as a statute)
    title: str
    status: str = "current"      # current | version (an older 施行日 of the same law)
    law_key: str | None = None   # the e-Gov id lower-cased (or the 法令番号 slug)
    law_id: str | None = None
    law_number: str | None = None
    effective: str | None = None  # 施行日 YYYY-MM-DD
    articles: int = 0
    passages: int = 0
    problem: str | None = None   # why a text is held as passages: "line 33: paragraph 2 after …"
    regional: str | None = None  # the regional source with the same bytes, when there is one
    versions: list[str] = field(default_factory=list)  # ids of the older versions (on the current one)

    @property
    def where(self) -> str:
        """The file as a person would name it: archive!member, or the path."""
        return f"{self.path}!{self.member}" if self.member else self.path


def register_path(corpus_dir: Path, collection: str) -> Path:
    return corpus_dir / REGISTER_DIR / f"{collection}.jsonl"


def load_register(corpus_dir: Path, collection: str = "laws") -> list[ExternalDoc]:
    """The documents of an external collection; [] when nothing was ingested. A bad line is a CorpusError."""
    path = register_path(corpus_dir, collection)
    if not path.exists():
        return []
    docs = []
    names = set(ExternalDoc.__dataclass_fields__)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            docs.append(ExternalDoc(**{k: v for k, v in row.items() if k in names}))
        except (ValueError, TypeError) as exc:
            raise CorpusError([f"{path}: line {n}: not a document entry ({' '.join(str(exc).split())[:200]})"]) from exc
    return docs


def write_register(corpus_dir: Path, collection: str, docs: list[ExternalDoc]) -> Path:
    """Write atomically (temporary name, then rename): a reader never sees half a register."""
    path = register_path(corpus_dir, collection)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        for d in sorted(docs, key=lambda d: (d.law_key or d.id, d.effective or "", d.id)):
            fh.write(json.dumps(asdict(d), ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def read_texts(docs: list[ExternalDoc]) -> Iterator[tuple[ExternalDoc, str]]:
    """The text of each document, read where the register says and checked against its sha256.

    Grouped by path so an archive is streamed once, with the limits and refusals of
    indexer.corpus.files. A missing, changed or refused file is a CorpusError naming it: the
    register no longer describes it, and it must be ingested again.
    """
    by_path: dict[str, dict[str | None, ExternalDoc]] = {}
    for d in docs:
        by_path.setdefault(d.path, {})[d.member] = d
    for path, members in by_path.items():
        p = Path(path)
        if not p.exists():
            raise CorpusError([f"{path}: registered in the laws collection but missing; ingest it again (policykb ingest)"])
        seen: set[str | None] = set()
        wanted = {m for m in members if m is not None}
        try:
            for item in iter_files(p, wanted or None):
                d = members.get(item.member)
                if d is None:
                    continue
                if item.data is None:
                    raise CorpusError([f"{item.name}: {item.problem}"])
                if hashlib.sha256(item.data).hexdigest() != d.sha256:
                    raise CorpusError([f"{item.name}: its bytes changed since it was ingested (sha256 differs); ingest it again"])
                seen.add(item.member)
                yield d, item.data.decode("utf-8")
        except RefusedFile as exc:
            raise CorpusError([str(exc)]) from None
        missing = sorted(str(m) for m in members if m not in seen)
        if missing:
            raise CorpusError([f"{path}: {len(missing)} registered file(s) are no longer there "
                               f"(e.g. {missing[0]}); ingest it again"])


def text_of(doc: ExternalDoc) -> str:
    """One document's text (an archive member costs a pass over the archive up to it)."""
    for _, text in read_texts([doc]):
        return text
    raise CorpusError([f"{doc.where}: not found"])


def source_for(doc: ExternalDoc, text: str) -> Source:
    """The document as a corpus Source (for the records derived from it), its text already in hand."""
    meta = {"id": doc.id, "kind": "statute" if doc.form == "statute" else "document", "law_key": doc.law_key,
            "law_id": doc.law_id, "effective": doc.effective, "law_number": doc.law_number,
            "format": "markdown" if (doc.member or doc.path).endswith(".md") else "text"}
    src = Source(id=doc.id, path=Path(doc.where), title=doc.title, short_title=doc.title,
                 publisher=STATUTE_PUBLISHER if doc.law_id else "不明", date=doc.effective or "",
                 sha256=doc.sha256, url=EGOV_URL.format(law_id=doc.law_id) if doc.law_id else None, meta=meta)
    src.__dict__["text"] = text  # Source.text is a cached property
    return src


def derive(doc: ExternalDoc, text: str, statute=None):
    """(source, records) of one document, as the regional statutes are derived (indexer.corpus.derived);
    a text that no longer parses falls back to passages, with the reason as the third value.
    `statute`: the text already parsed (indexer.laws.Statute), when the caller has it."""
    src = source_for(doc, text)
    try:
        if doc.form == "statute":
            return src, statute_records(src, 1 + len(doc.versions), statute), None
        return src, passage_records(src), None
    except ValueError as exc:
        src = source_for(replace(doc, form="passages"), text)
        return src, passage_records(src), f"{doc.where}: {' '.join(str(exc).split())[:200]}; indexed as passages"


def registered_file_problems(corpus_dir: Path) -> list[str]:
    """One line per file registered in an external collection that is missing or changed since ingest.

    Reads the stamps ingest wrote beside each register (size, mtime, sha256 of every archive or
    file it read); a register written before stamps existed is checked for missing files only.
    """
    problems: list[str] = []
    for name in EXTERNAL:
        register = register_path(corpus_dir, name)
        if not register.exists():
            continue
        try:
            stamps = load_stamps(register)
        except RefusedFile as exc:
            problems.append(str(exc))
            continue
        if not stamps:
            stamps = {d.path: Stamp(-1, -1, "") for d in load_register(corpus_dir, name) if not os.path.exists(d.path)}
        problems += [f"{line}; run `policykb ingest` on it again (or restore it)" for line in changed_files(stamps)]
    return problems


def check_registered_files(corpus_dir: Path) -> None:
    """Raise BuildError, one line naming the first changed or missing registered file, when there is one.

    A build calls this before deciding it is up to date: the register describes the bytes ingest
    read, so an archive replaced or deleted since must be ingested again, not indexed silently.
    """
    problems = registered_file_problems(corpus_dir)
    if problems:
        more = f" (and {len(problems) - 1} more: `policykb verify` lists them)" if len(problems) > 1 else ""
        raise BuildError(problems[0] + more)


def stamp_files(corpus_dir: Path, collection: str, stamps: dict[str, Stamp], replaced: set[str]) -> None:
    """Record the stamps of the files one ingest read (dropping those of `replaced` paths it read again)."""
    register = register_path(corpus_dir, collection)
    held = {k: v for k, v in load_stamps(register).items() if not any(k == r or k.startswith(r + os.sep) for r in replaced)}
    held.update(stamps)
    write_stamps(register, held)
