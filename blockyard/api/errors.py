"""Every error leaves the API as JSON ``{"detail", "type"}``, never as a stack trace.

The :class:`~blockyard.errors.BlockyardError` tree maps to HTTP statuses here (and only
here); graph validation errors add ``problems`` (one per node and field), request
validation errors add ``errors``. Anything unexpected is logged with its traceback on the
server and answered with a generic 500.
"""

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from blockyard import errors as e

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides its status.
STATUS_BY_ERROR: tuple[tuple[type[e.BlockyardError], int], ...] = (
    (e.NotFoundError, 404),
    (e.PermissionDeniedError, 403),
    (e.AuthError, 401),
    (e.ConflictError, 409),
    (e.RateLimitError, 429),
    (e.LimitExceededError, 413),
    (e.InsufficientBalanceError, 402),
    (e.GraphValidationError, 422),
    (e.AgentFormatError, 422),
    (e.GraphError, 400),
    (e.BlockInputError, 422),
    (e.InvalidValueError, 422),
    (e.BlockError, 400),
    (e.InvalidTransitionError, 409),
    (e.ExecutionStoppedError, 409),
    (e.ExecutionError, 409),
)


def status_for(exc: e.BlockyardError) -> int:
    """The HTTP status of a deliberate error; 500 for ``ConfigError`` and unknown kinds."""
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(detail: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "type": kind, **extra}


async def blockyard_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.BlockyardError)
    status = status_for(exc)
    if status == 500:
        log.error("Server-side error on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(error_body("Internal server error", "InternalError"), 500)
    body = error_body(exc.message, type(exc).__name__)
    if isinstance(exc, e.GraphValidationError):
        body["problems"] = exc.problems
    return JSONResponse(body, status, headers=_headers_for(exc, status))


def _headers_for(exc: e.BlockyardError, status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, e.RateLimitError):
        return {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
    return None


def _readable(err: dict[str, Any]) -> dict[str, Any]:
    """One validation error, JSON-safe (pydantic's ``ctx`` may hold exception objects)."""
    return {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}


async def request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_readable(err) for err in exc.errors()]
    summary = "; ".join(f"{'.'.join(err['loc'])}: {err['msg']}" for err in errors)
    body = error_body(f"Invalid request: {summary}", "RequestValidationError", errors=errors)
    return JSONResponse(body, 422)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(error_body(detail, "HTTPError"), exc.status_code, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body("Internal server error", "InternalError"), 500)


VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail", "type"],
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "type": {"type": "string", "title": "Type"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                },
            },
        },
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}
"""What a 422 really looks like here (FastAPI's default documents ``detail`` as a list)."""


def _document_errors(app: FastAPI) -> None:
    """Make the OpenAPI spec describe the 422 bodies this app sends."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            components["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    _document_errors(app)
    app.add_exception_handler(e.BlockyardError, blockyard_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
