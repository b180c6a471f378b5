"""The app's per-process state as the blueprints read it: the open engine and the base URL.

Apart from webapp/__init__.py (the factory) so that every blueprint imports it at module level
without importing the factory, which imports the blueprints.
"""

from __future__ import annotations

from flask import current_app

from indexer.search import SearchEngine

EXTENSION_KEY = "policykb_engine"


def get_engine() -> SearchEngine:
    return current_app.extensions[EXTENSION_KEY]


def base_url() -> str:
    """Prefix for absolute URLs the app writes out: the configured base URL, else "" (relative)."""
    return (current_app.config.get("BASE_URL") or "").rstrip("/")
