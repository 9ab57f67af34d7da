"""What routes share: the database, the repository named in the path, input limits.

Limits are declared once here so every endpoint refuses oversized work the same way (422 with
the parameter named): a graph depth over 5 or a limit over 500 could make one request walk a
whole large repository and starve the others on a small server.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request

from mnemo.store import reports as queries
from mnemo.api.errors import ApiError
from mnemo.store.db import Database

MAX_LIMIT = 500
MAX_DEPTH = 5
MAX_QUERY_BYTES = 10 * 1024
MAX_NAME = 300
MAX_PATH = 4096

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"how many items, 1–{MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description=f"hops, 1–{MAX_DEPTH}")]
RepoName = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="repository name")]
SymbolName = Annotated[
    str, Query(min_length=1, max_length=MAX_NAME, description="a name, a qualified name (Class.method) or a node id")
]


def database(request: Request) -> Database:
    return request.app.state.database


def resolve_repository(db: Database, name: str) -> dict[str, Any]:
    """The repository row for `name`, or 404 naming the repositories that exist (the message
    comes from store.reads, so the CLI and the API word it the same way)."""
    from mnemo.store import reads

    with db.connect() as conn:
        row = queries.repository_by_name(conn, name)
        if row is None:
            try:
                reads.get_repository(conn, name)
            except reads.UnknownRepository as exc:
                raise ApiError(404, str(exc), known=exc.known[:50]) from None
            raise ApiError(404, f"unknown repository {name!r}")
    return row


def check_query_text(text: str, field: str = "q") -> str:
    """Refuse blank or oversized query text (bytes, not characters: the limit protects memory)."""
    if not text.strip():
        raise ApiError(422, f"{field}: must not be blank")
    size = len(text.encode("utf-8"))
    if size > MAX_QUERY_BYTES:
        raise ApiError(422, f"{field}: {size} bytes is over the {MAX_QUERY_BYTES}-byte limit")
    return text


MAX_GLOB_CHARS = 256
MAX_GLOB_WILDCARDS = 16  # each `*` becomes a regex loop; 1,000 of them cost seconds per request


def check_path_glob(glob: str | None, field: str = "path") -> str | None:
    """Refuse a path glob that is invalid or too costly (422), before it reaches SQL."""
    if glob is None:
        return None
    import re

    from mnemo.search.filters import InvalidFilter, glob_to_regex

    if len(glob) > MAX_GLOB_CHARS:
        raise ApiError(422, f"{field}: a glob has at most {MAX_GLOB_CHARS} characters")
    wildcards = glob.count("*") + glob.count("?") + glob.count("[")
    if wildcards > MAX_GLOB_WILDCARDS:
        raise ApiError(422, f"{field}: at most {MAX_GLOB_WILDCARDS} wildcards (*, ?, [) in a glob, not {wildcards}")
    try:
        re.compile(glob_to_regex(glob))  # PostgreSQL's regex would fail the same way, as a 500
    except (InvalidFilter, re.error, ValueError) as exc:
        raise ApiError(422, f"{field}: invalid glob {glob!r}: {exc}") from None
    return glob
