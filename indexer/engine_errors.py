"""Errors the search side raises for users; kept light so the CLI imports them cheaply."""


class QueryError(ValueError):
    """The query or a parameter is not acceptable; the message says why (Japanese, for users)."""


class IndexUnavailable(RuntimeError):
    """No index, or one built from another corpus/model: run `policykb build`."""
