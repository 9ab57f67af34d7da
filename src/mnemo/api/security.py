"""Who may change what, and which requests are refused before any route runs.

The threat model: the API serves all indexed source code, can start indexing a directory and
can delete repositories. On a loopback-only server the only clients are local processes — and
web pages open in the user's browser, which can send requests to 127.0.0.1. One policy:

* a server that listens beyond loopback must have a token; with a token set (on any host),
  EVERY /api request must carry `Authorization: Bearer <token>` — reads too, since a read
  returns source code. Only the API docs (/api/docs, /api/openapi.json) are open;
* the Host header must be a name the server is reached by — a loopback name, an IP literal, the
  listen host, or a name given with `--allow-host` — on every server: a DNS-rebinding page sends
  its own host name and is refused (421) before it reaches a route;
* requests from a browser page of another origin (an Origin header that is not this server)
  are refused, and mutating endpoints take JSON bodies only, so a plain form cannot post one;
* request bodies are capped (`MAX_BODY_BYTES`, 413) and may not hold NUL bytes, nor may paths
  or query strings (422): PostgreSQL's text type cannot store one, and a 500 would follow;
* every response carries a Content-Security-Policy (scripts from this server only,
  `frame-ancestors 'none'`), `X-Frame-Options: DENY`, `nosniff` and `no-referrer`.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import json
from typing import Any, Awaitable, Callable

from fastapi import Request

from mnemo.api.errors import ApiError

MAX_BODY_BYTES = 64 * 1024  # the API's bodies are small JSON objects (POST /api/index)
OPEN_PATHS = frozenset({"/api/docs", "/api/openapi.json"})  # documentation: no data, no token
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)

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
    """What the app enforces. `index_roots` confines POST /api/index to those directories
    (`mnemo serve` defaults it to the directory it was started in; never the whole filesystem).
    `extra_hosts` are the names besides loopback names and IP literals that the server is
    reached by (its listen host, `--allow-host` names)."""

    token: str | None = None
    loopback_only: bool = True
    index_roots: tuple[Path, ...] = ()
    extra_hosts: frozenset[str] = field(default_factory=frozenset)

    def check(self) -> None:
        if not self.loopback_only and not self.token:
            raise InsecureServer(
                "refusing to serve beyond loopback without a token: set MNEMO_API_TOKEN, "
                "or listen on 127.0.0.1"
            )
        for root in self.index_roots:
            if root.resolve() == Path(root.resolve().anchor):
                raise InsecureServer(
                    f"refusing {root} as an index root: it is the whole filesystem; "
                    "start the server in (or pass --index-root) the directory that holds your repositories"
                )

    @property
    def token_required(self) -> bool:
        return self.token is not None or not self.loopback_only


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def host_allowed(settings: Settings, host_header: str | None) -> bool:
    """Whether a request's Host header is a name this server is reached by.

    Loopback names and IP literals always are (a DNS-rebinding page needs a host name of its
    own); other names only when listed (`--allow-host`, or the listen host). A loopback-only
    server accepts loopback names and listed names only."""
    if not host_header:
        return True  # HTTP/1.0 clients; nothing to rebind
    name = _host_name(host_header).lower()
    if is_loopback_host(name) or name in settings.extra_hosts:
        return True
    return not settings.loopback_only and _is_ip_literal(name)


def origin_problem(origin: str | None, host: str | None) -> str | None:
    """Why a request's Origin is refused (a page of another origin: CSRF), or None."""
    if not origin:
        return None  # not sent by a browser page (curl, scripts, same-origin GETs)
    parts = urlsplit(origin)
    if origin == "null" or parts.netloc.lower() != (host or "").lower():
        return f"cross-origin request refused (Origin {origin!r} is not this server)"
    return None


def check_origin(request: Request) -> None:
    """Refuse a request sent by a page of another origin (CSRF from a browser)."""
    problem = origin_problem(request.headers.get("origin"), request.headers.get("host"))
    if problem:
        raise ApiError(403, problem)


def token_problem(settings: Settings, authorization: str | None) -> tuple[int, str] | None:
    """(status, message) when the request lacks the token this server requires, else None."""
    if not settings.token_required:
        return None
    if settings.token is None:
        return 401, "this server requires a token but none is configured"
    scheme, _, supplied = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not supplied.strip():
        return 401, "missing token: send 'Authorization: Bearer <MNEMO_API_TOKEN>' with every /api request"
    if not hmac.compare_digest(supplied.strip().encode(), settings.token.encode()):
        return 403, "invalid token"
    return None


def check_token(settings: Settings, request: Request) -> None:
    """Require `Authorization: Bearer <token>` when a token is configured or the server is
    reachable from the network."""
    problem = token_problem(settings, request.headers.get("authorization"))
    if problem:
        raise ApiError(*problem)


def require_write(request: Request) -> None:
    """FastAPI dependency for every mutating endpoint."""
    settings: Settings = request.app.state.settings
    check_origin(request)
    check_token(settings, request)


Asgi = Callable[..., Awaitable[None]]


class RequestGuard:
    """The checks every request passes before any route runs, as plain ASGI (it must see the
    raw body, which Starlette's middleware helpers would consume): Host, NUL bytes, body size,
    Origin and token for /api; and the security headers on every response."""

    def __init__(self, app: Asgi, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Asgi, send: Asgi) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present
                ]
            await send(message)

        async def refuse(status: int, error: str) -> None:
            body = json.dumps({"error": error}).encode()
            await send_with_headers({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        if not host_allowed(self.settings, headers.get("host")):
            await refuse(421, "this server does not answer to that host name (a DNS-rebinding page?); "
                              "start it with --allow-host NAME to accept it")
            return
        raw_path = scope.get("raw_path") or scope.get("path", "").encode()
        query = scope.get("query_string", b"")
        if b"%00" in raw_path.lower() or b"%00" in query.lower() or "\x00" in scope.get("path", ""):
            await refuse(422, "invalid request: NUL bytes are not allowed in paths or parameters")
            return
        path: str = scope.get("path", "")
        if path.startswith("/api") and path not in OPEN_PATHS and not path.startswith("/api/docs/"):
            problem = origin_problem(headers.get("origin"), headers.get("host"))
            if problem and scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
                await refuse(403, problem)
                return
            tok = token_problem(self.settings, headers.get("authorization"))
            if tok:
                await refuse(*tok)
                return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await refuse(413, f"request body over the {MAX_BODY_BYTES}-byte limit")
            return
        if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    await refuse(413, f"request body over the {MAX_BODY_BYTES}-byte limit")
                    return
                chunks.append(chunk)
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
            if b"\x00" in body or b"\\u0000" in body:
                await refuse(422, "invalid request: NUL bytes are not allowed in the body")
                return
            replayed = False

            async def replay() -> dict[str, Any]:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
