"""Which code shapes an index's bytes: the import closure of each builder's writer modules.

The staleness hash (indexer.index.store) must change when, and only when, code that decides what
an index holds changes. The rule:

  * each builder declares the modules that write its files (WRITERS, its entry points);
  * the code it depends on is their import closure inside the `indexer` package, read from the
    source with `ast` (module-level and function-level imports alike; `if TYPE_CHECKING:`
    blocks are skipped: they never run);
  * a package's `__init__.py` is followed only when a module imports the package by name
    (`from indexer.laws import parse_statute`). Python also runs the `__init__` of every
    package on the way to a submodule, but an `__init__` here only names the package's public
    face (a test holds every `__init__` to imports, `__all__` and a docstring), so running it
    writes nothing; following it would pull the query side's readers (indexer/index/__init__.py
    names KeywordIndex) into every writer's fingerprint.

So query-only code (snippets, the readers, verification, the search package, the web app) is
outside every closure, and an import a writer gains is covered without editing any list.
tests/index/test_staleness.py checks both directions on a copy of the package.

Every engine open computes the closure (is the build in service stale?). Reading 56 modules with
`ast` took 0.31 CPU-s of a 1.2 s open over all laws, so what a module imports is kept by the
sha256 of its bytes, in memory and in `<package>/__pycache__/` (IMPORTS_CACHE) between processes:
an edited module has another digest and is read again, and the file is dropped whole when the
rule that reads imports (this module's own source) changes. Only import statements are visited
(they are statements: an expression never holds one), not every node of the tree.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "indexer"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

#: The imports of each module read so far, by the sha256 of its source; kept beside the bytecode.
IMPORTS_CACHE = Path("__pycache__") / "policykb-imports.json"
#: Entries the file keeps at most (the package has ≈ 150 modules; older versions of edited ones add up).
IMPORTS_CACHE_MAX = 1000
#: Fields of a node that hold statements: an import is a statement, so only these are walked.
_STATEMENT_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")

#: Per kind of builder (indexer.index.builder), the modules that write its files.
WRITERS: dict[str, tuple[str, ...]] = {
    "regional": ("indexer.index.regional_build",),
    "collection": ("indexer.index.collection_build",),
}


def module_file(name: str, root: Path = PACKAGE_ROOT) -> Path | None:
    """indexer.a.b → root/a/b.py or root/a/b/__init__.py (None when it is not a module of the package)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST) -> Iterable[str]:
    """Every module name an import statement names, anywhere in the tree but under TYPE_CHECKING.

    Statements sit only in the fields _STATEMENT_FIELDS name (a body, an else, a finally, the
    handlers of a try, the cases of a match), so the walk follows those and skips expressions."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # `from indexer.a import b` names the submodule indexer.a.b when there is one
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        for field in _STATEMENT_FIELDS:
            stack.extend(getattr(node, field, None) or ())


def read_imports(source: bytes, filename: str = "<module>") -> tuple[str, ...]:
    """The module names a module's source imports (sorted, once each), read with `ast`."""
    return tuple(sorted(set(_imported_names(ast.parse(source, filename=filename)))))


class _ImportsCache:
    """What each module imports, by the sha256 of its bytes: in memory, and in one JSON file per package
    root (IMPORTS_CACHE) so that the next process does not parse again. The file carries the digest of
    this module's source (the rule that read the imports): under another rule it is ignored."""

    def __init__(self) -> None:
        self._rule = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        self._by_root: dict[Path, dict[str, tuple[str, ...]]] = {}
        self._unsaved: set[Path] = set()  # roots with imports read from source since their file was read
        self._used: dict[Path, set[str]] = {}  # the digests this process asked for, per root
        self._lock = threading.Lock()

    def _file(self, root: Path) -> Path:
        return root / IMPORTS_CACHE

    def known(self, root: Path) -> dict[str, tuple[str, ...]]:
        with self._lock:
            got = self._by_root.get(root)
            if got is None:
                got = self._by_root[root] = self._load(self._file(root))
            return got

    def _load(self, path: Path) -> dict[str, tuple[str, ...]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("rule") != self._rule or not isinstance(data.get("imports"), dict):
            return {}
        return {k: tuple(v) for k, v in data["imports"].items()
                if isinstance(v, list) and all(isinstance(n, str) for n in v)}

    def get(self, root: Path, key: str) -> tuple[str, ...] | None:
        known = self.known(root)
        with self._lock:
            self._used.setdefault(root, set()).add(key)
            return known.get(key)

    def add(self, root: Path, key: str, imports: tuple[str, ...]) -> None:
        with self._lock:
            self._by_root[root][key] = imports
            self._unsaved.add(root)

    def save(self, root: Path) -> None:
        """Write the file (atomically) when this process read imports from source; a read-only package is fine."""
        known = self.known(root)
        path = self._file(root)
        with self._lock:
            if root not in self._unsaved:
                return
            self._unsaved.discard(root)
            # Older versions of edited modules stay listed (another checkout may still have them), up to
            # a bound: past it only what this process asked for is written.
            kept = known if len(known) <= IMPORTS_CACHE_MAX else \
                {k: v for k, v in known.items() if k in self._used.get(root, ())}
            try:
                path.parent.mkdir(exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                tmp.write_text(json.dumps({"rule": self._rule, "imports": {k: list(v) for k, v in sorted(kept.items())}},
                                          ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                pass  # the package is read-only here: every process parses, as before

    def forget(self) -> None:
        """Empty the memory (tests: the next read comes from the file, or from the source)."""
        with self._lock:
            self._by_root.clear()
            self._unsaved.clear()
            self._used.clear()


_IMPORTS = _ImportsCache()


def imports_of(path: Path, root: Path = PACKAGE_ROOT) -> tuple[str, ...]:
    """The module names `path` imports (read_imports), kept by the digest of its bytes (_ImportsCache)."""
    source = path.read_bytes()
    key = hashlib.sha256(source).hexdigest()
    got = _IMPORTS.get(root, key)
    if got is None:
        got = read_imports(source, str(path))
        _IMPORTS.add(root, key, got)
    return got


def closure(entries: Iterable[str], root: Path = PACKAGE_ROOT) -> list[Path]:
    """The modules of the package that `entries` import, directly or not, with the entries: sorted files."""
    seen: dict[Path, None] = {}
    todo = []
    for name in entries:
        path = module_file(name, root)
        if path is None:
            raise ValueError(f"{name} is not a module of {root}")
        todo.append(path)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen[path] = None
        for name in imports_of(path, root):
            target = module_file(name, root)
            if target is not None and target not in seen:
                todo.append(target)
    _IMPORTS.save(root)
    return sorted(seen)


def writer_modules(kinds: Iterable[str] = tuple(WRITERS), root: Path = PACKAGE_ROOT) -> list[Path]:
    """The union of the closures of the given builder kinds' writers."""
    return sorted({p for kind in kinds for p in closure(WRITERS[kind], root)})


def hash_modules(h: "hashlib._Hash", paths: Iterable[Path], root: Path = PACKAGE_ROOT) -> None:
    """Feed each module's path (relative to the package) and bytes into h, in a stable order."""
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())


def code_digest(kinds: Iterable[str] = tuple(WRITERS), root: Path = PACKAGE_ROOT) -> str:
    """sha256 of the modules that shape the indexes the given builder kinds write."""
    h = hashlib.sha256()
    hash_modules(h, writer_modules(kinds, root), root)
    return h.hexdigest()
