"""The policykb web app: search, the cross-reference view, era comparison, KPIs, case map, JSON API.

`create_app(config)` builds the app (Flask tutorial style). The search engine —
model and indexes — is opened once per process and kept in
`app.extensions["policykb_engine"]`; tests pass an already-open engine as
`config["ENGINE"]` so a whole session shares one.

Service state travels with every answer: a stale index (built from an older
corpus or model) is served and said so (`stale: true` in JSON, a banner on
pages); an answer whose semantic side was skipped under load says so too
(`degraded: true`, a note) and is sent `no-store`. Every other dynamic GET
carries an ETag from what it depends on (build, application version,
staleness, URL) and answers If-None-Match with 304. `/healthz` reports the
build, its hashes, staleness, whether the model is loaded, and the answering worker
process (pid, RSS and PSS). URLs the app
writes out (CSV columns, redirects) come from `POLICYKB_BASE_URL`, or are
relative: never from the request's Host header.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, g, jsonify, request

from indexer import __version__
from indexer.config import load_settings
from indexer.search import SearchEngine, budget
# The engine and base URL first: the blueprints imported below read them from webapp.context.
from webapp.context import EXTENSION_KEY, base_url, get_engine
from webapp import api, cases, compare, errors, reader, records, search, targets, template_filters
from webapp.memory import process_memory

__all__ = ["create_app", "get_engine", "base_url", "EXTENSION_KEY"]

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def _etag(engine: SearchEngine) -> str:
    key = "\0".join((engine.build_dir.name, __version__, str(engine.stale), request.url))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _conditional(app: Flask) -> None:
    """ETag / 304 / Cache-Control, the stale and degraded flags in JSON, base-URL redirects."""
    def cacheable() -> bool:
        return request.method in ("GET", "HEAD") and request.endpoint not in (None, "static", "healthz")

    @app.before_request
    def _start():
        budget.start_request()
        if cacheable():
            g.policykb_etag = _etag(get_engine())
            if request.if_none_match.contains(g.policykb_etag):  # nothing to compute: the client has it
                resp = app.response_class(status=304)
                resp.set_etag(g.policykb_etag)
                resp.headers["Cache-Control"] = "no-cache"
                return resp
        return None

    @app.after_request
    def _state(resp):
        engine = get_engine()
        reason = budget.degraded_reason()
        if resp.status_code == 200 and resp.mimetype == "application/json" and (engine.stale or reason):
            data = resp.get_json(silent=True)
            if isinstance(data, dict):
                if engine.stale:
                    data["stale"] = True
                if reason:
                    data.update(degraded=True, degraded_reason=budget.REASONS[reason])
                resp.set_data(app.json.dumps(data))
        if reason or budget.time_cut():  # never stored, never revalidated: a later answer may be whole
            resp.headers["Cache-Control"] = "no-store"
            resp.headers.pop("ETag", None)
        elif resp.status_code == 200 and cacheable() and "policykb_etag" in g:
            resp.set_etag(g.policykb_etag)
            resp.headers["Cache-Control"] = "no-cache"  # keep, but ask each time (a 304 is cheap)
        location = resp.headers.get("Location")
        if location and location.startswith(request.host_url):  # werkzeug's own redirects are absolute
            resp.headers["Location"] = base_url() + "/" + location[len(request.host_url):]
        return resp

    @app.context_processor
    def _notices():
        notices = []
        engine = get_engine()
        if engine.stale:
            notices.append("索引は現在のコーパスより前に作られたものです。表示内容が最新でない場合があります（更新作業中）。")
        if engine.fallback:
            notices.append("最新の索引に問題があるため、以前の索引で表示しています。")
        reason = budget.degraded_reason()
        if reason:
            notices.append(budget.REASONS[reason])
        return {"service_notices": notices}

    @app.get("/healthz", endpoint="healthz")
    def healthz():
        engine = get_engine()
        m = engine.manifest
        resp = jsonify({
            "status": "ok", "version": __version__, "build": engine.build_dir.name, "built_at": m.get("built_at"),
            "index_hash": m.get("hash"), "corpus_hash": m.get("corpus_hash"), "model_hash": m.get("model_hash"),
            "stale": engine.stale, "fallback": engine.fallback,
            # Loaded on first semantic need (the server warms it at start).
            "model_loaded": engine.model_loaded,
            "encoder_budget_s": engine.encoder_budget.budget_s if engine.encoder_budget else None,
            # Which process answered and what it costs (`serve --workers N`): PSS counts the
            # memory-mapped index pages it shares with the other workers only in part.
            "worker": _worker_state(),
        })
        resp.headers["Cache-Control"] = "no-store"
        return resp


def _worker_state() -> dict:
    mem = process_memory() or {}
    return {"pid": os.getpid(), "rss_mb": mem.get("rss_mb"), "pss_mb": mem.get("pss_mb")}


def _open_engine(config: dict) -> SearchEngine:
    settings = load_settings(
        corpus_dir=Path(config["CORPUS_DIR"]) if config.get("CORPUS_DIR") else None,
        index_dir=Path(config["INDEX_DIR"]) if config.get("INDEX_DIR") else None,
        model_dir=Path(config["MODEL_DIR"]) if config.get("MODEL_DIR") else None,
    )
    return SearchEngine.open(settings)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config keys: INDEX_DIR / MODEL_DIR / CORPUS_DIR, or ENGINE (an open SearchEngine);
    BASE_URL (default: the POLICYKB_BASE_URL environment variable, else relative URLs)."""
    app = Flask(__name__)
    app.config.from_mapping(SEND_FILE_MAX_AGE_DEFAULT=3600, BASE_URL=os.environ.get("POLICYKB_BASE_URL", ""))
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    engine = app.config.pop("ENGINE", None) or _open_engine(app.config)
    app.extensions[EXTENSION_KEY] = engine

    template_filters.init_app(app)
    errors.init_app(app)
    _conditional(app)
    for bp in (search.bp, records.bp, compare.bp, targets.bp, cases.bp, api.bp):
        app.register_blueprint(bp)
    app.register_blueprint(reader.bp)

    @app.after_request
    def _security_headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp

    return app


def compile_templates(app: Flask) -> int:
    """Compile every template now (≈ 0.2 s for 15): the server's start, not its first visitors, pays
    for Jinja's parsing. The number compiled."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
