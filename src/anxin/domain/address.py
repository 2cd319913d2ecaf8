"""Comparing addresses as far as both sides name them."""

from __future__ import annotations

from anxin.contract import events as ev


def same_place(order_address: ev.Region, other: ev.Region) -> bool:
    """``other`` lies at ``order_address`` as far as both say: the country, then the province and
    the city when both name them (carriers and exports often give only part of an address)."""
    if order_address.country != other.country:
        return False
    for field in ("province", "city"):
        a, b = getattr(order_address, field), getattr(other, field)
        if a and b and a != b:
            return False
    return True
