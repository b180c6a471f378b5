"""The staleness hash covers exactly the modules that shape an index, by a rule, checked both ways.

The rule (indexer.index.fingerprint): the import closure of each builder's writer modules. Every
check edits a copy of the package in a temporary directory, never the real files:
- editing any module of the closure marks the index stale;
- editing any other module (snippets, the readers, verification, search, evaluation…) leaves
  the index current: nothing is rebuilt for it;
- an import a writer gains is covered at once, with no list to edit.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.index.digests import code_hash, content_hash, regional_hash
from indexer.index import fingerprint
from indexer.index.fingerprint import IMPORTS_CACHE, PACKAGE_ROOT, WRITERS, closure, read_imports
from indexer.index.store import build_side_modules

#: Query-only modules the issue named (editing them once forced the 9.7-minute 全法令 rebuild).
NAMED_QUERY_ONLY = ("text/snippets.py", "index/collection.py", "index/verify.py")


@pytest.fixture()
def package_copy(tmp_path) -> Path:
    root = tmp_path / "indexer"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _rel(paths, root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in paths}


def _edit(module: Path, text: str = "\n# edited\n") -> bytes:
    original = module.read_bytes()
    module.write_bytes(original + text.encode())
    return original


def test_the_fingerprint_is_the_writers_import_closure():
    shaping = _rel(build_side_modules(), PACKAGE_ROOT)
    # The writers, the formats they write, and what decides the text they index…
    assert {"index/regional_build.py", "index/collection_build.py", "index/keyword_writer.py",
            "index/keyword_format.py", "index/vector_writer.py", "index/collection_store.py",
            "index/documents.py", "model/static_distill.py", "model/static_encoder.py", "model/cache.py",
            "text/analysis.py", "text/normalize.py", "corpus/export.py", "laws/parse.py"} <= shaping
    # …and no reader, no query-side package.
    assert not shaping & {*NAMED_QUERY_ONLY, "index/keyword_index.py", "index/vectors.py", "index/ann.py",
                          "index/store.py", "index/build.py", "index/lock.py", "model/e5_convert.py"}
    assert not {p for p in shaping if p.split("/")[0] in ("search", "evaluation")}
    # The regional collection and 全法令 depend on different code: each builder has its own closure.
    regional = _rel(closure(WRITERS["regional"]), PACKAGE_ROOT)
    laws = _rel(closure(WRITERS["collection"]), PACKAGE_ROOT)
    assert "index/regional_build.py" not in laws and "index/collection_build.py" not in regional
    assert "index/keyword_writer.py" in regional & laws


def test_readers_load_no_writer():
    """The query side opens indexes without loading the code that writes them (the other direction)."""
    readers = ("indexer.index.keyword_index", "indexer.index.vectors", "indexer.index.ann", "indexer.index.collection",
               "indexer.index.store", "indexer.index.verify", "indexer.model.static_encoder",
               "indexer.index.measure_queries", "indexer.index.record_tokens")
    writers = {"index/keyword_writer.py", "index/vector_writer.py", "index/collection_build.py", "index/regional_build.py",
               "index/manifest_writer.py", "index/build.py", "index/builder.py", "model/static_distill.py",
               "index/measure_query_writer.py"}
    assert not _rel(closure(readers), PACKAGE_ROOT) & writers


def test_editing_a_module_that_shapes_the_bytes_makes_the_index_stale(package_copy):
    settings = load_settings()
    before = content_hash(settings, package_root=package_copy)
    shaping = build_side_modules(package_copy)
    assert len(shaping) > 30
    for module in shaping:
        original = _edit(module)
        try:
            assert content_hash(settings, package_root=package_copy) != before, module
        finally:
            module.write_bytes(original)
    assert content_hash(settings, package_root=package_copy) == before


def test_editing_query_only_code_leaves_the_index_current(package_copy):
    settings = load_settings()
    before = content_hash(settings, package_root=package_copy)
    shaping = set(build_side_modules(package_copy))
    query_only = sorted(p for p in package_copy.rglob("*.py") if p not in shaping)
    assert set(NAMED_QUERY_ONLY) <= _rel(query_only, package_copy)
    for module in query_only:
        _edit(module)
    assert content_hash(settings, package_root=package_copy) == before
    assert build_side_modules(package_copy) == sorted(shaping)


def test_each_builder_is_stale_only_for_its_own_code(package_copy):
    """Editing the regional writer rebuilds the regional collection, and 全法令 stays linked."""
    settings = load_settings()
    regional, laws = regional_hash(settings, package_root=package_copy), \
        code_hash(settings, "collection", package_root=package_copy)
    _edit(package_copy / "index" / "regional_build.py")
    assert regional_hash(settings, package_root=package_copy) != regional
    assert code_hash(settings, "collection", package_root=package_copy) == laws
    _edit(package_copy / "index" / "keyword_format.py")  # shared by both
    assert code_hash(settings, "collection", package_root=package_copy) != laws


def test_an_import_a_writer_gains_is_covered_without_a_list(package_copy):
    settings = load_settings()
    snippets = package_copy / "text" / "snippets.py"
    _edit(package_copy / "index" / "keyword_writer.py", "\nfrom indexer.text import snippets  # noqa: F401\n")
    before = content_hash(settings, package_root=package_copy)
    _edit(snippets)
    assert content_hash(settings, package_root=package_copy) != before


def test_package_inits_only_name_their_public_face():
    """Why the closure does not follow the __init__ of every package on a module's path: each one
    only imports and names (docstring, imports, __all__, __version__), so running it writes nothing."""
    for init in sorted(PACKAGE_ROOT.rglob("__init__.py")):
        for node in ast.parse(init.read_text(encoding="utf-8")).body:
            ok = isinstance(node, (ast.Import, ast.ImportFrom)) or \
                (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) or \
                (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] in (["__all__"], ["__version__"]))
            assert ok, f"{init.relative_to(PACKAGE_ROOT)}:{node.lineno} does more than name the package's face"


# -- the imports read once per module version (an engine's open computes the closure) ---------------------

def _every_import(source: bytes) -> set[str]:
    """What a module imports, by a walk over every node of its tree (the rule, the slow way)."""
    tree = ast.parse(source)
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            hidden |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return out


def test_imports_are_read_from_statements_only_and_miss_none():
    """The walk visits statements only; every module of the package gives what a walk over all nodes gives
    (imports in functions, methods, try/except/finally, with, loops; none under TYPE_CHECKING)."""
    nested = (b"import a\nif TYPE_CHECKING:\n    import hidden\nelse:\n    import b\n"
              b"def f():\n    try:\n        import c\n    except ImportError:\n        from d import e\n"
              b"    finally:\n        import f\n    with x:\n        for i in y:\n            import g\n"
              b"class K:\n    def m(self):\n        match v:\n            case 1:\n                import h\n")
    assert set(read_imports(nested)) == {"a", "b", "c", "d", "d.e", "f", "g", "h"} == _every_import(nested)
    for module in sorted(PACKAGE_ROOT.rglob("*.py")):
        assert set(read_imports(module.read_bytes())) == _every_import(module.read_bytes()), module


def test_the_next_process_reads_the_closure_from_the_cache_file(package_copy, monkeypatch):
    first = closure(WRITERS["collection"], package_copy)
    cache = package_copy / IMPORTS_CACHE
    assert cache.is_file()
    parsed: list[str] = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, filename="<unknown>", *a, **kw:
                        parsed.append(filename) or real_parse(source, filename, *a, **kw))
    fingerprint._IMPORTS.forget()  # a new process: nothing in memory, the file on disk
    assert closure(WRITERS["collection"], package_copy) == first
    assert parsed == []
    # An edited module has another digest: of the modules read before, it alone is read again, and the
    # import it gained counts at once (the new modules of the closure are read for the first time).
    writer = package_copy / "index" / "keyword_writer.py"
    _edit(writer, "\nfrom indexer.text import snippets  # noqa: F401\n")
    fingerprint._IMPORTS.forget()
    after = closure(WRITERS["collection"], package_copy)
    assert package_copy / "text" / "snippets.py" in after and package_copy / "text" / "snippets.py" not in first
    assert [p for p in parsed if Path(p) in first] == [str(writer)]
    assert {Path(p) for p in parsed} == {writer} | (set(after) - set(first))


def test_a_cache_file_of_another_rule_or_damaged_is_ignored(package_copy):
    expected = closure(WRITERS["regional"], package_copy)
    cache = package_copy / IMPORTS_CACHE
    data = json.loads(cache.read_text(encoding="utf-8"))
    # Another rule (fingerprint.py changed): its entries, here all emptied, are not believed.
    cache.write_text(json.dumps({"rule": "another", "imports": {k: [] for k in data["imports"]}}), encoding="utf-8")
    fingerprint._IMPORTS.forget()
    assert closure(WRITERS["regional"], package_copy) == expected
    cache.write_text("{not json", encoding="utf-8")
    fingerprint._IMPORTS.forget()
    assert closure(WRITERS["regional"], package_copy) == expected
    assert json.loads(cache.read_text(encoding="utf-8"))["rule"] == data["rule"]  # written again, whole


def test_the_cache_file_keeps_older_versions_up_to_its_bound(package_copy, monkeypatch):
    closure(WRITERS["regional"], package_copy)
    cache = package_copy / IMPORTS_CACHE
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["imports"]["an older version of a module"] = ["indexer.text.snippets"]
    cache.write_text(json.dumps(data), encoding="utf-8")
    writer = package_copy / "index" / "regional_build.py"
    _edit(writer)  # read again: the file is written again
    fingerprint._IMPORTS.forget()
    closure(WRITERS["regional"], package_copy)
    assert "an older version of a module" in json.loads(cache.read_text(encoding="utf-8"))["imports"]
    monkeypatch.setattr(fingerprint, "IMPORTS_CACHE_MAX", 10)  # past the bound: what this process asked for
    _edit(writer)
    fingerprint._IMPORTS.forget()
    expected = closure(WRITERS["regional"], package_copy)
    kept = json.loads(cache.read_text(encoding="utf-8"))["imports"]
    assert "an older version of a module" not in kept and len(kept) == len(expected)
