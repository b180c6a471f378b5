"""The staleness hash covers every module that shapes an index, found by a glob, and nothing else.

Each build-side module is edited in a copy of the package: the index is then reported stale.
Query-only modules (search, evaluation, the web app) are edited too: nothing is rebuilt for them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.index.store import BUILD_SIDE, PACKAGE_ROOT, build_side_modules, content_hash

QUERY_SIDE = ("search", "evaluation")


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pkg") / "indexer"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _modules(root: Path, subpackages: tuple[str, ...]) -> list[Path]:
    return sorted(p for sub in subpackages for p in (root / sub).rglob("*.py"))


def test_every_build_side_module_is_hashed(package_copy):
    found = build_side_modules(package_copy)
    assert found == _modules(package_copy, BUILD_SIDE)
    # Includes modules no hand-kept list ever named (the old list left these out).
    names = {p.relative_to(package_copy).as_posix() for p in found}
    assert {"corpus/sources.py", "corpus/prefectures.py", "text/normalize.py"} <= names


def test_editing_any_build_side_module_makes_the_index_stale(package_copy):
    settings = load_settings()
    before = content_hash(settings, package_root=package_copy)
    for module in _modules(package_copy, BUILD_SIDE):
        original = module.read_bytes()
        module.write_bytes(original + b"\n# edited\n")
        try:
            assert content_hash(settings, package_root=package_copy) != before, module
        finally:
            module.write_bytes(original)
    assert content_hash(settings, package_root=package_copy) == before


def test_query_side_edits_never_force_a_rebuild(package_copy):
    settings = load_settings()
    before = content_hash(settings, package_root=package_copy)
    for module in _modules(package_copy, QUERY_SIDE):
        module.write_bytes(module.read_bytes() + b"\n# edited\n")
    assert content_hash(settings, package_root=package_copy) == before
