"""Read-side queries that more than one stage needs (search, graph, REST API).

`get_repository` is the one place that turns a user-supplied repository name into a row or a
clear error, so every command reports an unknown repository the same way (exit code 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from mnemo.config import ConfigError
from mnemo.store.writes import Repository

__all__ = ["Repository", "UnknownRepository", "get_repository", "get_repositories", "all_repositories",
           "repositories_with_chunks"]


class UnknownRepository(ConfigError):
    """No repository has this name. The message lists the names that do exist."""

    def __init__(self, name: str, known: Sequence[str] = ()) -> None:
        self.name = name
        self.known = list(known)
        if self.known:
            shown = ", ".join(self.known[:20]) + (" …" if len(self.known) > 20 else "")
            hint = f"known repositories: {shown}"
        else:
            hint = "nothing is indexed yet; run `mnemo index PATH` first"
        super().__init__(f"unknown repository {name!r} ({hint})")


def all_repositories(conn: psycopg.Connection) -> list[Repository]:
    """Every repository, by name."""
    rows = conn.execute("SELECT id, name, root, model, dimension FROM repositories ORDER BY name").fetchall()
    return [Repository(*row) for row in rows]


def get_repository(conn: psycopg.Connection, name: str) -> Repository:
    """The repository called `name`; raises UnknownRepository (with the known names) if none is."""
    row = conn.execute(
        "SELECT id, name, root, model, dimension FROM repositories WHERE name = %s", (name,)
    ).fetchone()
    if row is None:
        raise UnknownRepository(name, [r.name for r in all_repositories(conn)])
    return Repository(*row)


def get_repositories(conn: psycopg.Connection, names: Sequence[str] | None) -> list[Repository]:
    """The named repositories in the order given (duplicates dropped), or all when `names` is None.

    Raises UnknownRepository for the first name that does not exist.
    """
    if names is None:
        return all_repositories(conn)
    found: list[Repository] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        found.append(get_repository(conn, name))
    return found


def repositories_with_chunks(conn: psycopg.Connection, repository_ids: Sequence[int]) -> set[int]:
    """The ids among `repository_ids` that have at least one stored chunk.

    One EXISTS probe per id on the (repository_id, kind) index: constant time however large the
    index, unlike count(*), so search can afford it on every query.
    """
    ids = [int(i) for i in repository_ids]
    if not ids:
        return set()
    rows = conn.execute(
        "SELECT r.id FROM unnest(%s::bigint[]) AS r(id) "
        "WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.repository_id = r.id)",
        (ids,),
    ).fetchall()
    return {row[0] for row in rows}
