"""URLs are the UI state: links to a page with some arguments changed, always built with url_for.

`args` maps a parameter to a string or, for multi-value facets, a list of
strings (`?pillar=1&pillar=3`); url_for writes a list as repeated parameters.
"""

from __future__ import annotations

from flask import request, url_for

Args = dict[str, "str | list[str]"]


def _clean(args: Args) -> Args:
    out: Args = {}
    for k, v in args.items():
        if isinstance(v, (list, tuple)):
            vs = [str(x) for x in v if x not in (None, "")]
            if vs:
                out[k] = vs
        elif v not in (None, ""):
            out[k] = str(v)
    return out


def url_with(args: Args, endpoint: str | None = None, **changes) -> str:
    """The URL of `endpoint` (default: the current page) with `args` updated by `changes`; None removes one.

    Changing anything but the page resets the page, so a filter never lands on an empty page 7.
    """
    new = _clean(args)
    if any(k != "page" for k in changes):
        new.pop("page", None)
    for k, v in changes.items():
        new.pop(k, None)
        new.update(_clean({k: v}))
    if new.get("page") == "1":
        new.pop("page")
    endpoint = endpoint or request.endpoint
    view_args = dict(request.view_args or {}) if endpoint == request.endpoint else {}
    return url_for(endpoint, **view_args, **new)


def toggled(args: Args, name: str, value: str) -> list[str]:
    """The values of a multi-value parameter with `value` added, or removed when it was there."""
    current = args.get(name) or []
    current = [current] if isinstance(current, str) else list(current)
    return [v for v in current if v != value] if value in current else [*current, value]


def record_url(rid: str) -> str:
    return url_for("records.record", rid=rid)


def json_twin(name: str, exists) -> tuple[str, bool]:
    """`/x/<name>.json` is the JSON twin of `/x/<name>`, unless `<name>.json` is itself an id (ids may hold dots)."""
    if name.endswith(".json") and not exists(name):
        return name[: -len(".json")], True
    return name, False
