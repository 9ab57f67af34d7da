"""Mnemo's REST API and the server of its web UI (FastAPI). Start with `create_app`."""

from mnemo.api.app import create_app
from mnemo.api.security import InsecureServer, is_loopback_host

__all__ = ["create_app", "InsecureServer", "is_loopback_host"]
