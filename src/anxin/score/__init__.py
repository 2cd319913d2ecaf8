"""Merchant experience score (商家体验分): pure rules, pack data and the formula, no I/O."""

from __future__ import annotations

import msgspec

from anxin.score import amazon_config, config, facts, privileges

# The pack sections the score reads; the composition root hands them to the policy loader.
SCHEMAS: dict[str, type[msgspec.Struct]] = {
    rule_id: schema
    for module in (config, amazon_config, facts, privileges)
    for rule_id, schema in module.SCHEMAS.items()
}

__all__ = ["SCHEMAS"]
