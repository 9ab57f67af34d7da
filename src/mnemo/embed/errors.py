"""The embedding stage's one error type."""

from __future__ import annotations

from mnemo.config import ConfigError


class ModelError(ConfigError):
    """The model cannot be loaded or built (unknown name, no network for a hub model, bad path)."""
