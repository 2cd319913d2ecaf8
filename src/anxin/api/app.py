"""The HTTP API: batch event ingest, each party's own views, dead letters, outbox pull, health.

Bodies are read raw and decoded by anxin's msgspec contract, the same code path as JSON Lines
files, so HTTP and files can never disagree on what a valid event is. The OpenAPI document's
request body schema is generated from those same structs, and it lists every status each
endpoint answers with the one error body (``anxin.api.errors``). Who may read what is decided
in ``anxin.api.auth``; the views live in ``orders``, ``merchants``, ``deadletters`` and
``enforcement``.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from anxin.api import (
    deadletters,
    enforcement,
    listing_feedback,
    merchants,
    orders,
    platform,
    refunds,
    screening,
    service,
    service_desk,
)
from anxin.api.auth import require
from anxin.api.errors import (
    REF,
    ApiError,
    ApiErrorBody,
    error_response,
    install_handlers,
    json_response,
    responses,
    schema_ref,
)
from anxin.api.keys import ApiKey
from anxin.api.logs import RequestIdMiddleware
from anxin.api.outbox import build_router as build_outbox_router
from anxin.api.ready import router as ready_router
from anxin.application import open_application
from anxin.background import BackgroundOptions, running
from anxin.clock import Clock
from anxin.contract.decode import ContractError, split_batch
from anxin.contract.events import AnyEvent
from anxin.store.migrate import current_revision
from anxin.web.routes import install as install_pages

log = logging.getLogger("anxin.api")

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_BATCH_EVENTS = 10_000


class EventBatch(msgspec.Struct, forbid_unknown_fields=True):
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


class Health(msgspec.Struct):
    status: str
    db: str
    schema: str | None


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
            await error_response(500, "internal")(scope, receive, send)


# ------------------------------------------------------------------------------------ routes

router = APIRouter()


@router.get(
    "/health",
    tags=["ops"],
    response_class=Response,
    responses={
        200: {"description": "Alive, database reachable", **schema_ref("Health")},
        **responses(503, d503="The database is unreachable"),
    },
)
async def health(request: Request) -> Response:
    """Liveness plus a database round trip; 503 when the database cannot be reached."""
    engine: sa.Engine = request.app.state.sql_engine
    try:
        revision = await run_in_threadpool(current_revision, engine)
    except sa.exc.SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        return error_response(503, "db_unavailable", "the database is unreachable")
    return json_response(Health("ok", engine.dialect.name, revision))


_LIVE = b'{"status":"ok"}'


@router.get(
    "/live",
    tags=["ops"],
    response_class=Response,
    responses={
        200: {
            "description": "The process answers",
            "content": {"application/json": {"example": {"status": "ok"}}},
        }
    },
)
async def live() -> Response:
    """Liveness alone: no database, no thread hop, no work (``/health`` checks the database).
    Also the floor the HTTP benchmarks measure the app's own endpoints against."""
    return Response(_LIVE, media_type="application/json")


@router.post(
    "/v1/events",
    tags=["ingest"],
    response_class=Response,
    responses={
        200: {"description": "Batch processed (possibly partially)", **schema_ref("IngestResult")},
        **responses(
            400,
            401,
            403,
            413,
            d400="Malformed batch envelope",
            d403="Not an operator or ingest key",
            d413="Body over 8 MiB or more than 10,000 events",
        ),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("EventBatch")}},
)
async def ingest_events(
    request: Request, key: Annotated[ApiKey, Depends(require("operator", "ingest"))]
) -> Response:
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

    return json_response(await run_in_threadpool(run))


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


@router.get(
    "/v1/schema/events",
    tags=["schema"],
    response_class=Response,
    responses={200: {"description": "JSON Schema", "content": {"application/json": {}}}},
)
async def event_schema() -> Response:
    """The JSON Schema of one event (a union tagged by ``type``), as files and HTTP use it."""
    return json_response(msgspec.json.schema(AnyEvent))


# ------------------------------------------------------------------------------------ OpenAPI


def _contract_components() -> dict[str, Any]:
    structs = [EventBatch, IngestResult, ApiErrorBody, Health]
    structs += [*orders.COMPONENTS, *merchants.COMPONENTS, *deadletters.COMPONENTS]
    structs += [*refunds.COMPONENTS, *enforcement.COMPONENTS, *service.COMPONENTS]
    structs += [*service_desk.COMPONENTS, *screening.COMPONENTS]
    # Two structs of one name would share one $ref: msgspec would rename both, silently.
    names = [s.__name__ for s in structs]
    if clash := sorted({n for n in names if names.count(n) > 1}):
        raise RuntimeError(f"OpenAPI component name clash: {', '.join(clash)}")
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    return components


_REQUEST_ID = {
    "X-Request-Id": {
        "description": "The request's id (the caller's own when well formed); in every log line",
        "schema": {"type": "string"},
    }
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        # FastAPI's own validation errors answer with the one error body (errors.py)
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for name, schema in _contract_components().items():
            if name in schemas and schemas[name] != schema:
                raise RuntimeError(f"OpenAPI component name clash: {name}")
            schemas[name] = schema
        error = responses(422, 500)
        for path in doc["paths"].values():
            for operation in path.values():
                answers = operation.setdefault("responses", {})
                answers.pop("default", None)
                if "422" in answers:
                    answers["422"] = {**error[422], "description": answers["422"]["description"]}
                answers.setdefault("500", error[500])
                for answer in answers.values():
                    answer.setdefault("headers", {}).update(_REQUEST_ID)
        app.openapi_schema = doc
    return app.openapi_schema


# ------------------------------------------------------------------------------------ factory


def create_app(
    db_url: str | None = None,
    *,
    pack: str = "douyin",
    clock: Clock | None = None,
    background: BackgroundOptions | None = None,
) -> FastAPI:
    """Build the API over one database (default: ``ANXIN_DB`` or ``./anxin.db``); with
    ``background``, its lifespan also runs the scheduler and dispatcher (``anxin.background``)."""
    application = open_application(db_url, pack, clock)
    sql_engine = application.sql

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        with running(app_, background):
            # Everything loaded by now (packages, packs, models, the app) lives as long as the
            # process: out of the collector's sight, a full collection no longer walks it.
            # Unfrozen, each one cost a request ~90 ms (p95 of the pages; bench pages).
            gc.collect()
            gc.freeze()
            yield
        gc.unfreeze()  # an app closed (tests make many): what it kept may be collected again
        workers = getattr(app_.state, "refund_workers", None)  # PostgreSQL decision threads
        if workers is not None:
            workers.shutdown(wait=True)
        sql_engine.dispose()

    app = FastAPI(title="anxin", version="0.1.0", redoc_url=None, lifespan=lifespan)
    app.state.sql_engine = sql_engine
    app.state.engine = application.engine
    app.state.ingest_lock = threading.Lock()
    for r in (router, orders.router, merchants.router, deadletters.router, ready_router,
              refunds.router, enforcement.router, service.router,
              service_desk.router, screening.router, listing_feedback.router):  # fmt: skip
        app.include_router(r)
    app.include_router(build_outbox_router())
    app.include_router(platform.router)  # the platform's KPIs (issue 17)
    install_pages(app)  # the pages share the app, its auth and its clock (issue 17)
    app.add_middleware(CatchAll)
    app.add_middleware(RequestIdMiddleware)  # outermost: even a 500 carries the request id
    install_handlers(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
