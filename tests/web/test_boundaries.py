"""The web app talks to indexer.search's public API only, and imports sit at the top of modules.

Read from the source (ast), so a new module is checked without being listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = sorted((ROOT / "webapp").glob("*.py"))
SEARCH = sorted((ROOT / "indexer" / "search").glob("*.py"))
#: The web app reads the engine; analysis, index formats and models are the indexer's business.
FORBIDDEN = ("indexer.text", "indexer.index", "indexer.model")
#: Heavy optional dependencies an import inside a function may defer (issue 17).
DEFERRABLE = ("torch", "onnxruntime", "playwright", "usearch", "sentence_transformers")
#: Modules another change of issue 17 is moving at the same time (the server's start-up, the reader);
#: they join the import rule when it lands.
IN_FLIGHT: set[str] = set()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", WEBAPP, ids=lambda p: p.name)
def test_the_web_app_imports_no_analysis_and_no_private_name(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not node.module.startswith(FORBIDDEN), f"{path.name}:{node.lineno} imports {node.module}"
            if node.module.startswith("indexer"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                assert not private, f"{path.name}:{node.lineno} imports private {private} from {node.module}"
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith(FORBIDDEN) for a in node.names), f"{path.name}:{node.lineno}"
        # engine._anything: the engine's private state (its model, its caches).
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and isinstance(node.value, ast.Name) and node.value.id == "engine":
            raise AssertionError(f"{path.name}:{node.lineno} reads engine.{node.attr}")


@pytest.mark.parametrize("path", [p for p in WEBAPP + SEARCH if p.name not in IN_FLIGHT],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_inside_functions_only_defer_heavy_dependencies(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for fn in ast.walk(_tree(path)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert all((n or "").split(".")[0] in DEFERRABLE for n in names), \
                    f"{path.name}:{node.lineno} imports {names} inside {fn.name}()"
                assert "#" in lines[node.lineno - 1], f"{path.name}:{node.lineno}: say why the import is deferred"
