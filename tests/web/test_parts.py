"""Small parts of the web app: highlighting, the tile map, the app factory."""

from __future__ import annotations

import json
import urllib.request
from webapp import CSP
from webapp.tilemap import COLUMNS, ROWS, TILES

def test_tilemap_layout():
    from indexer.corpus.prefectures import PREFECTURES

    assert set(TILES) == set(PREFECTURES)
    assert len(set(TILES.values())) == 47
    assert all(0 <= c < COLUMNS and 0 <= r < ROWS for c, r in TILES.values())
    hokkaido, okinawa = TILES["北海道"], TILES["沖縄県"]
    assert hokkaido == (max(c for c, _ in TILES.values()), 0)       # top right
    assert okinawa == (0, max(r for _, r in TILES.values()))         # bottom left


def test_serve_subcommand_defaults_to_loopback():
    from policykb.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.threads) == ("127.0.0.1", 8000, 12)  # why 12: webapp/serve.py
    args = build_parser().parse_args(["serve", "--port", "8765", "--threads", "8", "--host", "0.0.0.0"])
    assert (args.host, args.port, args.threads) == ("0.0.0.0", 8765, 8)


def test_live_server_serves_over_http(live_server):
    with urllib.request.urlopen(f"{live_server}/api/search?q=%E4%BA%A4%E9%80%9A%E7%A9%BA%E7%99%BD", timeout=30) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Security-Policy"] == CSP
        data = json.loads(resp.read().decode("utf-8"))
    assert data["results"][0]["url"].startswith("/records/")
    with urllib.request.urlopen(f"{live_server}/", timeout=30) as resp:
        assert "地方創生2.0" in resp.read().decode("utf-8")


def test_every_template_is_compiled_before_the_first_request(app):
    from webapp import compile_templates

    app.jinja_env.cache.clear()
    n = compile_templates(app)
    assert n >= 10 and n == len(app.jinja_env.list_templates())
    assert len(app.jinja_env.cache) == n  # the first request finds each compiled
