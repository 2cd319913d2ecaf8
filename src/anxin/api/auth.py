"""Who is calling, and what may they see.

Every caller but a probe presents an API key (``X-API-Key`` or ``Authorization: Bearer``); the
guarantee hall also accepts an order's link token (``X-Link-Token`` or ``?token=``). Keys are
never read from the query string (it ends up in access logs and browser histories).

Answers: 401 for a missing, malformed, unknown or revoked key or token; 403 for a role that may
never call the endpoint; 404 for data under another party (``visible``), exactly as for data
that does not exist, so a caller learns nothing about other tenants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from anxin.api.errors import ApiError
from anxin.api.keys import ApiKey, LinkToken, verify_key, verify_link

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKeyHeader")
_bearer = HTTPBearer(auto_error=False, scheme_name="BearerAuth")
_link_header = APIKeyHeader(name="X-Link-Token", auto_error=False, scheme_name="LinkTokenHeader")
_link_query = APIKeyQuery(name="token", auto_error=False, scheme_name="LinkTokenQuery")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _presented_key(header_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> str:
    return (header_key or (bearer.credentials if bearer else None) or "").strip()


def _check_key(request: Request, secret: str) -> ApiKey:
    key = verify_key(request.app.state.sql_engine, secret)
    if key is None:
        raise ApiError(401, "invalid_api_key", "unknown or revoked API key", **_CHALLENGE)
    return key


def authenticate(
    request: Request,
    header_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiKey:
    """The caller's active API key (401 otherwise). Sync: FastAPI runs it in the threadpool,
    so the database lookup never blocks the event loop."""
    return active_key(request, _presented_key(header_key, bearer))


def active_key(request: Request, secret: str) -> ApiKey:
    """The active API key of ``secret`` (401 when it is missing, unknown or revoked)."""
    if not secret:
        raise ApiError(401, "missing_api_key", "send `X-API-Key` or a Bearer token", **_CHALLENGE)
    return _check_key(request, secret)


def presented_key(request: Request) -> str:
    """The secret presented, not yet checked, read as ``authenticate``'s two schemes read it:
    for a route that checks it (``key_of``) in the same call as its own work. Resolving the
    schemes as dependencies cost a decision ~0.2 ms; such a route names them in its OpenAPI
    operation (``SECURITY``) instead."""
    header_key = request.headers.get("X-API-Key") or None
    authorization = request.headers.get("Authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    bearer = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)
        if authorization and scheme and credentials and scheme.lower() == "bearer"
        else None
    )
    return _presented_key(header_key, bearer)


# What FastAPI writes for a route depending on ``authenticate``.
SECURITY: list[dict[str, list[str]]] = [{"ApiKeyHeader": []}, {"BearerAuth": []}]


def optional_key(
    request: Request,
    header_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiKey | None:
    """The caller's key when one is presented (401 when it is not valid), else None."""
    secret = _presented_key(header_key, bearer)
    return _check_key(request, secret) if secret else None


def key_of(request: Request, secret: str, allowed: frozenset[str]) -> ApiKey:
    """``require``'s check, called directly: 401 as ``authenticate``, 403 for another role."""
    key = active_key(request, secret)
    if key.role not in allowed:
        raise ApiError(403, "forbidden", f"role {key.role!r} may not call this endpoint")
    return key


def require(*roles: str) -> Callable[[ApiKey], ApiKey]:
    """A dependency: an API key of one of ``roles`` (403 for any other role)."""
    allowed = frozenset(roles)

    def check(key: Annotated[ApiKey, Depends(authenticate)]) -> ApiKey:
        if key.role not in allowed:
            raise ApiError(403, "forbidden", f"role {key.role!r} may not call this endpoint")
        return key

    return check


Reader = ApiKey | LinkToken


def key_or_link(
    request: Request,
    header_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    link_header: Annotated[str | None, Security(_link_header)],
    link_query: Annotated[str | None, Security(_link_query)],
) -> Reader:
    """An API key when one is presented, else a link token (401 when neither is valid)."""
    secret = _presented_key(header_key, bearer)
    if secret:
        return _check_key(request, secret)
    token = (link_header or link_query or "").strip()
    if not token:
        raise ApiError(
            401,
            "missing_credentials",
            "send an API key (`X-API-Key` or Bearer) or the order's link token",
            **_CHALLENGE,
        )
    link = verify_link(request.app.state.sql_engine, token)
    if link is None:
        raise ApiError(401, "invalid_link_token", "unknown or revoked link token")
    return link


def visible(
    reader: Reader, order_id: str, merchant_id: str | None, consumer_id: str | None
) -> bool:
    """May ``reader`` see the order ``order_id`` of this merchant and consumer?"""
    if isinstance(reader, LinkToken):
        return reader.order_id == order_id
    if reader.role == "operator":
        return True
    if reader.role == "merchant":
        return reader.merchant_id is not None and reader.merchant_id == merchant_id
    if reader.role == "consumer":
        return reader.consumer_id is not None and reader.consumer_id == consumer_id
    return False


def usable_id(value: str) -> bool:
    """An id the store could hold: PostgreSQL text refuses NUL, ids are at most 128 chars."""
    return 0 < len(value) <= 128 and "\x00" not in value


def own_shop(key: ApiKey, merchant_id: str) -> None:
    """404 unless the key may read this merchant's shop: operators any, a merchant key its
    own (another shop answers exactly as a missing one)."""
    mine = key.role == "operator" or key.merchant_id == merchant_id
    if not mine or not usable_id(merchant_id):
        raise ApiError(404, "merchant_not_found", f"no merchant {merchant_id!r}")
