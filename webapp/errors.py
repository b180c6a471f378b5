"""Every error a user can cause gets a 4xx with a Japanese message: an HTML page for pages,
{"error": message} for the API and .json twins, plain text for .csv. Nothing reaches a 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.engine_errors import QueryError

log = logging.getLogger("webapp")

MESSAGES = {
    400: "リクエストの内容に誤りがあります。",
    404: "お探しのページまたは記録は見つかりませんでした。",
    405: "このURLでは、その操作（HTTPメソッド）はできません。このサイトは閲覧専用です。",
    500: "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。",
}
TITLES = {400: "入力内容を確認してください", 404: "見つかりません", 405: "許可されていない操作です",
          500: "サーバーエラー"}


def _flavour() -> str:
    path = request.path
    if path.startswith("/api/") or path.endswith(".json"):
        return "json"
    if path.endswith(".csv"):
        return "text"
    return "html"


def error_response(status: int, message: str) -> Response:
    flavour = _flavour()
    if flavour == "json":
        resp = jsonify({"error": message, "status": status})
    elif flavour == "text":
        resp = make_response(message + "\n")
        resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        resp = make_response(render_template("error.html", status=status, title=TITLES.get(status, "エラー"),
                                             message=message))
    resp.status_code = status
    return resp


def init_app(app: Flask) -> None:
    @app.errorhandler(QueryError)
    def _query_error(exc: QueryError):
        return error_response(400, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES.get(status) or exc.description or "エラーが発生しました。"
        if status == 404 and getattr(exc, "description", None) and exc.description.startswith("記録"):
            message = exc.description
        resp = error_response(status, message)
        if status == 405 and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error on %s", request.full_path)
        return error_response(500, MESSAGES[500])
