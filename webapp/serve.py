"""Run the app under waitress (a production WSGI server), never Flask's development server."""

from __future__ import annotations

import logging

from indexer.config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 4) -> None:
    """Open the engine once (model + indexes), then serve until interrupted.

    Raises IndexUnavailable before binding the port when there is no usable index.
    """
    from waitress.server import create_server

    from indexer.search.engine import SearchEngine
    from webapp import create_app

    # Root at WARNING: sentence-transformers draws a progress bar per query when its logger is at INFO.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("waitress", "webapp"):
        logging.getLogger(name).setLevel(logging.INFO)
    engine = SearchEngine.open(settings)
    engine.embedder.encode_query("地方創生")  # warm the model so the first visitor does not wait
    app = create_app({"ENGINE": engine})
    server = create_server(app, host=host, port=port, threads=threads, ident="policykb")  # binds: OSError if taken
    shown = f"[{host}]" if ":" in host else host
    print(f"policykb: serving http://{shown}:{server.effective_port}/ ({threads} threads, index {engine.build_dir.name});"
          " Ctrl-C to stop", flush=True)
    try:
        server.run()
    finally:
        server.close()
