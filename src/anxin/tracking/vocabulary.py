"""anxin's canonical tracking vocabulary: what happened to a parcel (``Status``), why an incident
happened (``Reason``) and who answers for it by default (``Fault``).

The statuses follow the milestones a guarantee engine measures (pickup, first hub, out for
delivery, signed) rather than any one carrier; reasons are grouped by the party a marketplace
would hold responsible, as AfterShip sub-statuses and karrio incident families do.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Status(StrEnum):
    pending = "pending"  # nothing known yet
    info_received = "info_received"  # label or order data sent; the carrier does not have it
    picked_up = "picked_up"  # the carrier took the parcel (collected, accepted, dropped off)
    in_transit = "in_transit"
    at_hub = "at_hub"  # arrived at a hub / sorting or processing centre
    out_for_delivery = "out_for_delivery"
    delivery_failed = "delivery_failed"  # an attempt that did not hand the parcel over
    ready_for_pickup = "ready_for_pickup"  # waiting in a locker, station or counter
    delivered = "delivered"  # signed for / handed over, as the carrier declares
    returning = "returning"  # on its way back to the sender
    returned = "returned"  # back with the sender
    exception = "exception"  # stopped by an incident (see the reason)
    unknown = "unknown"  # a scan anxin cannot read; its raw text is kept


class Reason(StrEnum):
    lost = "lost"
    damaged = "damaged"
    missorted = "missorted"
    delayed = "delayed"  # the carrier's own delay (capacity, backlog, missed connection)
    held = "held"  # held at a facility without a stated cause
    refused = "refused"
    not_home = "not_home"  # consignee absent or unreachable
    business_closed = "business_closed"
    access_restricted = "access_restricted"
    address_problem = "address_problem"
    out_of_area = "out_of_area"  # the address is outside the carrier's service area
    cancelled = "cancelled"
    recalled = "recalled"  # the sender had the parcel stopped and sent back (拦截, 召回)
    not_ready = "not_ready"  # the sender had nothing ready when the carrier came
    wrong_item = "wrong_item"
    customs = "customs"  # held or delayed by customs (routine clearance is no incident)
    duties_unpaid = "duties_unpaid"
    security = "security"  # security screening, prohibited goods
    weather = "weather"
    force_majeure = "force_majeure"  # disasters, epidemics, traffic control by the authorities
    unknown = "unknown"


class Fault(StrEnum):
    carrier = "carrier"
    merchant = "merchant"
    consumer = "consumer"
    customs = "customs"  # customs and other authorities acting on the parcel
    force_majeure = "force_majeure"
    unknown = "unknown"


# Who answers for an incident unless a policy knows better. Address problems default to the
# consumer (who typed the address); an out-of-area address to the merchant, who chose the carrier.
DEFAULT_FAULT: Mapping[Reason, Fault] = MappingProxyType(
    {
        Reason.lost: Fault.carrier,
        Reason.damaged: Fault.carrier,
        Reason.missorted: Fault.carrier,
        Reason.delayed: Fault.carrier,
        Reason.held: Fault.unknown,
        Reason.refused: Fault.consumer,
        Reason.not_home: Fault.consumer,
        Reason.business_closed: Fault.consumer,
        Reason.access_restricted: Fault.consumer,
        Reason.address_problem: Fault.consumer,
        Reason.out_of_area: Fault.merchant,
        Reason.cancelled: Fault.merchant,
        Reason.recalled: Fault.merchant,
        Reason.not_ready: Fault.merchant,
        Reason.wrong_item: Fault.merchant,
        Reason.customs: Fault.customs,
        Reason.duties_unpaid: Fault.consumer,
        Reason.security: Fault.customs,
        Reason.weather: Fault.force_majeure,
        Reason.force_majeure: Fault.force_majeure,
        Reason.unknown: Fault.unknown,
    }
)

# Statuses that are incidents: they always carry a reason (``unknown`` when none is stated).
INCIDENTS = frozenset({Status.delivery_failed, Status.exception, Status.returning, Status.returned})

# Evidence that the carrier has had the parcel in hand.
MOVED = frozenset(
    {
        Status.picked_up,
        Status.in_transit,
        Status.at_hub,
        Status.out_for_delivery,
        Status.delivery_failed,
        Status.ready_for_pickup,
        Status.delivered,
        Status.returning,
        Status.returned,
    }
)

# Before the carrier has the parcel.
PRE_TRANSIT = frozenset({Status.pending, Status.info_received})


def fault_of(reason: Reason | None) -> Fault | None:
    return None if reason is None else DEFAULT_FAULT[reason]
