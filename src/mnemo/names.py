"""What a repository name may be: one rule for the CLI and the API.

A name is shown in terminals, used in URLs (/api/repositories/{name}) and typed by people, so
it must be printable, reachable and unambiguous: 1-200 characters, no `/` or `\\` (a URL path
segment could not hold it), no control or bidirectional-override characters (they would drive
a terminal or disguise the name), not `.` or `..`, no surrounding blanks. When a name defaults
to a directory's name, the same rule applies — `/` has no name at all.
"""

from __future__ import annotations

import re

MAX_NAME_CHARS = 200
_FORBIDDEN = re.compile("[/\\\\\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def repository_name_problem(name: str) -> str | None:
    """Why `name` cannot name a repository, or None when it can."""
    if not name:
        return "a repository name must not be empty (pass one with -r / \"name\")"
    if len(name) > MAX_NAME_CHARS:
        return f"a repository name has at most {MAX_NAME_CHARS} characters"
    if name != name.strip():
        return "a repository name must not start or end with blanks"
    if name in (".", ".."):
        return f"{name!r} cannot name a repository"
    bad = _FORBIDDEN.search(name)
    if bad:
        return f"a repository name must not contain {bad.group()!r} (no '/', '\\\\' or control characters)"
    return None
