"""The HTTP API: batch event ingest behind API keys, health and the published event schema.

Bodies are read raw and decoded by anxin's msgspec contract, the same code path as JSON Lines
files, so HTTP and files can never disagree on what a valid event is. The OpenAPI document's
request body schema is generated from those same structs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI, Request, Response, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from anxin.api.keys import ApiKey, verify_key
from anxin.api.outbox import build_router as build_outbox_router
from anxin.api.ready import router as ready_router
from anxin.application import open_application
from anxin.clock import Clock
from anxin.contract.decode import ContractError, split_batch
from anxin.contract.events import AnyEvent
from anxin.guarantees.hall import GuaranteeHall, OrderNotFound, load_hall
from anxin.service import BackgroundOptions, running
from anxin.store.migrate import current_revision

log = logging.getLogger("anxin.api")

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_BATCH_EVENTS = 10_000
INGEST_ROLES = frozenset({"operator", "ingest"})
_REF = "#/components/schemas/{name}"


class EventBatch(msgspec.Struct):
    """A batch of events. Each is validated alone: bad ones are refused, the rest accepted."""

    events: Annotated[list[AnyEvent], msgspec.Meta(max_length=MAX_BATCH_EVENTS)]


class IngestResult(msgspec.Struct):
    """What became of a batch. ``errors[i].index`` is the event's 0-based batch position."""

    received: int
    accepted: int
    duplicates: int
    rejected: int
    held: int
    errors: list[ContractError]


class ApiErrorBody(msgspec.Struct, omit_defaults=True):
    error: str
    message: str = ""


class ApiError(Exception):
    """An expected failure, rendered as ``{"error": code, "message": ...}``."""

    def __init__(self, status: int, code: str, message: str = "", **headers: str) -> None:
        super().__init__(message or code)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _json(body: msgspec.Struct | dict[str, Any], status: int = 200, **headers: str) -> Response:
    return Response(msgspec.json.encode(body), status, headers, media_type="application/json")


def _error_response(status: int, code: str, message: str = "", **headers: str) -> Response:
    return _json(ApiErrorBody(code, message), status, **headers)


class CatchAll:
    """Last line of defence: an unexpected exception becomes a bare 500, logged, never echoed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # too late to change the status; the server will drop the connection
                raise
            await _error_response(500, "internal")(scope, receive, send)


# ------------------------------------------------------------------------------------- auth

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKeyHeader")
_bearer = HTTPBearer(auto_error=False, scheme_name="BearerAuth")


def _authenticate(
    request: Request,
    header_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiKey:
    # A sync dependency: FastAPI runs it in the threadpool, so the DB lookup never blocks.
    secret = header_key or (bearer.credentials if bearer else None)
    challenge = {"WWW-Authenticate": "Bearer"}
    if not secret:
        raise ApiError(401, "missing_api_key", "send `X-API-Key` or a Bearer token", **challenge)
    key = verify_key(request.app.state.sql_engine, secret.strip())
    if key is None:
        raise ApiError(401, "invalid_api_key", "unknown or revoked API key", **challenge)
    return key


def _ingest_key(key: Annotated[ApiKey, Depends(_authenticate)]) -> ApiKey:
    if key.role not in INGEST_ROLES:
        raise ApiError(403, "forbidden", f"role {key.role!r} may not ingest events")
    return key


# ------------------------------------------------------------------------------------ routes

router = APIRouter()


@router.get("/health", tags=["ops"])
async def health(request: Request) -> Response:
    """Liveness plus a database round trip; 503 when the database cannot be reached."""
    engine: sa.Engine = request.app.state.sql_engine
    try:
        revision = await run_in_threadpool(current_revision, engine)
    except sa.exc.SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        return _error_response(503, "db_unavailable", "the database is unreachable")
    return _json({"status": "ok", "db": engine.dialect.name, "schema": revision})


def _schema_response(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": _REF.format(name=name)}}}}


_ERRORS = {
    400: "Malformed batch envelope",
    401: "Missing or invalid API key",
    403: "Role may not ingest",
    413: "Body over 8 MiB or more than 10,000 events",
    500: "Internal error",
}


@router.post(
    "/v1/events",
    tags=["ingest"],
    response_class=Response,
    responses={
        200: {
            "description": "Batch processed (possibly partially)",
            **_schema_response("IngestResult"),
        },
        **{s: {"description": d, **_schema_response("ApiErrorBody")} for s, d in _ERRORS.items()},
    },
    openapi_extra={"requestBody": {"required": True, **_schema_response("EventBatch")}},
)
async def ingest_events(request: Request, key: Annotated[ApiKey, Depends(_ingest_key)]) -> Response:
    """Ingest a batch ``{"events": [...]}`` of up to 10,000 events (8 MiB).

    Partial acceptance is the contract: each event is validated on its own, valid ones are
    accepted and bad ones are refused into the dead-letter store, and the answer is **200**
    whenever the envelope itself was readable. Check ``rejected`` and ``errors`` (each with a
    ``code``, a JSON ``path`` and the 0-based ``index`` of the event in the batch). Re-sending a
    batch is safe: events already stored come back as ``duplicates``.
    """
    body = await _read_capped(request)
    try:
        raws = await run_in_threadpool(split_batch, body)  # may fall back to a Python scan
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_batch", f'expected {{"events": [...]}}: {exc}') from exc
    if len(raws) > MAX_BATCH_EVENTS:
        raise ApiError(413, "too_many_events", f"{len(raws)} events; the limit is 10,000")
    state = request.app.state

    def run() -> IngestResult:
        # One writer per process: concurrent batches touching one order would race on its state.
        with state.ingest_lock:
            r = state.engine.ingest(list(enumerate(raws)), source=f"api:{key.name}")
        return IngestResult(r.received, r.accepted, r.duplicates, r.rejected, r.held, r.errors)

    return _json(await run_in_threadpool(run))


def _operator_key(key: Annotated[ApiKey, Depends(_authenticate)]) -> ApiKey:
    # Consumer and merchant keys carry no scope yet, so only operators may read any order.
    if key.role != "operator":
        raise ApiError(403, "forbidden", f"role {key.role!r} may not read guarantee halls")
    return key


@router.get("/v1/orders/{order_id}/guarantees", tags=["guarantees"], response_class=Response)
async def order_guarantees(
    order_id: str, request: Request, _key: Annotated[ApiKey, Depends(_operator_key)]
) -> Response:
    """The order's guarantee hall: every right protecting it, its clock, status and payouts,
    with the explanation behind each decision, and the parcel timeline."""
    state = request.app.state

    def run() -> GuaranteeHall:
        engine = state.engine
        return load_hall(state.sql_engine, order_id, engine.book, engine.clock.now())

    try:
        return _json(await run_in_threadpool(run))
    except OrderNotFound:
        raise ApiError(404, "order_not_found", f"no order {order_id!r}") from None


async def _read_capped(request: Request) -> bytes:
    """The raw body, refusing to buffer more than the limit whatever Content-Length claims."""
    too_big = ApiError(413, "body_too_large", f"the body limit is {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/v1/schema/events", tags=["schema"], response_class=Response)
async def event_schema() -> Response:
    """The JSON Schema of one event (a union tagged by ``type``), as files and HTTP use it."""
    return _json(msgspec.json.schema(AnyEvent))


# ------------------------------------------------------------------------------------ factory


def _contract_components() -> dict[str, Any]:
    _, components = msgspec.json.schema_components(
        [EventBatch, IngestResult, ApiErrorBody], ref_template=_REF
    )
    return components


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _contract_components().items():
            if name in schemas and schemas[name] != schema:
                raise RuntimeError(f"OpenAPI component name clash: {name}")
            schemas[name] = schema
        app.openapi_schema = doc
    return app.openapi_schema


def create_app(
    db_url: str | None = None,
    *,
    pack: str = "douyin",
    clock: Clock | None = None,
    background: BackgroundOptions | None = None,
) -> FastAPI:
    """Build the API over one database (default: ``ANXIN_DB`` or ``./anxin.db``); with
    ``background``, its lifespan also runs the scheduler and dispatcher (``anxin.service``)."""
    application = open_application(db_url, pack, clock)
    sql_engine = application.sql

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        with running(app_, background):
            yield
        sql_engine.dispose()

    app = FastAPI(title="anxin", version="0.1.0", redoc_url=None, lifespan=lifespan)
    app.state.sql_engine = sql_engine
    app.state.engine = application.engine
    app.state.ingest_lock = threading.Lock()
    app.include_router(router)
    app.include_router(ready_router)
    app.include_router(build_outbox_router())
    app.add_middleware(CatchAll)

    async def on_api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _error_response(exc.status, exc.code, exc.message, **exc.headers)

    async def on_http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = str(exc.detail).lower().replace(" ", "_")
        return _error_response(exc.status_code, code, str(exc.detail), **(exc.headers or {}))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
