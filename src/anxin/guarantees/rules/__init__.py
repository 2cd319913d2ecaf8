"""Guarantee rules: one module per promise kept for the consumer.

Nothing registers itself on import: the composition root (``anxin.application``) takes
``RULES`` (what the engine runs) and ``SCHEMAS`` (what a pack's ``rules.<id>`` sections may say).
"""

from __future__ import annotations

import msgspec

from anxin.engine.rule import OrderRule
from anxin.guarantees.rules import delivery, fraud_shipping, late_shipment, logistics, never_signed
from anxin.guarantees.rules import payout as payout

_MODULES = (late_shipment, logistics, never_signed, delivery, fraud_shipping)

RULES: tuple[OrderRule, ...] = tuple(m.RULE for m in _MODULES)

SCHEMAS: dict[str, type[msgspec.Struct]] = {
    rule_id: config for m in (*_MODULES, payout) for rule_id, config in m.SCHEMAS.items()
}

__all__ = ["RULES", "SCHEMAS"]
