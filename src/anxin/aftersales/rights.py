"""The consumer's after-sales rights, each an engine rule with its pack section.

Nothing registers on import: the composition root adds ``RIGHTS_RULES`` to the engine's rules
(after the guarantee rules) and ``RIGHTS_SCHEMAS`` to the pack sections it validates. A pack
without a right's section does not offer that right (it is neither enforced nor shown).
"""

from __future__ import annotations

import msgspec

from anxin.aftersales import (
    rights_a_to_z,
    rights_counterfeit,
    rights_damage,
    rights_freight,
    rights_instant_refund,
    rights_no_reason,
)
from anxin.engine.rule import OrderRule

_MODULES = (
    rights_instant_refund,
    rights_no_reason,
    rights_freight,
    rights_damage,
    rights_counterfeit,
    rights_a_to_z,
)

RIGHTS_RULES: tuple[OrderRule, ...] = tuple(m.RULE for m in _MODULES)

# Refund before shipment reads ``rules.instant_refund``, the section anxin.refunds owns (its
# risk decision applies the same limits): one section, one schema.
RIGHTS_SCHEMAS: dict[str, type[msgspec.Struct]] = {
    rule_id: config
    for m in _MODULES
    if m is not rights_instant_refund
    for rule_id, config in m.SCHEMAS.items()
}

__all__ = ["RIGHTS_RULES", "RIGHTS_SCHEMAS"]
