"""Evaluating pre-identification (issue 14): the same seeded world simulated without anxin's
outreach and with it.

Ground truth is the simulator's: every logistics help request a consumer meant to make
(``HelpTruth``, written apart from the stream) and whether they made it. anxin's side is the
contacts its model made while the world ran. :func:`compare` reads only those two — it never
calls the model — and gives the reach (the share of the requests the world without outreach
would have had whose consumer was contacted before the instant they would have written), and
help requests per 1,000 orders in both worlds.

With the reply tools on as well (the demo), the worlds also differ in the agents' speed; the
service metrics of both worlds come from anxin's own conversation metrics over their chats.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.contract.events import ChatMessage, ChatRated
from anxin.policy.pack import PolicyBook
from anxin.service.conversations import ServiceMetrics, from_events, totals
from anxin.service.outreach import Outreach
from anxin.service.proactive import ProactiveModel
from anxin.service.sla import RULE_ID as SLA_ID
from anxin.service.sla import ServiceSla, service_calendar
from anxin.sim.governance import Governance
from anxin.sim.params import SimParams
from anxin.sim.run import simulate
from anxin.sim.truth import AnyTruth, HelpTruth
from anxin.store import schema as t

DOUYIN_HELP_REDUCTION = 0.50  # platform-rules.md §1.2: logistics help requests halved
DOUYIN_RESPONSE_CHANGE = -0.168  # merchants' response time with the service tools


class _ChatLines(io.RawIOBase):
    """A stream sink that keeps only the chat events (the rest of a world is not needed)."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.lines += [x for x in data.split(b"\n") if x.startswith(b'{"type":"chat.')]
        return len(data)


@dataclass
class World:
    """What the evaluation keeps of one simulated world."""

    orders: int
    helps: list[HelpTruth]
    chats: list[ChatMessage | ChatRated]
    contacts: dict[str, int] = field(default_factory=dict)  # anxin's, when it ran


_CHAT = msgspec.json.Decoder(ChatMessage | ChatRated)
_TRUTH = msgspec.json.Decoder(AnyTruth)


def world(
    params: SimParams, outreach: Outreach | None = None, governance: Governance | None = None
) -> World:
    """Simulate ``params`` (in this process), keeping its help truth and chats."""
    sink, truth = _ChatLines(), io.BytesIO()
    summary = simulate(params, sink, truth, governance, outreach=outreach)  # type: ignore[arg-type]
    helps = helps_of(truth.getvalue().splitlines())
    chats = [_CHAT.decode(x) for x in sink.lines]
    contacts = dict(outreach.contacts) if outreach is not None else {}
    return World(summary.orders, helps, chats, contacts)


def worlds(
    params: SimParams, book: PolicyBook, model: ProactiveModel | None = None
) -> tuple[World, World]:
    """The world without anxin's service tools and the same seeded world with them (the
    outreach; the reply tools when ``params.reply_tools``)."""
    without = world(replace(params, reply_tools=False))
    outreach = Outreach(book) if model is None else Outreach(book, model)
    return without, world(params, outreach)


def stored_contacts(sql: sa.Engine) -> dict[str, int]:
    """The contacts anxin's store-side run sent (``service.proactive``), epoch seconds."""
    o = t.outbox.c
    query = sa.select(o.aggregate_key, o.created_at_us).where(o.topic == "service.proactive")
    with sql.connect() as conn:
        return {key.removeprefix("order:"): us // 1_000_000 for key, us in conn.execute(query)}


def helps_of(lines: Iterable[bytes]) -> list[HelpTruth]:
    """The help truth among a truth file's lines."""
    return [t for t in map(_TRUTH.decode, lines) if isinstance(t, HelpTruth)]


def compare(without: Sequence[HelpTruth], with_: Sequence[HelpTruth], contacts: dict[str, int],
            orders: int) -> dict[str, Any]:  # fmt: skip
    """Reach and help requests per 1,000 orders (truth and contacts only). The reach is over
    the requests the world with outreach planned (made or not): the orders that would have
    asked had nobody reached them."""
    reached = sum(
        1 for h in with_ if (c := contacts.get(h.order_id)) is not None and c < h.at.timestamp()
    )
    per_without = sum(h.asked for h in without) * 1000 / orders if orders else 0.0
    per_with = sum(h.asked for h in with_) * 1000 / orders if orders else 0.0
    return {
        "orders": orders,
        "would_ask": len(without),
        "reach": round(reached / len(with_), 4) if with_ else None,
        "help_requests_per_1000_without": round(per_without, 2),
        "help_requests_per_1000_with": round(per_with, 2),
        "reduction": round(1 - per_with / per_without, 4) if per_without else None,
        "messages_per_1000": round(len(contacts) * 1000 / orders, 1) if orders else 0.0,
        "precision": round(reached / len(contacts), 4) if contacts else None,
        "douyin_reduction": DOUYIN_HELP_REDUCTION,
    }


def service_metrics(w: World, book: PolicyBook, now: dt.datetime) -> ServiceMetrics:
    """anxin's service metrics over a world's conversations (all merchants together)."""
    pack = book.in_force_or_first(now)
    sla = pack.rule(SLA_ID)
    if not isinstance(sla, ServiceSla):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{SLA_ID}")
    return totals(from_events(w.chats).values(), sla, service_calendar(sla, pack.calendar), now)


def response_change(without: ServiceMetrics, with_: ServiceMetrics) -> dict[str, Any]:
    a, b = without.average_response_seconds, with_.average_response_seconds
    return {
        "average_response_seconds_without": None if a is None else round(a, 1),
        "average_response_seconds_with": None if b is None else round(b, 1),
        "response_change": round(b / a - 1, 4) if a and b is not None else None,
        "douyin_response_change": DOUYIN_RESPONSE_CHANGE,
    }
