"""Run code in a fresh interpreter with the checkout importable: for what one process must show by
itself (which modules a serving process imports, its memory, its garbage collector), unaffected by
what the test session has already loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def last_line(code: str, timeout: float = 300) -> str:
    """The last line the code prints; fails the test with its stderr when it exits non-zero."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]
