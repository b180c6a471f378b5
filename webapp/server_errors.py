"""Japanese answers for the requests waitress refuses before the app sees them; raw UTF-8 request lines.

Waitress parses each request on its event loop and refuses some itself, with its own plain-text
English page (`waitress.utilities.Error.to_response`, written by `waitress.task.ErrorTask`):
  - 431 when the request line and headers pass `max_request_header_size` (a 40 KB URL, a 64 KB
    cookie, 10,000 repeated parameters);
  - 413 when a body passes `max_request_body_size`;
  - 400 for a request line or header it cannot parse, and for any byte above 0x7F in the request
    line: it splits the URI with `urllib.parse.urlsplit` on bytes, which decodes them as ASCII.
  - 500 when the application failed before writing anything, 501 for a Transfer-Encoding it lacks.
These never reach Flask, so webapp.errors cannot answer them. Waitress builds each connection
from the server's `channel_class`, whose `parser_class` and `error_task_class` are class
attributes meant to be replaced; `install(server)` sets a channel class of ours on every
listening socket of a server made by `waitress.create_server`. Then:
  - `Parser` percent-encodes the bytes above 0x7F of the request line before waitress splits it,
    as a browser would have sent them (`/api/search?q=交通` from curl becomes `?q=%E4%BA%A4%E9%80%9A`),
    so a raw UTF-8 query is decoded by werkzeug like any other instead of being refused. It also
    keeps the first bytes of the request, so a refusal knows whether it answers the API.
  - `JapaneseErrorTask` renders the refusal through the app's own error page (webapp.errors:
    the same template, JSON {"error", "status"} under /api and for .json, text for .csv, the
    same security headers), with a Japanese message that states the limit the request broke,
    read from the server's own settings. Only the status line stays waitress's.
The limits themselves are set in webapp.serve (each with its reason).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask
from waitress.utilities import (
    BadRequest,
    InternalServerError,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    ServerNotImplemented,
)

from webapp.errors import error_response

log = logging.getLogger("webapp")

_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
#: Enough of the request to read its method and the start of its path.
_HEAD_BYTES = 512


def _kb(n: int) -> str:
    return f"{n // 1024:,} KB（{n:,} バイト）" if n >= 1024 else f"{n:,} バイト"


class Parser(HTTPRequestParser):
    """Waitress's parser, with raw UTF-8 in the request line percent-encoded and the request's head kept."""

    head = b""

    def received(self, data: bytes) -> int:
        if len(self.head) < _HEAD_BYTES and not self.headers_finished:
            self.head = (self.head + data)[:_HEAD_BYTES]
        return super().received(data)

    def parse_header(self, header_plus: bytes) -> None:
        first, sep, rest = header_plus.partition(b"\r\n")
        # RFC 9112 allows only ASCII in the request-target; browsers percent-encode, curl and
        # scripts often do not. Encoding the bytes as %XX is what the browser would have sent.
        first = _HIGH_BYTE.sub(lambda m: b"%%%02X" % m[0][0], first)
        super().parse_header(first + sep + rest)


def request_path(head: bytes) -> str:
    """The path of the request whose first bytes are `head` ('' when the request line is not there)."""
    line = head.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    if len(parts) < 2:
        return ""
    target = _HIGH_BYTE.sub(lambda m: b"%%%02X" % m[0][0], parts[1]).decode("latin-1")
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # an absolute-form target: http://host/path
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return unquote(path, errors="replace")


def describe(error, adj) -> tuple[str, str]:
    """(title, message) in Japanese for one of waitress's errors, the limit stated."""
    if isinstance(error, RequestHeaderFieldsTooLarge):
        return ("リクエストが長すぎます",
                f"URLとリクエストヘッダーの合計が上限の {_kb(adj.max_request_header_size)} を超えたため、受け付けられませんでした。"
                "検索語を短くするか、絞り込みの条件を減らしてください。")
    if isinstance(error, RequestEntityTooLarge):
        return ("リクエストが大きすぎます",
                f"リクエストの本文が上限の {_kb(adj.max_request_body_size)} を超えたため、受け付けられませんでした。"
                "このサイトは閲覧専用で、本文を送る操作はありません。")
    if isinstance(error, ServerNotImplemented):
        return ("対応していない送信方式です", "この転送方式（Transfer-Encoding）には対応していません。")
    if isinstance(error, BadRequest):
        return ("リクエストの形式に誤りがあります",
                "リクエストの書式（HTTP）に誤りがあるため、受け付けられませんでした。URLを確かめてください。")
    return ("サーバーエラー", "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。")


def render(app, path: str, status: int, title: str, message: str) -> tuple[bytes, list[tuple[str, str]]]:
    """The app's own error answer for `path` (page, JSON or text by the path, as webapp.errors does)."""
    # A stand-in path of the same kind: the real one may be cut off or unparseable.
    kind = "/api/" if path.startswith("/api/") else "/x.json" if path.endswith(".json") else \
        "/x.csv" if path.endswith(".csv") else "/"
    with app.test_request_context(kind):
        resp = app.process_response(error_response(status, title, message))
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in ("content-length", "etag")]
        return resp.get_data(), headers


class JapaneseErrorTask(ErrorTask):
    """Waitress's error task, with the body and headers of the app's error page in Japanese."""

    def execute(self) -> None:
        error = self.request.error
        adj = self.channel.server.adj
        title, message = describe(error, adj)
        path = request_path(getattr(self.request, "head", b""))
        try:
            body, headers = render(self.channel.app, path, error.code, title, message)
        except Exception:  # the app cannot render (not ours, or broken): a Japanese line still
            log.exception("cannot render the error page for %s", error.code)
            body = (message + "\n").encode("utf-8")
            headers = [("Content-Type", "text/plain; charset=utf-8")]
        if not isinstance(error, InternalServerError):
            log.info("refused before the app (%s %s): %s", error.code, error.reason, error.body)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JapaneseChannel(HTTPChannel):
    parser_class = Parser
    error_task_class = JapaneseErrorTask
    app = None  # the Flask app whose error page is rendered (the server's own may be wrapped in middleware)


def install(server_map: dict, app) -> None:
    """Give every listening server of a waitress map (the `map=` passed to create_server) our channel."""
    channel = type("JapaneseChannel", (JapaneseChannel,), {"app": app})
    for dispatcher in list(server_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = channel
