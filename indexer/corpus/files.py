"""Reading the files a person names for the corpus: regular files only, bounded, symlinks refused.

Ingest reads what it is given and a build reads registered archives again; both go through
here, so the same rules hold everywhere:
- Only regular files. A path is opened with O_NOFOLLOW | O_NONBLOCK and checked with fstat on
  the open descriptor (no race between check and read): a symbolic link is refused unless the
  operator asked to follow links, a device (`/dev/zero`), FIFO or socket always (a FIFO opened
  non-blocking never waits for a writer; a device is never read).
- Inside a folder, a symbolic link (to a file or a folder) is refused by default; followed, it
  must stay inside the folder given, so nothing outside the named paths is ever read.
- Sizes are checked before a file is read whole (its fstat size, an archive member's header) and
  again while it is read in chunks, against indexer.limits.
- An archive's members are checked like single files: the header size first, then the first
  chunk for NUL bytes and UTF-8, and only then is the rest read. A truncated or damaged archive
  is one line naming it.

Registered files are stamped (size, mtime, sha256) when ingested, so a build notices a file that
changed or went missing since (`check_stamps`), without rereading a 40 MB archive every time.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import lzma
import os
import stat
import tarfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from indexer.limits import (
    MAX_ARCHIVE_BYTES,
    MAX_ARCHIVE_FILES,
    MAX_PDF_BYTES,
    MAX_TEXT_BYTES,
    MB,
    READ_CHUNK_BYTES,
)

#: How much of a member is read to check it before the rest is read.
HEAD_BYTES = 8192
#: Errors a damaged or truncated compressed tar raises while streaming.
_ARCHIVE_ERRORS = (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error, OSError)


class RefusedFile(ValueError):
    """A path that is not read; `str()` is one line naming it and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = " ".join(reason.split())
        super().__init__(f"{self.path}: {self.reason}")

    def __reduce__(self):  # picklable: it may cross a process boundary (multiprocessing)
        return type(self), (self.path, self.reason)


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB" if n < 10 * MB else f"{n // MB} MB"


def open_regular(path: str | Path, *, follow_symlinks: bool = False) -> BinaryIO:
    """The file at `path` opened for reading, when it is a regular file; RefusedFile otherwise."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if os.path.islink(path):
            raise RefusedFile(path, "a symbolic link to nothing; refused") from None
        raise RefusedFile(path, "no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedFile(path, "a symbolic link; refused (--follow-symlinks reads what it points to)") from None
        raise RefusedFile(path, exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise RefusedFile(path, f"{what}, not a regular file; refused")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(fh: BinaryIO, name: str, limit: int, what: str = "file") -> bytes:
    """All of `fh`, read in chunks; RefusedFile as soon as it passes `limit` bytes."""
    chunks, total = [], 0
    while chunk := fh.read(READ_CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            raise RefusedFile(name, f"{what} larger than the limit of {_mb(limit)}; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def read_file(path: str | Path, *, follow_symlinks: bool = False, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (default MAX_TEXT_BYTES), its size checked before reading."""
    limit = MAX_TEXT_BYTES if limit is None else limit
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise RefusedFile(path, f"{_mb(size)}, larger than the limit of {_mb(limit)}; refused")
        return read_bounded(fh, str(path), limit)


def read_document_bytes(path: str | Path, *, follow_symlinks: bool = False) -> bytes:
    """A document to ingest: a PDF may be up to MAX_PDF_BYTES, any other file up to MAX_TEXT_BYTES."""
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        size = os.fstat(fh.fileno()).st_size
        limit = MAX_PDF_BYTES if b"%PDF-" in fh.read(1024) else MAX_TEXT_BYTES
        if size > limit:
            raise RefusedFile(path, f"{_mb(size)}, larger than the limit of {_mb(limit)}; refused")
        fh.seek(0)
        return read_bounded(fh, str(path), limit)


def text_problem(head: bytes, final: bool) -> str | None:
    """Why the start of a text file is no UTF-8 text (NUL bytes, bad bytes), or None.

    `final` says `head` is the whole file; otherwise a character cut at its end is not an error.
    """
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start})"
    return None


# -- folders -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FolderEntry:
    rel: str            # path relative to the folder, with /
    path: Path
    problem: str | None  # why it is not read (a symbolic link, a device…); None for a regular file


def walk_folder(root: Path, *, follow_symlinks: bool = False) -> Iterator[FolderEntry]:
    """Every entry of `root` in name order: its regular files, and a problem line for anything else.

    A symbolic link is a problem unless `follow_symlinks`; followed, it must resolve inside `root`
    (a link to /etc/passwd, or to `..`, is refused), and each folder is walked once.
    """
    top = Path(os.path.realpath(root))
    seen: set[str] = {str(top)}

    def inside(real: str) -> bool:
        return os.path.commonpath([str(top), real]) == str(top)

    def walk(folder: Path, rel: str) -> Iterator[FolderEntry]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield FolderEntry(rel or ".", folder, f"cannot be listed ({exc.strerror or exc})")
            return
        for e in entries:
            r = f"{rel}/{e.name}" if rel else e.name
            p = Path(e.path)
            if e.is_symlink():
                if not follow_symlinks:
                    yield FolderEntry(r, p, "a symbolic link; refused (--follow-symlinks follows links inside the folder)")
                    continue
                real = os.path.realpath(p)
                if not inside(real):
                    yield FolderEntry(r, p, "a symbolic link pointing outside the folder; refused")
                    continue
                if os.path.isdir(real):
                    if real not in seen:
                        seen.add(real)
                        yield from walk(Path(real), r)
                    continue
            if e.is_dir(follow_symlinks=follow_symlinks):
                yield from walk(p, r)
            elif e.is_file(follow_symlinks=follow_symlinks):
                yield FolderEntry(r, p, None)
            else:
                yield FolderEntry(r, p, "a device, FIFO or socket, not a regular file; refused")

    yield from walk(Path(root), "")


# -- archives and folders as a stream of files ---------------------------------------------------

@dataclass
class Item:
    """One file of an archive, folder or single file: its bytes, or why it was not read."""

    member: str | None  # the member (archive), the relative path (folder), None (a file given alone)
    name: str           # as a person names it: archive!member, or the path
    data: bytes | None
    problem: str | None = None


class _Totals:
    def __init__(self, where: str):
        self.where, self.files, self.bytes = where, 0, 0

    def add(self, n: int) -> None:
        self.files += 1
        self.bytes += n
        if self.files > MAX_ARCHIVE_FILES:
            raise RefusedFile(self.where, f"more than {MAX_ARCHIVE_FILES:,} files; refused (limit MAX_ARCHIVE_FILES)")
        if self.bytes > MAX_ARCHIVE_BYTES:
            raise RefusedFile(self.where, f"more than {_mb(MAX_ARCHIVE_BYTES)} of files unpacked; refused "
                                          "(limit MAX_ARCHIVE_BYTES)")


def is_archive(path: str | Path, *, follow_symlinks: bool = False) -> bool:
    """Whether a regular file is a tar (plain or compressed); RefusedFile for what is not a regular file."""
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        try:
            return tarfile.is_tarfile(fh)
        except _ARCHIVE_ERRORS:
            return False


def _member(tar: tarfile.TarFile, m: tarfile.TarInfo, name: str) -> Item:
    """A member checked like a single file: header size, then its first chunk, then the rest."""
    if m.size > MAX_TEXT_BYTES:
        return Item(m.name, name, None, f"{_mb(m.size)}, larger than the limit of {_mb(MAX_TEXT_BYTES)}; skipped")
    fh = tar.extractfile(m)
    if fh is None:
        return Item(m.name, name, b"")
    head = fh.read(HEAD_BYTES)
    if problem := text_problem(head, final=len(head) < HEAD_BYTES):
        return Item(m.name, name, None, f"{problem}; skipped")
    try:
        rest = read_bounded(fh, name, MAX_TEXT_BYTES - len(head), "member")
    except RefusedFile as exc:
        return Item(m.name, name, None, f"{exc.reason}")
    return Item(m.name, name, head + rest)


def iter_files(path: Path, wanted: set[str] | None = None, *, follow_symlinks: bool = False,
               skip: Callable[[str], str | None] = lambda name: None) -> Iterator[Item]:
    """Every regular file of an archive, folder or file, streamed, as Items (bytes, or the reason not).

    An archive is read in one pass (`r|*`: xz, gz, bz2 or none), never unpacked to disk nor held
    whole. `wanted` (member names, or relative paths in a folder) skips the others without reading
    them; `skip(name)` gives the reason a file is not wanted (its kind), and it is not read. Every
    other file is checked as UTF-8 text (NUL bytes, bad bytes) before it is read whole.
    A limit of a whole archive (indexer.limits), a truncated or damaged archive, or a path that is
    not a regular file or folder raises RefusedFile; a bad member is an Item with its problem.
    """
    path = Path(path)
    totals = _Totals(str(path))
    if path.is_dir() and (follow_symlinks or not path.is_symlink()):
        for e in walk_folder(path, follow_symlinks=follow_symlinks):
            if wanted is not None and e.rel not in wanted:
                continue
            if problem := e.problem or skip(e.rel):
                totals.add(0)
                yield Item(e.rel, str(e.path), None, problem)
                continue
            try:
                # Inside the folder, links were resolved (and confined) by walk_folder.
                data = read_file(e.path, follow_symlinks=follow_symlinks)
            except RefusedFile as exc:
                yield Item(e.rel, str(e.path), None, exc.reason)
                continue
            totals.add(len(data))
            if problem := text_problem(data[:HEAD_BYTES], len(data) <= HEAD_BYTES):
                yield Item(e.rel, str(e.path), None, f"{problem}; skipped")
                continue
            yield Item(e.rel, str(e.path), data)
        return
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        try:
            archive = tarfile.is_tarfile(fh)
        except _ARCHIVE_ERRORS:
            archive = False
        fh.seek(0)
        if not archive:
            if reason := skip(path.name):
                yield Item(None, str(path), None, reason)
                return
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_TEXT_BYTES:
                yield Item(None, str(path), None, f"{_mb(size)}, larger than the limit of {_mb(MAX_TEXT_BYTES)}; skipped")
                return
            data = read_bounded(fh, str(path), MAX_TEXT_BYTES)
            if problem := text_problem(data[:HEAD_BYTES], len(data) <= HEAD_BYTES):
                yield Item(None, str(path), None, f"{problem}; skipped")
                return
            yield Item(None, str(path), data)
            return
        try:
            with tarfile.open(fileobj=fh, mode="r|*") as tar:
                for m in tar:
                    if not m.isfile() or (wanted is not None and m.name not in wanted):
                        continue
                    name = f"{path}!{m.name}"
                    reason = skip(m.name)
                    item = Item(m.name, name, None, reason) if reason else _member(tar, m, name)
                    # A member skipped unread still costs its size to decompress past: counted as claimed.
                    totals.add(len(item.data) if item.data is not None else m.size)
                    yield item
        except _ARCHIVE_ERRORS as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise RefusedFile(path, f"damaged or truncated archive ({detail}); refused") from None


# -- back-pressure between a reader and a pool of workers ----------------------------------------

T = TypeVar("T")


class Backpressure:
    """Hands items to a consumer while at most `budget` bytes are out; `done(key)` gives bytes back.

    multiprocessing's Pool pulls its input on a thread of its own as fast as the reader yields,
    so a reader faster than the workers queues the whole archive in memory. Wrapped in `feed`,
    that thread waits once `budget` bytes are queued or parsing. One item is always let through,
    whatever its size, so a single large file cannot stall the run. Use chunksize=1: an item
    held back half-way through a chunk would wait for results that never come.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self._out = 0
        self._sizes: dict[object, int] = {}
        self._cond = threading.Condition()
        self._closed = False

    def feed(self, items: Iterable[T], key: Callable[[T], object], size: Callable[[T], int]) -> Iterator[T]:
        for item in items:
            n = size(item)
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._out == 0 or self._out + n <= self.budget)
                if self._closed:
                    return
                self._out += n
                self._sizes[key(item)] = self._sizes.get(key(item), 0) + n
            yield item

    def done(self, k: object) -> None:
        with self._cond:
            self._out -= self._sizes.pop(k, 0)
            self._cond.notify_all()

    @property
    def outstanding(self) -> int:
        return self._out

    def close(self) -> None:
        """Stop feeding (the consumer gave up): the pool's thread must not wait forever."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


# -- stamps of registered files ------------------------------------------------------------------

@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int
    sha256: str


def sha256_file(path: str | Path) -> str:
    """The sha256 of a regular file, streamed (an archive is not held in memory)."""
    h = hashlib.sha256()
    with open_regular(path) as fh:
        while chunk := fh.read(READ_CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def stamp_of(path: str | Path, sha256: str | None = None) -> Stamp:
    st = os.stat(path, follow_symlinks=False)
    return Stamp(st.st_size, st.st_mtime_ns, sha256 or sha256_file(path))


def stamps_path(register: Path) -> Path:
    """Beside the register: laws.jsonl → laws.files.json."""
    return register.with_name(register.name.removesuffix(".jsonl") + ".files.json")


def load_stamps(register: Path) -> dict[str, Stamp]:
    p = stamps_path(register)
    if not p.exists():
        return {}
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
        return {k: Stamp(**v) for k, v in raw.items()}
    except (ValueError, TypeError) as exc:
        raise RefusedFile(p, f"not a list of file stamps ({' '.join(str(exc).split())[:200]})") from None


def write_stamps(register: Path, stamps: dict[str, Stamp]) -> None:
    p = stamps_path(register)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps({k: asdict(v) for k, v in sorted(stamps.items())}, ensure_ascii=False, indent=0) + "\n",
                   encoding="utf-8")
    os.replace(tmp, p)


def changed_files(stamps: dict[str, Stamp]) -> list[str]:
    """One line per stamped file that is missing or whose bytes changed since it was stamped.

    Size and mtime first (a stat each); the sha256 only when they differ, so a file that was only
    touched is not reported, and an unchanged 40 MB archive is not read at every build.
    """
    problems = []
    for path, s in sorted(stamps.items()):
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            problems.append(f"{path}: registered but missing")
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append(f"{path}: no longer a regular file")
            continue
        if st.st_size == s.size and st.st_mtime_ns == s.mtime_ns:
            continue
        try:
            digest = sha256_file(path)
        except RefusedFile as exc:
            problems.append(str(exc))
            continue
        if digest != s.sha256:
            problems.append(f"{path}: changed since it was ingested (size {s.size:,} → {st.st_size:,} bytes, sha256 differs)")
    return problems


def bounded_imap(imap: Callable, fn: Callable, items: Iterable[T], *, key: Callable[[T], object],
                 size: Callable[[T], int], result_key: Callable[[object], object], budget: int) -> Iterator:
    """`imap(fn, items)` (a Pool's imap or imap_unordered) with at most `budget` bytes of items waiting.

    `key(item)` and `result_key(result)` name the same item, so its bytes are given back when its
    result comes in, in whatever order. Closing the generator (the loop ends or fails) stops the feed.
    """
    pressure = Backpressure(budget)
    try:
        for result in imap(fn, pressure.feed(items, key, size), chunksize=1):
            pressure.done(result_key(result))
            yield result
    finally:
        pressure.close()
