"""One error body for every failure the API answers: ``{"error": {"code", "message", ...}}``.

Expected failures raise ``ApiError``; Starlette's own HTTP errors (unknown route, wrong method)
and FastAPI's request validation errors (a bad query parameter) are rendered the same way, so a
client parses one shape whatever refused it. ``responses`` documents them in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

REF = "#/components/schemas/{name}"
# The largest integer a BIGINT column holds: a cursor or instant past it would overflow the
# database driver (a 500), so parameters are refused above it (a 422).
MAX_BIGINT = 2**63 - 1


class ErrorDetail(msgspec.Struct, omit_defaults=True):
    """``code`` is stable and machine-readable; ``message`` is for people. ``details`` lists
    the offending inputs of a validation error (``loc``: where, ``msg``: why)."""

    code: str
    message: str = ""
    details: list[dict[str, Any]] | None = None


class ApiErrorBody(msgspec.Struct):
    error: ErrorDetail


class ApiError(Exception):
    """An expected failure, rendered as ``{"error": {"code": ..., "message": ...}}``."""

    def __init__(self, status: int, code: str, message: str = "", **headers: str) -> None:
        super().__init__(message or code)
        self.status, self.code, self.message, self.headers = status, code, message, headers
        self.details: list[dict[str, Any]] | None = None  # a validation error's inputs

    def detailed(self, details: list[dict[str, Any]]) -> ApiError:
        self.details = details
        return self


def json_response(body: object, status: int = 200, **headers: str) -> Response:
    return Response(msgspec.json.encode(body), status, headers, media_type="application/json")


def error_response(
    status: int,
    code: str,
    message: str = "",
    *,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = ApiErrorBody(ErrorDetail(code, message, details))
    return json_response(body, status, **(headers or {}))


def schema_ref(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": REF.format(name=name)}}}}


DEFAULT_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Missing, invalid or revoked API key (or link token)",
    403: "This key's role may never call this endpoint",
    404: "Not found, or not visible to this key",
    409: "The resource's state does not allow it",
    413: "Request body too large",
    422: "Invalid parameters or body",
    500: "Internal error",
    503: "Unavailable",
}


def responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, all with the one error body; a
    description can be overridden by keyword (``d404="no such order"``)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        text = descriptions.get(f"d{status}", DEFAULT_DESCRIPTIONS[status])
        out[status] = {"description": text, **schema_ref("ApiErrorBody")}
    return out


T = TypeVar("T")


def decode_body(raw: bytes, decoder: msgspec.json.Decoder[T]) -> T:
    """A request body by its msgspec struct: 400 for bytes that are no JSON object; 422 for a
    JSON object of the wrong shape, naming the field (``details[0].loc``: ``["body",
    "amount", "currency"]``) as FastAPI's own validation errors do."""
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise ApiError(422, "invalid_body", message).detailed([_body_detail(message)]) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_body", str(exc)) from None


def _body_detail(message: str) -> dict[str, Any]:
    """``loc`` from msgspec's words: ``… - at `$.amount.currency``` and, for a missing or
    unknown field, ``… field `kind```."""
    msg, _, path = message.partition(" - at `$")
    loc: list[str] = ["body"]
    loc += [p for p in path.rstrip("`").replace("[", ".").replace("]", "").split(".") if p]
    if "field `" in msg:
        loc.append(msg.split("field `", 1)[1].split("`", 1)[0])
    return {"loc": loc, "msg": msg}


def _details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]


def install_handlers(app: FastAPI) -> None:
    async def on_api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(
            exc.status, exc.code, exc.message, details=exc.details, headers=exc.headers
        )

    async def on_http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = str(exc.detail).lower().replace(" ", "_")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = _details(exc)
        where = ", ".join(".".join(d["loc"]) for d in details)
        return error_response(422, "invalid_request", f"invalid: {where}", details=details)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
