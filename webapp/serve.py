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
    (≈9 kB encoded); the app is read-only (GET) and takes no body.
"""

from __future__ import annotations

import logging

from indexer.config import Settings
from indexer.errors import UsageError

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
#: Cores torch may use for one encoding (of 2 here): the other stays for everything else.
ENCODER_TORCH_THREADS = 1


def waitress_options(threads: int) -> dict:
    return {"threads": threads, "connection_limit": CONNECTION_LIMIT, "channel_timeout": CHANNEL_TIMEOUT_S,
            "cleanup_interval": CLEANUP_INTERVAL_S, "backlog": BACKLOG, "asyncore_use_poll": True,
            "max_request_header_size": MAX_HEADER_BYTES, "max_request_body_size": MAX_BODY_BYTES}


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 12) -> None:
    """Open the engine once (model + indexes), then serve until interrupted.

    Raises IndexUnavailable / ModelUnavailable before binding the port when there is no usable
    index or model, and UsageError when the address cannot be bound.
    """
    from waitress.server import create_server

    from indexer.search.budget import EncoderBudget
    from indexer.search.engine import SearchEngine
    from webapp import create_app

    # Root at WARNING: sentence-transformers draws a progress bar per query when its logger is at INFO.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("waitress", "webapp"):
        logging.getLogger(name).setLevel(logging.INFO)
    engine = SearchEngine.open(settings)
    engine.encoder_budget = EncoderBudget(ENCODER_BUDGET_S, ENCODER_MAX_PENDING, torch_threads=ENCODER_TORCH_THREADS)
    engine.embedder.encode_query("地方創生")  # warm the model so the first visitor does not wait
    app = create_app({"ENGINE": engine})
    try:
        server = create_server(app, host=host, port=port, ident="policykb", **waitress_options(threads))
    except OSError as exc:  # the port is taken, the address is not ours…
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    state = " (stale)" if engine.stale else ""
    print(f"policykb: serving http://{shown}:{server.effective_port}/ ({threads} threads, index {engine.build_dir.name}{state});"
          " Ctrl-C to stop", flush=True)
    try:
        server.run()
    finally:
        server.close()
        engine.encoder_budget.close()
