"""Cross-order parcel facts: which orders ship under a tracking number, and cloned traces.

Rules see one order at a time; these facts need several. The engine resolves them per batch
and folds them into the orders they concern (``Parcel.shared_with``, ``Parcel.cloned``), where
the fake-tracking signs (``anxin.guarantees.rules.fake_tracking``) read them.

- A number several orders ship under: the later orders get the earlier ones (consumer and
  address) and the parcel's scans so far; every later scan folds into all of them. One
  consumer's orders shipped together (合并发货) are normal; another consumer's address is the
  "number already used for another address" sign.
- A trace that reached its last leg is fingerprinted (every scan to the first last-leg scan:
  time, code, text, place). Another consumer's parcel under another number with the same
  fingerprint is a cloned track. Parcels handled together share hub scans, but not a whole
  trace to delivery, to the second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable

from anxin.clock import to_us
from anxin.domain.order import FINAL, Clone, OrderState, OtherOrder, Parcel
from anxin.engine.ports import ParcelKey, ParcelRow, StoreTx, TracePrint

# A fingerprint needs this many scans: a bare pickup-and-deliver pair proves no copying.
MIN_PRINT_SCANS = 3


class ParcelRegistry:
    """The batch's view of the parcels table: orders per tracking number, first first."""

    def __init__(self, tx: StoreTx, keys: Collection[ParcelKey]) -> None:
        self._orders = tx.parcel_orders(keys) if keys else {}
        self.new_rows: list[ParcelRow] = []

    def orders_of(self, key: ParcelKey) -> list[str]:
        return self._orders.get(key, [])

    def known_orders(self) -> set[str]:
        return {o for orders in self._orders.values() for o in orders}

    def register(self, key: ParcelKey, order_id: str, shipment_id: str, at_us: int) -> list[str]:
        """Note that ``order_id`` ships under ``key``; returns the orders that did so before it
        (empty when it is the first, or was registered already)."""
        orders = self._orders.setdefault(key, [])
        if order_id in orders:
            return []
        before = list(orders)
        orders.append(order_id)
        self.new_rows.append(ParcelRow(key[0], key[1], order_id, shipment_id, at_us))
        return before


def share(state: OrderState, key: ParcelKey, earlier: Iterable[OrderState]) -> None:
    """Fold into ``state``'s parcel the earlier orders on its number and their scans so far."""
    parcel = state.parcel(*key)
    if parcel is None:
        return
    earlier = list(earlier)
    for other in earlier:
        parcel.shared_with.append(
            OtherOrder(other.order_id, other.consumer_id, other.current_destination())
        )
    if state.borrowed_from(parcel) is not None:
        return  # another consumer's number: the reused-number sign, and none of its scans
    seen = {s.event_id for s in parcel.scans}
    for other in earlier:
        theirs = other.parcel(*key)
        for scan in theirs.scans if theirs else []:
            if scan.event_id not in seen:
                seen.add(scan.event_id)
                parcel.scans.append(scan)
    parcel.scans.sort(key=lambda s: (s.at, s.event_id))


def fingerprint(parcel: Parcel) -> tuple[str, int] | None:
    """The trace's fingerprint and the time of its first last-leg scan, once it has one."""
    for i, scan in enumerate(parcel.scans):
        if scan.status in FINAL:
            trace = parcel.scans[: i + 1]
            if len(trace) < MIN_PRINT_SCANS:
                return None
            text = "".join(
                f"{to_us(s.at)}\x1f{s.code}\x1f{s.text}\x1f{s.location}\x1e" for s in trace
            )
            return hashlib.blake2b(text.encode(), digest_size=16).hexdigest(), i
    return None


def mark_clones(tx: StoreTx, orders: Iterable[OrderState]) -> None:
    """Fingerprint every parcel that reached its last leg in this batch; a fingerprint another
    consumer's parcel (under another number) already has marks this parcel as its clone."""
    found: list[tuple[OrderState, Parcel, str, int]] = []
    for state in orders:
        for parcel in state.parcels:
            if not parcel.trace_print and (printed := fingerprint(parcel)) is not None:
                found.append((state, parcel, printed[0], printed[1]))
    if not found:
        return
    known = tx.trace_prints({fp for _, _, fp, _ in found})
    new: list[TracePrint] = []
    for state, parcel, fp, last in sorted(
        found, key=lambda f: (f[1].scans[f[3]].at, f[0].order_id, f[1].tracking_number)
    ):
        parcel.trace_print = fp
        first = known.get(fp)
        if first is None:
            row = TracePrint(
                fp, parcel.carrier, parcel.tracking_number, state.order_id, state.consumer_id
            )
            known[fp] = row
            new.append(row)
            continue
        other_parcel = (first.carrier, first.tracking_number)
        if other_parcel != (parcel.carrier, parcel.tracking_number) and (
            first.consumer_id != state.consumer_id
        ):
            at = parcel.scans[last].at
            parcel.cloned = Clone(first.order_id, first.carrier, first.tracking_number, at)
    tx.add_trace_prints(new)
