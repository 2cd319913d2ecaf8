"""``GET /ready``: may this process take traffic? (``/health`` is liveness.)

Ready (200) when the store answers, its migrations are at head and every background loop this
process started (scheduler, dispatcher) is alive; otherwise 503 with the same body. The body
also reports the scheduler lag (age of the oldest due-but-unfired deadline, at the app's clock)
and the outbox backlog (pending and failed deliveries, unsequenced messages): figures to alert
on, not reasons to take a process out of rotation (every process would fail them together).

Probes call it without a key and get the verdict only (``ready``, ``store``, ``problems``); the
figures and the background loops' last errors are internals, shown to operator keys alone. A
key that is presented must be valid (401 otherwise).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import optional_key
from anxin.api.errors import responses
from anxin.api.keys import ApiKey
from anxin.clock import to_us
from anxin.store import schema as t
from anxin.store.migrate import current_revision, head_revision

router = APIRouter()


class Migrations(msgspec.Struct):
    current: str | None
    head: str | None


class Scheduler(msgspec.Struct):
    lag_s: float  # 0 when nothing is due
    due: int  # deadlines due and not fired yet


class Outbox(msgspec.Struct):
    pending: int
    failed: int
    unsequenced: int


class Readiness(msgspec.Struct, omit_defaults=True):
    ready: bool
    store: str  # "ok" or "unreachable"
    problems: list[str]
    migrations: Migrations | None = None
    scheduler: Scheduler | None = None
    outbox: Outbox | None = None
    background: dict[str, Any] | None = None  # per loop: alive, rounds, failures, last_error


def _figures(sql: sa.Engine, now_us: int) -> tuple[Migrations, Scheduler, Outbox]:
    d, o, dl = t.deadlines.c, t.outbox.c, t.deliveries.c
    migrations = Migrations(current_revision(sql), head_revision(sql))
    with sql.connect() as conn:
        oldest, due = conn.execute(
            sa.select(sa.func.min(d.due_at_us), sa.func.count()).where(
                d.status == sa.literal_column("'pending'"), d.due_at_us <= now_us
            )
        ).one()
        by_status: dict[str, int] = dict(
            conn.execute(
                sa.select(dl.status, sa.func.count())
                .where(dl.status.in_(("pending", "failed")))
                .group_by(dl.status)
            ).all()
        )
        unsequenced = conn.execute(
            sa.select(sa.func.count()).select_from(t.outbox).where(o.seq.is_(None))
        ).scalar_one()
    lag = 0.0 if oldest is None else max(0.0, (now_us - int(oldest)) / 1e6)
    return (
        migrations,
        Scheduler(round(lag, 3), int(due)),
        Outbox(int(by_status.get("pending", 0)), int(by_status.get("failed", 0)), int(unsequenced)),
    )


def check(state: Any) -> Readiness:
    sql: sa.Engine = state.sql_engine
    background = getattr(state, "background", None)
    try:
        migrations, scheduler, outbox = _figures(sql, to_us(state.engine.clock.now()))
    except sa.exc.SQLAlchemyError:
        return Readiness(False, "unreachable", ["store_unreachable"])
    problems = []
    if migrations.current != migrations.head:
        problems.append("migrations_behind")
    loops = None if background is None else background.status()
    for name, loop in (loops or {}).items():
        if not loop["alive"]:
            problems.append(f"{name}_stopped")
    return Readiness(not problems, "ok", problems, migrations, scheduler, outbox, loops)


def _schema() -> dict[str, Any]:
    from anxin.api.outbox import inline_schema

    return {"content": {"application/json": {"schema": inline_schema(Readiness)}}}


@router.get(
    "/ready",
    tags=["ops"],
    response_class=Response,
    responses={
        200: {"description": "Ready", **_schema()},
        503: {"description": "Not ready", **_schema()},
        **responses(401),
    },
)
async def ready(request: Request, key: Annotated[ApiKey | None, Depends(optional_key)]) -> Response:
    """Readiness: store reachable, migrations at head, this process's background loops alive
    (200, else 503); for operator keys, with the scheduler lag, the outbox backlog and the
    background loops' state."""
    result = await run_in_threadpool(check, request.app.state)
    if key is None or key.role != "operator":
        result = Readiness(result.ready, result.store, result.problems)
    return Response(
        msgspec.json.encode(result), 200 if result.ready else 503, media_type="application/json"
    )
