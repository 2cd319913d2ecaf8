"""After-sales: refund, return, exchange and arbitration flows on the engine.

``config`` owns the pack section ``rules.aftersales``; ``flows`` the pure state machine;
``replay`` rebuilds each case of an order from its folded facts; ``rule`` runs the cases on the
engine (clocks, grants, refunds paid). The composition root takes ``RULES`` and ``SCHEMAS``.
"""

from __future__ import annotations

import msgspec

from anxin.aftersales import config, rule
from anxin.engine.rule import OrderRule

RULES: tuple[OrderRule, ...] = (rule.RULE,)

SCHEMAS: dict[str, type[msgspec.Struct]] = {**config.SCHEMAS}

__all__ = ["RULES", "SCHEMAS"]
