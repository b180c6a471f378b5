"""Run the app under waitress (a production WSGI server), never Flask's development server.

Waitress limits, set on purpose (measured with scripts/bench_http; README 「運用上の約束」):
  - CONNECTION_LIMIT 1000: waitress reads and writes on one asyncore loop and hands only
    complete requests to the worker threads, so an idle or slow connection costs a socket
    and a few kB, never a thread. What it does cost is a slot: at waitress's default of
    100, 100 slow clients lock everyone else out. Past the limit waitress stops accepting.
  - CHANNEL_TIMEOUT_S 15 (default 120) with CLEANUP_INTERVAL_S 5 (default 30): a connection
    that sends nothing for 15 s is closed, so a slot held by a slow client comes back soon;
    a person's browser sends its request at once, and keep-alive reopens cleanly.
  - asyncore_use_poll: select() cannot watch descriptors above 1024; poll() can.
  - BACKLOG 2048: connections the kernel queues while the loop is busy.
  - threads (default 12, --threads): more threads add no CPU on 2 cores, but with 4 a few
    clients sending new 1,000-character queries held every thread (each such request waits
    up to the encoder budget and analyses a long query) and cheap requests queued behind
    them: with 8 such clients, cheap requests' p50 was 438 ms with 4 threads and 66 ms with
    12 (scripts/bench_http --scenario expensive, same machine and load). The expensive step
    (the encoder) has its own bounded queue (indexer.search.budget), so threads never pile up
    inside torch.
  - request header 32 kB and body 64 kB: a 1,000-character query fits in the URL
    (≈9 kB encoded); the app is read-only (GET) and takes no body. Waitress refuses what
    passes them before the app sees the request; webapp.server_errors makes that refusal the
    app's own Japanese page (JSON under /api) stating the limit, and decodes a raw UTF-8
    request line (curl's `?q=交通`) instead of refusing it (`make_server` installs both).

Several worker processes (--workers N, README 「1台を超えて広げる」): the parent binds the
listening socket, forks N children and supervises them; each child opens the engine itself
and runs the same waitress server (all the limits above, per worker) on the inherited socket.
  - One socket shared, not SO_REUSEPORT: every worker accepts from the same queue, so a worker
    that dies loses no queued connection and a busy worker simply accepts less; with
    SO_REUSEPORT the kernel hashes each connection to one worker's own queue, and connections
    queued there when it dies are reset.
  - The engine is opened after the fork, never before: torch's thread pools do not survive a
    fork, and most of what a worker holds is private anyway: ≈ 0.8 GB anonymous (the model's
    weights and Python objects) of a PSS of 0.85–0.99 GB (scripts/bench_workers). The index
    files are memory-mapped and immutable, so their pages are shared through the page cache.
  - Waitress rather than gunicorn, by measurement (README 「1台を超えて広げる」): with 2 workers
    the same throughput and PSS within the noise (126–135 against 116–133 req/s), but beside 150
    slow connections (scripts/bench_http --scenario slow) gunicorn's gthread workers answered
    nothing for 15 s, since they read requests on their threads, while waitress answered every
    request (p50 11–12 ms): waitress reads on its loop and hands threads only whole requests.
  - The parent holds no engine and no threads; it restarts a worker that dies (waiting longer
    each time one fails to start), stops all on SIGINT/SIGTERM, and reports each worker's RSS
    and PSS (/proc/<pid>/smaps_rollup) once it has loaded the engine.
"""

from __future__ import annotations

import ctypes
import logging
import os
import select
import signal
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import NoReturn

from waitress.server import create_server

from indexer.config import Settings
from indexer.errors import PolicykbError, UsageError
from indexer.search.budget import EncoderBudget, Lanes, SharedLanes, freeze_heap, one_blas_thread
from indexer.search.engine import SearchEngine
from webapp import compile_templates, create_app
from webapp.memory import memory_line, process_memory
from webapp.server_errors import install

CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT_S = 15
CLEANUP_INTERVAL_S = 5
BACKLOG = 2048
MAX_HEADER_BYTES = 32 * 1024
MAX_BODY_BYTES = 64 * 1024
#: How long a request waits for the encoder before answering from the keyword side, and how many
#: encodings may be queued or running at once (see indexer.search.budget).
ENCODER_BUDGET_S = 0.3
ENCODER_MAX_PENDING = 2
#: Cores one query encoding may use (of 2 here): the other stays for everything else.
ENCODER_THREADS = 1
#: CPU seconds of its own thread one search may spend before the rest of a long page (past its first
#: 10 results) comes without highlights and matched words (indexer.search.budget.Cut). CPU, not wall
#: time: the wall-clock budget of 0.1 s cut the reasons of ordinary first requests on a loaded machine,
#: where a request mostly waits for a core. A keyword search of the gold queries takes 1–4 ms of CPU,
#: a query of MAX_QUERY_WORDS words tens; 0.1 s is reached only by pages of many results (exports).
WORK_BUDGET_S = 0.1
#: Admission control (indexer.search.budget.Lanes): expensive searches (a query of more than 100
#: characters, a page of more than 100 results) run one at a time; up to `threads - CHEAP_THREADS` of
#: them may wait for the lane, each at most EXPENSIVE_WAIT_S, else 503 with a Japanese message. One
#: lane because Python runs one thread at a time: eight long queries at once only took turns on the
#: interpreter with the cheap requests (measured: scripts/bench_http --scenario expensive).
EXPENSIVE_LANES = 1
EXPENSIVE_WAIT_S = 5.0
#: Server threads expensive requests may never take, waiting or running: cheap requests' share.
CHEAP_THREADS = 4
#: The interpreter's switch interval (sys.setswitchinterval; Python's default is 5 ms): a thread that
#: wants the GIL waits up to this long for the running one to let go. A cheap request asks for the GIL
#: again after each socket read and write and after tantivy's search, so with the default it waited
#: 5 ms several times beside one expensive search; 1 ms costs a few more switches of CPU-bound threads.
SWITCH_INTERVAL_S = 0.001
#: Each worker holds its own engine (≈ 1 GB here): more than this is a typo, not a plan.
MAX_WORKERS = 32
#: The default number of workers is the cores this process may run on, at most this many: one
#: process uses one core (the GIL), and every worker holds its own model and Python objects
#: (PSS ≈ 0.4 GB default corpus, ≈ 0.9 GB all laws), so a large machine is not filled by default.
AUTO_WORKERS_MAX = 4
#: A worker asked to stop gets this long (waitress lets running requests finish for 5 s) before SIGKILL.
STOP_GRACE_S = 10.0
#: A replacement that fails to start is retried after 1, 2, 4 … seconds, at most this long.
RESTART_BACKOFF_MAX_S = 30.0


def shared_lane_count(workers: int) -> int:
    """Expensive searches running at once in all the workers of a server: one core is always left
    to the cheap ones (two workers each running its own long query left them none: a record page's
    p95 beside 8 long-query clients was 41–140 ms, against 26–27 ms with one process)."""
    return max(1, workers - 1)


def default_workers() -> int:
    """Worker processes `policykb serve` starts unless told: the usable cores, 1–AUTO_WORKERS_MAX.

    On 2 cores, 8 clients: one process 121–214 req/s, two workers 219–327 req/s, in turn on one index
    (`scripts/bench_http --clients 8 --warmup --compare-tree`, docs/scaling.md section 第10回)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_WORKERS_MAX))


def waitress_options(threads: int) -> dict:
    return {"threads": threads, "connection_limit": CONNECTION_LIMIT, "channel_timeout": CHANNEL_TIMEOUT_S,
            "cleanup_interval": CLEANUP_INTERVAL_S, "backlog": BACKLOG, "asyncore_use_poll": True,
            "max_request_header_size": MAX_HEADER_BYTES, "max_request_body_size": MAX_BODY_BYTES}


def make_server(app, **kw):
    """waitress.create_server with Japanese refusals and raw UTF-8 request lines (webapp.server_errors)."""
    server_map: dict = {}
    server = create_server(app, map=server_map, **kw)
    install(server_map, app)
    return server


def _open_app(settings: Settings, threads: int = 12, shared_lanes: SharedLanes | None = None):
    """The engine (model warmed) and the app over it; what each worker does once (`shared_lanes`: the
    expensive searches' lanes of all the workers of a server)."""
    # Root at WARNING: sentence-transformers draws a progress bar per query when its logger is at INFO.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("waitress", "webapp"):
        logging.getLogger(name).setLevel(logging.INFO)
    engine = SearchEngine.open(settings)
    engine.encoder_budget = EncoderBudget(ENCODER_BUDGET_S, ENCODER_MAX_PENDING)
    engine.encoder_threads = ENCODER_THREADS
    engine.work_budget_s = WORK_BUDGET_S
    engine.lanes = Lanes(EXPENSIVE_LANES, waiting=max(1, threads - CHEAP_THREADS - EXPENSIVE_LANES),
                         wait_s=EXPENSIVE_WAIT_S, shared=shared_lanes)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    one_blas_thread()  # a search's vector products are small; the other core serves other requests
    engine.warm()  # the model, Sudachi, the mapped indexes, the synonyms: not in the first visitor's request
    app = create_app({"ENGINE": engine})
    compile_templates(app)
    freeze_heap()  # the engine lives as long as the process: full collections need not walk it
    return engine, app


def base_url_note() -> str | None:
    """What the operator is told at start when POLICYKB_BASE_URL is unset (None when it is set).

    Said once the address is bound, so a refused start stays one line. Citations still carry a full
    link without it (the page's script resolves the path against the address the reader sees),
    but CSV rows and JSON stay relative.
    """
    if os.environ.get("POLICYKB_BASE_URL"):
        return None
    return ("policykb: 注意: POLICYKB_BASE_URL が設定されていません。引用のURLは閲覧しているページのアドレスから作られ、"
            "CSV・JSONのURLは相対パスになります。公開するURLに固定するには、例えば "
            "POLICYKB_BASE_URL=https://policykb.example.jp policykb serve のように設定して起動してください。")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 12, workers: int = 1) -> int:
    """Open the engine once per process (model + indexes), then serve until interrupted; the exit status.

    With workers=1 this process serves. Raises IndexUnavailable / ModelUnavailable before binding
    the port when there is no usable index or model, and UsageError when the address cannot be
    bound. With more workers see `serve_workers`.
    """
    if workers != 1:
        return serve_workers(settings, host, port, threads, workers)
    engine, app = _open_app(settings, threads)
    try:
        server = make_server(app, host=host, port=port, ident="policykb", **waitress_options(threads))
    except OSError as exc:  # the port is taken, the address is not ours…
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    state = " (stale)" if engine.stale else ""
    print(memory_line(os.getpid(), process_memory()), file=sys.stderr, flush=True)
    print(f"policykb: serving http://{shown}:{server.effective_port}/ ({threads} threads, index {engine.build_dir.name}{state});"
          " Ctrl-C to stop", flush=True)
    if note := base_url_note():
        print(note, file=sys.stderr, flush=True)
    try:
        server.run()
    finally:
        server.close()
        engine.encoder_budget.close()
    return 0


# -- several worker processes ----------------------------------------------------------------

def _listen(host: str, port: int) -> list[socket.socket]:
    """Bound, listening sockets for host:port (every address the name resolves to, as waitress does)."""
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                                   socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    socks: list[socket.socket] = []
    try:
        for family, kind, proto, _, addr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress: restart over TIME_WAIT
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(addr)
            sock.listen(BACKLOG)
    except OSError as exc:
        for sock in socks:
            sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return socks


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGTERM this worker when the supervisor dies (even by SIGKILL), so none is orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor's own shutdown still stops the workers
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _report(fd: int, *fields: object) -> None:
    # One write of less than PIPE_BUF bytes: the lines of several workers never interleave.
    line = " ".join(str(f).replace("\n", " ") for f in fields)[:3000] + "\n"
    os.write(fd, line.encode("utf-8", "replace"))


def _worker(settings: Settings, socks: list[socket.socket], threads: int, report_fd: int, parent: int,
            shared_lanes: SharedLanes) -> NoReturn:
    """A forked child: open the engine, say so, serve on the inherited sockets; never returns."""
    code = 1
    try:
        def stop(signum, frame):  # waitress's loop turns SystemExit into a clean shutdown
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _die_with_parent(parent)
        try:
            engine, app = _open_app(settings, threads, shared_lanes)
        except PolicykbError as exc:  # the supervisor prints it once, not once per worker
            _report(report_fd, "error", os.getpid(), exc.exit_code, exc.message)
            os._exit(exc.exit_code)
        server = make_server(app, sockets=socks, ident="policykb", **waitress_options(threads))
        _report(report_fd, "ready", os.getpid(), int(engine.stale), engine.build_dir.name)
        try:
            server.run()
        finally:
            server.close()
            engine.encoder_budget.close()
        code = 0
    except (SystemExit, KeyboardInterrupt):
        code = 0
    except BaseException:  # a bug: show it, and let the supervisor decide
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class _Supervisor:
    """The parent: forks the workers, restarts the ones that die, stops them all on a signal."""

    def __init__(self, settings: Settings, socks: list[socket.socket], threads: int, workers: int,
                 lanes_dir: Path):
        self.settings, self.socks, self.threads, self.workers = settings, socks, threads, workers
        self.shared_lanes = SharedLanes(lanes_dir, shared_lane_count(workers))
        self.children: dict[int, bool] = {}  # pid → ready
        self.failures = 0                     # replacements in a row that died before they were ready
        self.restart_at: float | None = None  # when to fork the missing workers
        self.stopping = False
        self.buffer = b""
        self.report_r, self.report_w = os.pipe()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.report_r, self.wake_r, self.wake_w):
            os.set_blocking(fd, False)

    def _fork(self) -> None:
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for fd in (self.report_r, self.wake_r, self.wake_w):
                os.close(fd)
            _worker(self.settings, self.socks, self.threads, self.report_w, parent, self.shared_lanes)
        self.children[pid] = False

    def _signal(self, signum, frame) -> None:
        if signum in (signal.SIGINT, signal.SIGTERM):
            self.stopping = True
        # SIGCHLD needs no action here: the byte on the wake-up pipe ends the wait, and _reap collects.

    def _messages(self) -> list[list[str]]:
        try:
            while chunk := os.read(self.report_r, 65536):
                self.buffer += chunk
        except BlockingIOError:
            pass
        *lines, self.buffer = self.buffer.split(b"\n")
        return [line.decode("utf-8", "replace").split(" ", 3) for line in lines if line]

    def _reap(self) -> list[tuple[int, bool, int]]:
        """(pid, was it ready, wait status) of every child that has ended."""
        ended = []
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in self.children:
                ended.append((pid, self.children.pop(pid), status))
        return ended

    def run(self, announce) -> int:
        """Serve until a signal; the exit status. `announce(build, stale)` runs once all workers are ready."""
        handlers = {s: signal.signal(s, self._signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}
        old_wakeup = signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        started = False
        status = 0
        said: set[str] = set()      # error messages already printed
        explained: set[int] = set()  # workers whose end an error message explains
        try:
            for _ in range(self.workers):
                self._fork()
            while not self.stopping:
                select.select([self.report_r, self.wake_r], [], [], 1.0)
                try:
                    os.read(self.wake_r, 4096)
                except BlockingIOError:
                    pass
                if self.stopping:  # Ctrl-C reaches the workers too: their ends are no news
                    break
                for msg in self._messages():
                    if msg[0] == "ready" and len(msg) == 4 and int(msg[1]) in self.children:
                        pid = int(msg[1])
                        self.children[pid] = True
                        self.failures = 0
                        if started:  # a replacement: report it now; the first ones are reported together
                            print(memory_line(pid, process_memory(pid)), file=sys.stderr, flush=True)
                        elif all(self.children.values()) and len(self.children) == self.workers:
                            started = True
                            for p in sorted(self.children):
                                print(memory_line(p, process_memory(p)), file=sys.stderr, flush=True)
                            announce(msg[3], msg[2] == "1")
                    elif msg[0] == "error" and len(msg) == 4:
                        explained.add(int(msg[1]))
                        if msg[3] not in said:  # every worker meets the same missing index: say it once
                            said.add(msg[3])
                            print(f"policykb: {msg[3]}", file=sys.stderr, flush=True)
                        if not started:
                            status = int(msg[2]) if msg[2].isdigit() else 1
                for pid, ready, wait_status in self._reap():
                    code = os.waitstatus_to_exitcode(wait_status)
                    if not started:  # a worker that cannot start now will not start on retry either
                        status = status or 1
                        if pid not in explained:
                            print(f"policykb: worker {pid} could not start (exit status {code}); stopping",
                                  file=sys.stderr, flush=True)
                        self.stopping = True
                        break
                    how = f"signal {-code}" if code < 0 else f"exit status {code}"
                    print(f"policykb: worker {pid} ended ({how}); starting a new one", file=sys.stderr, flush=True)
                    if not ready:
                        self.failures += 1
                    delay = min(RESTART_BACKOFF_MAX_S, 2.0 ** (self.failures - 1)) if self.failures else 0.0
                    self.restart_at = time.monotonic() + delay
                if not self.stopping and self.restart_at is not None and time.monotonic() >= self.restart_at:
                    self.restart_at = None
                    while len(self.children) < self.workers:
                        self._fork()
        finally:
            self._stop_all()
            signal.set_wakeup_fd(old_wakeup)
            for s, h in handlers.items():
                signal.signal(s, h)
            for fd in (self.report_r, self.report_w, self.wake_r, self.wake_w):
                os.close(fd)
        return status

    def _stop_all(self) -> None:
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_GRACE_S
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in list(self.children):  # still busy after the grace period
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.children.pop(pid, None)


def serve_workers(settings: Settings, host: str, port: int, threads: int, workers: int) -> int:
    """Serve with `workers` processes on one listening socket; the exit status.

    The port is bound here, before any engine is opened, so a taken port is reported at once
    (UsageError). A worker that fails to open the engine at start-up stops the whole group with
    its message; later, a worker that dies is replaced.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be 1–{MAX_WORKERS}, not {workers}")
    socks = _listen(host, port)
    bound = socks[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host

    def announce(build: str, stale: bool) -> None:
        state = " (stale)" if stale else ""
        print(f"policykb: serving http://{shown}:{bound}/ ({workers} workers × {threads} threads, index {build}{state});"
              " Ctrl-C to stop", flush=True)
        if note := base_url_note():
            print(note, file=sys.stderr, flush=True)

    try:
        # The lanes' lock files live as long as the supervisor (its workers die with it). Should the
        # directory vanish, each worker keeps its own lane (SharedLanes.acquire).
        with tempfile.TemporaryDirectory(prefix="policykb-lanes-") as lanes_dir:
            return _Supervisor(settings, socks, threads, workers, Path(lanes_dir)).run(announce)
    finally:
        for sock in socks:
            sock.close()
