"""One error handler: every error a user can cause becomes a 4xx with a Japanese message,
rendered by the request as an HTML page, {"error": message} for the API and .json twins,
or plain text for .csv (datasette's handle_exception does the same). Nothing reaches a 500
but a real fault, which is logged."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import PolicykbError

log = logging.getLogger("webapp")

# werkzeug's own errors (routing, methods, oversized requests) get these Japanese texts.
HTTP_MESSAGES = {
    400: ("入力内容を確認してください", "リクエストの内容に誤りがあります。"),
    404: ("見つかりません", "お探しのページまたは記録は見つかりませんでした。"),
    405: ("許可されていない操作です", "このURLでは、その操作（HTTPメソッド）はできません。このサイトは閲覧専用です。"),
    413: ("リクエストが大きすぎます", "リクエストが大きすぎます。"),
    414: ("URLが長すぎます", "URLが長すぎます。検索語を短くしてください。"),
    431: ("リクエストヘッダーが大きすぎます", "リクエストヘッダーが大きすぎます。"),
    500: ("サーバーエラー", "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。"),
    503: ("一時的に利用できません", "サービスが一時的に利用できません。時間をおいて再度お試しください。"),
}


def _flavour() -> str:
    path = request.path
    if path.startswith("/api/") or path.endswith(".json"):
        return "json"
    if path.endswith(".csv"):
        return "text"
    return "html"


def error_response(status: int, title: str, message: str) -> Response:
    flavour = _flavour()
    if flavour == "json":
        resp = jsonify({"error": message, "status": status})
    elif flavour == "text":
        resp = make_response(message + "\n")
        resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        resp = make_response(render_template("error.html", status=status, title=title, message=message))
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def handle_exception(exc: Exception) -> Response:
    if isinstance(exc, PolicykbError):
        if exc.status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, request.full_path, exc.message)
        return error_response(exc.status, exc.title, exc.message)
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        title, message = HTTP_MESSAGES.get(status, ("エラー", "エラーが発生しました。"))
        resp = error_response(status, title, message)
        if status == 405 and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp
    log.exception("unhandled error on %s", request.full_path)
    title, message = HTTP_MESSAGES[500]
    return error_response(500, title, message)


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_exception)
