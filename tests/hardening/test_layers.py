"""Issue 17 item 4: ingest depends on corpus, never the reverse, and no import hides inside a function.

Read from the source (ast), so an import inside a function is found as surely as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "indexer"


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, whether the import is inside a function) for every import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))}
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module:
            out.append((n.module, id(n) in inside))
        elif isinstance(n, ast.Import):
            out += [(a.name, id(n) in inside) for a in n.names]
    return out


def test_corpus_and_text_never_import_ingest():
    for package in ("corpus", "text"):
        for path in (PACKAGE / package).glob("*.py"):
            bad = [m for m, _ in imports(path) if m.startswith("indexer.ingest")]
            assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}"


def test_no_import_hides_inside_a_function_in_the_files_of_the_cycle():
    for rel in ("corpus/derived.py", "corpus/collections.py", "corpus/files.py", "ingest/collection.py"):
        hidden = [m for m, in_fn in imports(PACKAGE / rel) if in_fn]
        assert not hidden, f"indexer/{rel} imports {hidden} inside a function"
