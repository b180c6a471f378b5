"""Is a model directory whole? Checksums recorded at conversion, checked at load.

The converter (indexer.model.e5_convert) writes every file's size and sha256
into its marker file `policykb_model.json`. At load the sizes are checked and
every file but the weights is hashed (tens of milliseconds); the weights'
sha256 (≈470 MB, 1–2 s) is checked by `policykb build` and `policykb verify`,
while a truncated weights file is already caught by its size. A model without
a marker (any sentence-transformers directory of one's own) carries no
checksums; it is only named in one line when it fails to load.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from indexer.config import DEFAULT_MODEL_DIR
from indexer.errors import ModelUnavailable

MARKER_FILE = "policykb_model.json"
#: Files above this size are hashed only in a full check.
QUICK_HASH_LIMIT = 64 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (model weights are 470 MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def model_files(model_dir: Path) -> dict[str, dict]:
    """Size and sha256 of every file of a model directory but the marker."""
    return {p.relative_to(model_dir).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(model_dir.rglob("*")) if p.is_file() and p.name != MARKER_FILE}


def fix_for(model_dir: Path) -> str:
    if model_dir.resolve() == DEFAULT_MODEL_DIR.resolve():
        return "`policykb build` で作り直されます"
    return "モデルのディレクトリを置き直してください"


def model_damaged(model_dir: Path, name: str, reason: str) -> ModelUnavailable:
    return ModelUnavailable(f"埋め込みモデル {model_dir} の {name} が{reason}。{fix_for(model_dir)}。")


def recorded_files(model_dir: Path) -> dict[str, dict] | None:
    try:
        marker = json.loads((model_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = marker.get("files") if isinstance(marker, dict) else None
    return files if isinstance(files, dict) else None


def check_model_dir(model_dir: Path, *, full: bool = False) -> None:
    """Raise ModelUnavailable naming the first missing or damaged file; silent when whole or unchecked."""
    if not model_dir.is_dir():
        raise ModelUnavailable(f"埋め込みモデルがありません（{model_dir}）。{fix_for(model_dir)}。")
    files = recorded_files(model_dir)
    if files is None:
        return
    for rel, meta in files.items():
        p = model_dir / rel
        try:
            size = p.stat().st_size
        except OSError:
            raise model_damaged(model_dir, rel, "ありません") from None
        if size != meta.get("size"):
            raise model_damaged(model_dir, rel, f"壊れています（{size}バイト、変換時は{meta.get('size')}バイト）")
        if (full or size <= QUICK_HASH_LIMIT) and sha256_file(p) != meta.get("sha256"):
            raise model_damaged(model_dir, rel, "壊れています（チェックサムが変換時と異なります）")
