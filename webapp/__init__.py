"""The policykb web app: search, the cross-reference view, era comparison, KPIs, case map, JSON API.

`create_app(config)` builds the app (Flask tutorial style). The search engine —
model and indexes — is opened once per process and kept in
`app.extensions["policykb_engine"]`; tests pass an already-open engine as
`config["ENGINE"]` so a whole session shares one.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from indexer.search.engine import SearchEngine

EXTENSION_KEY = "policykb_engine"

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def get_engine() -> SearchEngine:
    return current_app.extensions[EXTENSION_KEY]


def _open_engine(config: dict) -> SearchEngine:
    from indexer.config import load_settings

    settings = load_settings(
        corpus_dir=Path(config["CORPUS_DIR"]) if config.get("CORPUS_DIR") else None,
        index_dir=Path(config["INDEX_DIR"]) if config.get("INDEX_DIR") else None,
        model_dir=Path(config["MODEL_DIR"]) if config.get("MODEL_DIR") else None,
    )
    return SearchEngine.open(settings)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config keys: INDEX_DIR / MODEL_DIR / CORPUS_DIR, or ENGINE (an open SearchEngine)."""
    app = Flask(__name__)
    app.config.from_mapping(SEND_FILE_MAX_AGE_DEFAULT=3600)
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    engine = app.config.pop("ENGINE", None) or _open_engine(app.config)
    app.extensions[EXTENSION_KEY] = engine

    from webapp import api, cases, compare, errors, records, search, targets, template_filters

    template_filters.init_app(app)
    errors.init_app(app)
    for bp in (search.bp, records.bp, compare.bp, targets.bp, cases.bp, api.bp):
        app.register_blueprint(bp)
    from webapp import reader
    app.register_blueprint(reader.bp)

    @app.after_request
    def _security_headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp

    return app
