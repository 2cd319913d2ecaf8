"""Pull delivery over HTTP: ``GET /v1/outbox`` (pages by cursor), ``POST /v1/outbox/ack`` and
``GET /v1/schema/messages`` (the published JSON Schema of every message type).

Operator keys only. The router is built by ``build_router`` (called from ``create_app``). (No
``from __future__ import annotations`` here: FastAPI must resolve the routes' annotations, which
name the local ``operator`` dependency, when they are defined.)
"""

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require
from anxin.api.errors import MAX_BIGINT, ApiError, responses
from anxin.api.keys import ApiKey
from anxin.clock import to_us
from anxin.delivery import pull
from anxin.delivery.messages import Envelope, message_schemas

MAX_ACK_IDS = 1_000


class OutboxPage(msgspec.Struct):
    """Messages after the cursor, in sequence order; pass ``next_after`` as the next ``after``
    (it equals ``after`` when the page is empty)."""

    messages: list[Envelope]
    next_after: int


class AckRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Message ids this consumer (the API key) has handled. Unknown ids are ignored."""

    ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_ACK_IDS)]


class AckResult(msgspec.Struct):
    acked: int  # ids newly recorded (already acked or unknown ones are not counted)


def inline_schema(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """The struct's JSON Schema with every ``$ref`` resolved in place (OpenAPI has no $defs)."""
    (top,), components = msgspec.json.schema_components([struct], ref_template="{name}")

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(components[node["$ref"]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(top)
    return resolved


def _content(struct: type[msgspec.Struct]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": inline_schema(struct)}}}


def _json(body: object) -> Response:
    return Response(msgspec.json.encode(body), media_type="application/json")


def build_router() -> APIRouter:
    operator = require("operator")
    router = APIRouter(tags=["outbox"])
    errors = responses(401, 403, d403="Not an operator key")

    @router.get(
        "/v1/outbox",
        response_class=Response,
        responses={
            200: {"description": "A page of messages", **_content(OutboxPage)},
            **errors,
            **responses(422, d422="Bad `after` or `limit`"),
        },
    )
    async def outbox_page(
        request: Request,
        _key: Annotated[ApiKey, Depends(operator)],
        after: Annotated[
            int, Query(ge=0, le=MAX_BIGINT, description="the last sequence already read")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=pull.MAX_PAGE)] = 100,
    ) -> Response:
        """Outbox messages with ``sequence > after``, oldest first (each message's envelope, the
        same object a webhook carries). Sequences are gap-free and commit-ordered: a consumer
        that stores ``next_after`` and resumes from it misses nothing and sees each message
        once (dedupe on ``id`` all the same: a consumer may crash before storing the cursor)."""
        state = request.app.state

        def run() -> OutboxPage:
            now_us = to_us(state.engine.clock.now())
            page, cursor = pull.list_after(state.sql_engine, after, limit, now_us)
            return OutboxPage(page, cursor)

        return _json(await run_in_threadpool(run))

    @router.post(
        "/v1/outbox/ack",
        response_class=Response,
        responses={
            200: {"description": "Acknowledged", **_content(AckResult)},
            **errors,
            **responses(422, d422='Body is not {"ids": [...]} (unknown fields refused)'),
        },
        openapi_extra={"requestBody": {"required": True, **_content(AckRequest)}},
    )
    async def outbox_ack(request: Request, key: Annotated[ApiKey, Depends(operator)]) -> Response:
        """Record that this key's consumer handled these messages (idempotent)."""
        try:
            body = msgspec.json.decode(await request.body(), type=AckRequest)
        except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
            raise ApiError(422, "invalid_body", str(exc)) from None
        state = request.app.state
        # An id with NUL is no message id (PostgreSQL text cannot even hold one): unknown.
        ids = [i for i in body.ids if "\x00" not in i]

        def run() -> AckResult:
            now_us = to_us(state.engine.clock.now())
            return AckResult(pull.ack(state.sql_engine, key.key_id, ids, now_us) if ids else 0)

        return _json(await run_in_threadpool(run))

    @router.get(
        "/v1/schema/messages",
        tags=["schema"],
        response_class=Response,
        responses={200: {"description": "JSON Schemas", "content": {"application/json": {}}}},
    )
    async def schema_messages() -> Response:
        """Every message type's published JSON Schema by versioned name
        (``consumer.compensation/v1``, ...), and the envelope's (``envelope/v1``)."""
        return _json(message_schemas())

    return router
