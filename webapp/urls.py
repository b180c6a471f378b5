"""URLs are the UI state: build a link to the current page with some arguments changed."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request


def url_with(args: dict[str, str], path: str | None = None, **changes: str | int | None) -> str:
    """`path` (default: the current path) with `args` updated by `changes`; None removes an argument.

    Changing anything but the page resets the page, so a filter never lands on an empty page 7.
    """
    new = {k: v for k, v in args.items() if v not in (None, "")}
    if any(k != "page" for k in changes):
        new.pop("page", None)
    for k, v in changes.items():
        if v is None or v == "":
            new.pop(k, None)
        else:
            new[k] = str(v)
    if new.get("page") == "1":
        new.pop("page")
    base = path if path is not None else request.path
    return f"{base}?{urlencode(new)}" if new else base
