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
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

PACKAGE = "indexer"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

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
    """Every module name an import statement names, anywhere in the tree but under TYPE_CHECKING."""
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
        stack.extend(ast.iter_child_nodes(node))


@lru_cache(maxsize=1024)
def _imports_of_file(path: Path, mtime_ns: int) -> tuple[str, ...]:
    return tuple(sorted(set(_imported_names(ast.parse(path.read_bytes(), filename=str(path))))))


def imports_of(path: Path) -> tuple[str, ...]:
    return _imports_of_file(path, path.stat().st_mtime_ns)


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
        for name in imports_of(path):
            target = module_file(name, root)
            if target is not None and target not in seen:
                todo.append(target)
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
