"""A process's memory as /proc tells it: what /healthz and the worker supervisor report.

Apart from webapp.serve so that the app (webapp/__init__.py, /healthz) can read it without
importing the server, which imports the app.
"""

from __future__ import annotations

import os


def process_memory(pid: int | None = None) -> dict[str, float] | None:
    """{"rss_mb", "pss_mb", "pss_anon_mb", "pss_file_mb"} of a process, or None where /proc cannot tell.

    PSS, not RSS, is the figure for several workers: a page of the memory-mapped index that N
    workers share counts 1/N in each one's PSS and in full in each one's RSS.
    """
    try:
        with open(f"/proc/{pid or os.getpid()}/smaps_rollup", encoding="ascii") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line and not line[0].isdigit())
    except OSError:
        return None
    keys = {"rss_mb": "Rss", "pss_mb": "Pss", "pss_anon_mb": "Pss_Anon", "pss_file_mb": "Pss_File"}
    out = {}
    for name, key in keys.items():
        if key in fields:  # "  970084 kB"
            out[name] = round(int(fields[key].split()[0]) / 1024, 1)
    return out or None


def memory_line(pid: int, mem: dict[str, float] | None) -> str:
    if not mem:
        return f"policykb: worker {pid}: memory unknown (no /proc/{pid}/smaps_rollup)"
    return f"policykb: worker {pid}: RSS {mem.get('rss_mb', 0):.1f} MB, PSS {mem.get('pss_mb', 0):.1f} MB"
