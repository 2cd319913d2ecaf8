"""Dead letters over HTTP (operator keys): ``GET /v1/deadletters`` pages them by cursor, with an
optional code filter; ``POST /v1/deadletters/{id}/replay`` sends one's raw bytes through the
engine again.

A replay decodes and ingests the stored bytes exactly as a new arrival (same source, same
position). Accepted (or held, or already in the log): the dead letter is removed. Refused again:
it stays a dead letter with the new error (a new code or path makes it a new row, which replaces
the old one).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require
from anxin.api.errors import MAX_BIGINT, ApiError, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.clock import from_us
from anxin.contract.decode import ERROR_CODES, ContractError
from anxin.engine.processor import Engine, dead_letter_id
from anxin.store.schema import dead_letters as d

MAX_PAGE = 500
CURSOR = r"^[0-9]{1,19}:[0-9a-f]{1,64}$"


class DeadLetterView(msgspec.Struct):
    """A refused event: where it came from, why (``code``, JSON ``path``, ``message``) and its
    raw bytes (as UTF-8 text, undecodable bytes replaced)."""

    dead_letter_id: str
    received_at: dt.datetime
    source: str
    position: int | None
    event_id: str | None
    code: str
    path: str
    message: str
    raw: str


class DeadLetterPage(msgspec.Struct):
    """Oldest first; pass ``next_after`` as ``after`` for the next page (null: no more)."""

    dead_letters: list[DeadLetterView]
    next_after: str | None


class ReplayResult(msgspec.Struct):
    """What the replay did: ``accepted`` (now in the log; the dead letter is gone), ``held``
    (a scan waiting for its shipment; gone too), ``duplicate`` (the event was already in the
    log; gone too) or ``rejected`` (still refused: ``error`` says why, ``dead_letter_id`` is
    the dead letter that now holds it)."""

    replayed: str
    outcome: Literal["accepted", "held", "duplicate", "rejected"]
    event_id: str | None
    error: ContractError | None
    dead_letter_id: str | None


COMPONENTS: tuple[type[msgspec.Struct], ...] = (DeadLetterPage, ReplayResult)


def _view(r: sa.Row[tuple[object, ...]]) -> DeadLetterView:
    m = r._mapping
    return DeadLetterView(
        str(m["dead_letter_id"]), from_us(int(m["received_at_us"])), str(m["source"]),
        m["position"], m["event_id"], str(m["code"]), str(m["path"]), str(m["message"]),
        bytes(m["raw"]).decode("utf-8", "replace"),
    )  # fmt: skip


def list_page(sql: sa.Engine, after: str | None, limit: int, code: str | None) -> DeadLetterPage:
    q = sa.select(d).order_by(d.c.received_at_us, d.c.dead_letter_id).limit(limit + 1)
    with sql.connect() as conn:
        if code is not None:
            if code not in ERROR_CODES:
                stored = set(conn.execute(sa.select(d.c.code).distinct()).scalars())
                if code not in stored:
                    known = ", ".join(sorted(ERROR_CODES | stored))
                    raise ApiError(422, "unknown_code", f"{code!r} is not a code; known: {known}")
            q = q.where(d.c.code == code)
        if after is not None:
            at, last = after.split(":", 1)
            if int(at) > MAX_BIGINT:
                raise ApiError(422, "invalid_cursor", "not a cursor this endpoint gave")
            q = q.where(sa.tuple_(d.c.received_at_us, d.c.dead_letter_id) > (int(at), last))
        rows = conn.execute(q).all()
    views = [_view(r) for r in rows[:limit]]
    more = len(rows) > limit
    cursor = None
    if more and views:
        last_row = rows[limit - 1]._mapping
        cursor = f"{last_row['received_at_us']}:{last_row['dead_letter_id']}"
    return DeadLetterPage(views, cursor)


def replay(engine: Engine, sql: sa.Engine, dead_id: str) -> ReplayResult | None:
    """Ingest a dead letter's raw bytes again; None when there is no such dead letter. The
    caller holds the process's ingest lock."""
    with sql.connect() as conn:
        row = conn.execute(
            sa.select(d.c.raw, d.c.source, d.c.position).where(d.c.dead_letter_id == dead_id)
        ).first()
    if row is None:
        return None
    raw = bytes(row.raw)
    report = engine.ingest([(row.position, raw)], source=row.source)
    error = report.errors[0] if report.errors else None
    now_id = None if error is None else dead_letter_id(raw, error)
    if now_id != dead_id:
        with sql.begin() as conn:
            conn.execute(d.delete().where(d.c.dead_letter_id == dead_id))
    outcome: Literal["accepted", "held", "duplicate", "rejected"]
    if error is not None:
        outcome = "rejected"
    elif report.held:
        outcome = "held"
    elif report.duplicates:
        outcome = "duplicate"
    else:
        outcome = "accepted"
    event_id = error.event_id if error is not None else _event_id(raw)
    return ReplayResult(dead_id, outcome, event_id, error, now_id)


def _event_id(raw: bytes) -> str | None:
    class _Id(msgspec.Struct):
        id: str | None = None

    try:
        return msgspec.json.decode(raw, type=_Id).id
    except msgspec.DecodeError:
        return None


router = APIRouter(tags=["dead letters"])


@router.get(
    "/v1/deadletters",
    response_class=Response,
    responses={
        200: {"description": "A page of dead letters", **schema_ref("DeadLetterPage")},
        **responses(401, 403, 422, d403="Not an operator key", d422="Bad limit, cursor or code"),
    },
)
async def list_dead_letters(
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
    after: Annotated[
        str | None, Query(pattern=CURSOR, description="`next_after` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    code: Annotated[
        str | None, Query(max_length=40, description="only this error code (e.g. `conflict`)")
    ] = None,
) -> Response:
    """Refused events, oldest first, with their precise errors and raw bytes. An unknown
    ``code`` is refused (422) with the list of known codes."""
    sql = request.app.state.sql_engine
    return json_response(await run_in_threadpool(list_page, sql, after, limit, code))


@router.post(
    "/v1/deadletters/{dead_letter_id}/replay",
    response_class=Response,
    responses={
        200: {"description": "What the replay did", **schema_ref("ReplayResult")},
        **responses(401, 403, 404, 422, d403="Not an operator key", d404="No such dead letter"),
    },
)
async def replay_dead_letter(
    dead_letter_id: Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$")],
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
) -> Response:
    """Decode and ingest the dead letter's raw bytes again (after a fix upstream, a policy or
    clock change): see ``outcome``. Safe to repeat: a replayed event is a duplicate."""
    state = request.app.state

    def run() -> ReplayResult | None:
        with state.ingest_lock:
            return replay(state.engine, state.sql_engine, dead_letter_id)

    result = await run_in_threadpool(run)
    if result is None:
        raise ApiError(404, "dead_letter_not_found", f"no dead letter {dead_letter_id!r}")
    return json_response(result)
