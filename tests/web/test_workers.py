"""`policykb serve --workers 2`: two processes answer, a killed one is replaced, SIGTERM stops them all.

The real server as a subprocess (`python -m policykb serve --workers 2 --port 0`) over the
session's index (tests/conftest.py `settings`: a real build in a temporary directory), one
server for the module. /healthz names the answering worker's pid; each request opens a new
connection, so the two workers take turns at accepting from the shared socket. The SIGTERM
test ends the server, so it comes last.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180  # two engines loading at once on a shared 2-core machine
HEALTHZ_TRIES = 300


class WorkersServer:
    """The subprocess, its output (kept for assertions and failure messages) and its port."""

    def __init__(self, index_dir: Path):
        cmd = [sys.executable, "-m", "policykb", "--index-dir", str(index_dir),
               "serve", "--workers", "2", "--threads", "4", "--host", "127.0.0.1", "--port", "0"]
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
        env.pop("POLICYKB_BASE_URL", None)  # the start-up note on it is asserted below
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8", errors="replace", bufsize=1)
        self.lines: list[str] = []
        self.port: int | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                self._ready.set()
        self._ready.set()

    def output(self) -> str:
        return "\n".join(self.lines[-30:])

    def healthz(self) -> dict:
        """GET /healthz on a new connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", "/healthz", headers={"Connection": "close"})
            resp = conn.getresponse()
            assert resp.status == 200, f"/healthz answered {resp.status}"
            return json.loads(resp.read())
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def server(settings):
    srv = WorkersServer(settings.index_dir)
    try:
        if not srv._ready.wait(START_TIMEOUT_S) or srv.port is None:
            pytest.fail(f"serve --workers 2 did not start (exit code {srv.proc.poll()}):\n{srv.output()}")
        yield srv
    finally:
        srv.stop()


def answering_pids(srv: WorkersServer, want: int) -> set[int]:
    pids: set[int] = set()
    for _ in range(HEALTHZ_TRIES):
        pids.add(srv.healthz()["worker"]["pid"])
        if len(pids) >= want:
            break
    return pids


def test_two_worker_processes_answer(server):
    pids = answering_pids(server, 2)
    assert len(pids) == 2, f"only {pids} answered in {HEALTHZ_TRIES} requests"
    assert server.proc.pid not in pids, "the supervisor itself must not serve"
    assert all(parent_of(pid) == server.proc.pid for pid in pids)
    body = server.healthz()
    assert body["worker"]["pss_mb"] > 0 and body["worker"]["rss_mb"] >= body["worker"]["pss_mb"]
    # One memory line per worker at start-up, before the serving line.
    memory_lines = [line for line in server.lines if re.search(r"worker \d+: RSS [\d.]+ MB, PSS [\d.]+ MB", line)]
    assert len(memory_lines) >= 2, server.output()


def test_an_unset_base_url_is_said_once_bound_with_how_to_set_it(server):
    for _ in range(50):  # the note follows the serving line
        if any("POLICYKB_BASE_URL が設定されていません" in line for line in server.lines):
            break
        time.sleep(0.1)
    notes = [line for line in server.lines if "POLICYKB_BASE_URL が設定されていません" in line]
    assert len(notes) == 1, server.output()
    assert "POLICYKB_BASE_URL=https://policykb.example.jp policykb serve" in notes[0]
    serving = next(n for n, line in enumerate(server.lines) if "serving http://" in line)
    assert server.lines.index(notes[0]) > serving


def test_killed_worker_is_replaced_and_the_service_keeps_answering(server):
    before = answering_pids(server, 2)
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    seen: set[int] = set()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and not (seen - before):
        seen.add(server.healthz()["worker"]["pid"])  # every request in between must be answered
        time.sleep(0.1)
    new = seen - before
    assert new, f"no new worker answered after killing {victim}:\n{server.output()}"
    assert victim not in seen
    assert all(parent_of(pid) == server.proc.pid for pid in new)
    assert any(f"worker {victim} ended (signal 9)" in line for line in server.lines), server.output()
    assert len(answering_pids(server, 2)) == 2


def test_sigterm_stops_the_whole_group(server):
    pids = answering_pids(server, 2)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0, server.output()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids), f"workers left running: {pids}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


@pytest.mark.parametrize("workers", ["0", "33", "-1"])
def test_a_bad_worker_count_is_one_line(workers, capsys):
    from policykb.cli import main

    assert main(["serve", "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--workers must be 1–32" in err and "Traceback" not in err


def test_a_port_in_use_is_one_line_before_any_engine_opens(capsys):
    from policykb.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        t0 = time.monotonic()
        assert main(["serve", "--workers", "2", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err, err
    assert time.monotonic() - t0 < 5  # bound before any engine is opened


@pytest.mark.parametrize("cores", [1, 2])
def test_without_workers_the_server_uses_the_cores_it_may_run_on(cores, settings):
    """No --workers: one process on one core, one worker per core on more (one process uses one core)."""
    usable = sorted(os.sched_getaffinity(0))
    if len(usable) < cores:
        pytest.skip(f"this machine lets the tests use {len(usable)} core(s)")
    cmd = [sys.executable, "-m", "policykb", "--index-dir", str(settings.index_dir),
           "serve", "--threads", "4", "--host", "127.0.0.1", "--port", "0"]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace",
                            preexec_fn=lambda: os.sched_setaffinity(0, usable[:cores]))
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "serving http://" in line:
                break
        announce = lines[-1] if lines else ""
        assert "serving http://127.0.0.1:" in announce, "".join(lines[-20:])
        if cores == 1:
            assert "(4 threads, index" in announce and "workers" not in announce, announce
        else:
            assert f"({cores} workers × 4 threads" in announce, announce
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
