"""Who may change what, and which requests are refused before any route runs.

The threat model: the API can start indexing a directory and delete repositories. On a
loopback-only server the only clients are local processes — and web pages open in the user's
browser, which can send requests to 127.0.0.1. So:

* a server that listens beyond loopback must have a token, and every mutating request
  (POST/PUT/PATCH/DELETE) must carry `Authorization: Bearer <token>`;
* a loopback-only server with a token configured requires it too (the user asked for it);
* on a loopback-only server, requests whose Host header is not a loopback name are refused
  (a DNS-rebinding page would send its own host name), and mutating requests from a browser
  page of another origin are refused (their Origin header differs from the Host);
* mutating endpoints take JSON bodies only, so a plain HTML form on another site cannot post one.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request

from mnemo.api.errors import ApiError

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback_host(host: str) -> bool:
    """True when `host` (a listen address or a Host header's name) is on loopback only.

    "0.0.0.0" and "::" listen on every interface, so they are not loopback; an unknown host
    name is treated as not loopback, because it may resolve anywhere.
    """
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The name part of a Host header: "127.0.0.1:3002" → "127.0.0.1", "[::1]:80" → "::1"."""
    value = host_header.strip()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class InsecureServer(ValueError):
    """The server would accept changes from the network without a token."""


@dataclass(frozen=True)
class Settings:
    """What the app enforces. `index_roots`, when set, confines POST /api/index to those
    directories (useful for a shared server); None allows any existing directory."""

    token: str | None = None
    loopback_only: bool = True
    index_roots: tuple[Path, ...] | None = None
    extra_hosts: frozenset[str] = field(default_factory=frozenset)

    def check(self) -> None:
        if not self.loopback_only and not self.token:
            raise InsecureServer(
                "refusing to serve beyond loopback without a token: set MNEMO_API_TOKEN, "
                "or listen on 127.0.0.1"
            )


def host_allowed(settings: Settings, host_header: str | None) -> bool:
    """Whether a request's Host header is acceptable (loopback-only servers accept loopback
    names only; a server open to the network accepts any host, the token protects it)."""
    if not settings.loopback_only:
        return True
    if not host_header:
        return True  # HTTP/1.0 clients; nothing to rebind
    name = _host_name(host_header)
    return is_loopback_host(name) or name.lower() in settings.extra_hosts


def check_origin(request: Request) -> None:
    """Refuse a mutating request sent by a page of another origin (CSRF from a browser)."""
    origin = request.headers.get("origin")
    if not origin:
        return  # not sent by a browser page (curl, scripts, same-origin GETs)
    host = request.headers.get("host", "")
    parts = urlsplit(origin)
    if origin == "null" or parts.netloc.lower() != host.lower():
        raise ApiError(403, f"cross-origin request refused (Origin {origin!r} is not this server)")


def check_token(settings: Settings, request: Request) -> None:
    """Require `Authorization: Bearer <token>` when a token is configured or the server is
    reachable from the network."""
    if settings.token is None:
        if settings.loopback_only:
            return
        raise ApiError(401, "this server requires a token but none is configured")
    header = request.headers.get("authorization", "")
    scheme, _, supplied = header.partition(" ")
    if scheme.lower() != "bearer" or not supplied.strip():
        raise ApiError(
            401,
            "missing token: send 'Authorization: Bearer <MNEMO_API_TOKEN>' with requests that change data",
        )
    if not hmac.compare_digest(supplied.strip().encode(), settings.token.encode()):
        raise ApiError(403, "invalid token")


def require_write(request: Request) -> None:
    """FastAPI dependency for every mutating endpoint."""
    settings: Settings = request.app.state.settings
    check_origin(request)
    check_token(settings, request)
