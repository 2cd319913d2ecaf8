"""After-sales: refund, return, exchange and arbitration flows as pure state machines.

``config`` owns the pack section ``rules.aftersales``; ``flows`` the state machine. Nothing is
wired into the engine yet: the composition root only learns the section's schema.
"""

from __future__ import annotations

import msgspec

from anxin.aftersales import config

SCHEMAS: dict[str, type[msgspec.Struct]] = {**config.SCHEMAS}

__all__ = ["SCHEMAS"]
