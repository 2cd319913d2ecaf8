"""``anxin refunds shadow-report``: the live decisions beside the candidate's, on one line.

Pairs each request's live decision with its shadow one (``refund_decisions``); labels come
from the stream (``labels``), never from a truth file. ``loss_rate`` = the amount labelled
abusive among the approvals ÷ the amount approved, over requests whose outcome is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.refunds.history import fold
from anxin.refunds.labels import label
from anxin.store import schema as t

_EVENT = msgspec.json.Decoder(ev.AnyEvent)


def _events(sql: sa.Engine, ids: set[str]) -> Iterator[ev.Event]:
    with sql.connect() as conn:
        for (body,) in conn.execute(
            sa.select(t.events.c.body).where(
                t.events.c.partition_key.in_([f"order:{o}" for o in ids])
            )
        ):
            yield _EVENT.decode(body)


def report(sql: sa.Engine) -> dict[str, Any]:
    d = t.refund_decisions.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(d.aftersale_id, d.order_id, d.outcome, d.amount, d.shadow,
                      d.pack_version, d.model_version)
        ).all()  # fmt: skip
    live = {r.aftersale_id: r for r in rows if not r.shadow}
    cand = {r.aftersale_id: r for r in rows if r.shadow}
    both = sorted(live.keys() & cand.keys())
    orders = {live[a].order_id for a in both}
    h = fold(_events(sql, orders)) if orders else None
    horizon = max((c.resolved_us or 0 for c in h.cases.values()), default=0) if h else 0

    def labelled(aid: str) -> int | None:
        if h is None or aid not in h.cases:
            return None
        case = h.cases[aid]
        order = h.orders.get(case.order_id)
        return None if order is None else label(case, order, horizon)

    labels = {a: labelled(a) for a in both}

    def side(table: dict[str, Any]) -> dict[str, Any]:
        approved = [a for a in both if table[a].outcome == "approve_now"]
        known = [a for a in approved if labels[a] is not None]
        amount = sum(table[a].amount for a in known)
        lost = sum(table[a].amount for a in known if labels[a] == 1)
        return {
            "coverage": round(len(approved) / len(both), 4) if both else 0.0,
            "loss_rate": round(lost / amount, 5) if amount else 0.0,
            "versions": sorted({f"{table[a].pack_version}/{table[a].model_version}" for a in both}),
        }

    agree = sum(1 for a in both if live[a].outcome == cand[a].outcome)
    return {
        "requests": len(both),
        "labelled": sum(1 for a in both if labels[a] is not None),
        "agreement": round(agree / len(both), 4) if both else 0.0,
        "live": side(live),
        "candidate": side(cand),
    }
