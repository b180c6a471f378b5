"""Every error policykb shows a person, in one place.

Each error carries the HTTP status it maps to and a message written for the
user (Japanese for what the web app shows; the CLI prints the same text on one
line). The web app has one handler that renders any of them as HTML, JSON or
text by the request (as datasette's DatasetteError does); the CLI maps them to
exit codes. Kept free of heavy imports so the CLI and the web app load it cheaply.
"""

from __future__ import annotations


class PolicykbError(Exception):
    """Base: a message for the user and the HTTP status it answers with."""

    status: int = 500
    title: str = "エラー"
    exit_code: int = 1

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class QueryError(PolicykbError, ValueError):
    """The query or a parameter is not acceptable; the message says why (Japanese, for users)."""

    status = 400
    title = "入力内容を確認してください"
    exit_code = 2


class NotFound(PolicykbError, LookupError):
    """An id or a document that does not exist."""

    status = 404
    title = "見つかりません"
    exit_code = 2


class UsageError(PolicykbError):
    """A command-line argument that cannot be used."""

    status = 400
    exit_code = 2


class IndexUnavailable(PolicykbError, RuntimeError):
    """No usable index (missing, incomplete or damaged): run `policykb build`."""

    status = 503
    title = "索引を利用できません"


class ModelUnavailable(PolicykbError, RuntimeError):
    """The embedding model directory is missing or damaged."""

    status = 503
    title = "モデルを利用できません"


class BuildError(PolicykbError, RuntimeError):
    """A build could not be completed; the index in service is untouched."""

    title = "索引を作成できません"


class CorpusError(PolicykbError):
    """The corpus does not validate: every problem, each naming file, record, field and reason."""

    title = "コーパスに誤りがあります"

    def __init__(self, problems: list):
        self.problems = problems
        lines = [str(p) for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"... and {len(problems) - 50} more")
        super().__init__(f"{len(problems)} problem(s) in the corpus:\n" + "\n".join(lines))
