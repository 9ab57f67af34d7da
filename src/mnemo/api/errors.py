"""Every error the API returns is a JSON object `{"error": "<one readable line>", ...}`.

Clients (the UI, scripts) then need one code path for failures, and a person reading a 4xx sees
what to change instead of a stack trace. Stage exceptions (unknown repository, ambiguous name…)
are mapped to status codes here, once, so routes stay thin.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mnemo.display import escape

log = logging.getLogger("mnemo.api")


class ApiError(Exception):
    """An error with an HTTP status and a message meant for the client."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def not_found(message: str, **extra: Any) -> ApiError:
    return ApiError(404, message, **extra)


def bad_request(message: str, **extra: Any) -> ApiError:
    return ApiError(400, message, **extra)


def _location(err: dict[str, Any]) -> str:
    loc = [str(part) for part in err.get("loc", ())]
    if loc and loc[0] in ("query", "path", "body", "header", "cookie"):
        loc = loc[1:]  # where it came from; the parameter's name is what the client needs
    return ".".join(loc) or "body"


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = [f"{_location(e)}: {e.get('msg', 'invalid')}" for e in errors[:5]]
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid request: " + "; ".join(parts) + more


def _jsonable_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic puts exception objects in `ctx`; keep only what serialises."""
    out = []
    for e in errors:
        item = {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
        out.append(item)
    return out


def stage_error(exc: Exception) -> ApiError | None:
    """Map a stage's exception (by class name, so the API does not import every stage eagerly)
    to an ApiError; None when it is not one the API knows."""
    name = type(exc).__name__
    if name in ("UnknownRepository", "UnknownName", "UnknownNode"):
        return ApiError(404, str(exc))
    if name == "AmbiguousName":
        candidates = getattr(exc, "candidates", None) or getattr(exc, "matches", None)
        extra: dict[str, Any] = {}
        if candidates:
            extra["candidates"] = [_candidate(c) for c in list(candidates)[:50]]
        return ApiError(409, str(exc), **extra)
    if name == "DatabaseError":
        return ApiError(503, str(exc))
    if name in ("EmptyIndex", "GraphNotBuilt", "NoGraph"):
        return ApiError(404, str(exc))  # nothing to answer from (yet): index first
    if name in ("ModelMismatch", "IndexingError"):
        return ApiError(409, str(exc))
    if name in ("InvalidQuery", "InvalidFilter"):
        return ApiError(422, str(exc))
    if name in ("SearchError", "ConfigError", "CommandError"):
        return ApiError(400, str(exc))
    return None


def _candidate(c: Any) -> Any:
    if isinstance(c, (str, int, float)) or c is None:
        return c
    if isinstance(c, dict):
        return c
    from mnemo.api.convert import to_jsonable

    return to_jsonable(c)


def _stage_exception_classes() -> list[type[BaseException]]:
    """The stages' exception classes that exist in this checkout, imported lazily so the API
    starts even when an optional stage module is missing."""
    import importlib

    found: list[type[BaseException]] = []
    for module_name, names in (
        ("mnemo.store.reads", ("UnknownRepository", "EmptyIndex")),
        ("mnemo.graph.query", ("AmbiguousName", "UnknownName", "UnknownNode", "GraphNotBuilt", "GraphQueryError")),
        ("mnemo.search", ("SearchError", "InvalidQuery", "UnknownRepository", "EmptyIndex", "ModelMismatch")),
        ("mnemo.search.filters", ("InvalidFilter",)),
        ("mnemo.config", ("ConfigError",)),
    ):
        try:
            module = importlib.import_module(module_name)
        except Exception:  # a stage not landed yet, or failing to import: its routes report it
            continue
        for name in names:
            cls = getattr(module, name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
                found.append(cls)
    return found


def install_handlers(app: FastAPI) -> None:
    """Turn every failure into `{"error": ...}` JSON with the right status."""

    async def _stage(_: Request, exc: Exception) -> JSONResponse:
        mapped = stage_error(exc) or ApiError(400, str(exc))
        return JSONResponse({"error": mapped.message, **mapped.extra}, status_code=mapped.status)

    for cls in _stage_exception_classes():
        app.add_exception_handler(cls, _stage)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        return JSONResponse(
            {"error": _validation_message(errors), "detail": _jsonable_errors(errors)},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint; see /api/docs"
        elif exc.status_code == 405:
            message = "method not allowed on this endpoint; see /api/docs"
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        mapped = stage_error(exc)
        if mapped is not None:
            return JSONResponse({"error": mapped.message, **mapped.extra}, status_code=mapped.status)
        try:
            import psycopg

            if isinstance(exc, psycopg.errors.DataError):  # a value PostgreSQL refused (bad regex, range…)
                log.info("refused value: %s", escape(exc))
                return JSONResponse({"error": "invalid request: a parameter value was refused by the database"},
                                    status_code=422)
        except ImportError:  # pragma: no cover
            pass
        # No exception text to the client (it may quote SQL or paths); the log has it, escaped.
        log.error("unhandled error in the API: %s: %s", type(exc).__name__, escape(exc), exc_info=exc)
        return JSONResponse({"error": f"internal error ({type(exc).__name__}); see the server's log"}, status_code=500)
