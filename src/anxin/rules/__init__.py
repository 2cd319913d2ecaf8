"""Guarantee rules. Importing this package registers every rule and its pack schema."""

from __future__ import annotations

from anxin.rules import delivery as delivery
from anxin.rules import fraud_shipping as fraud_shipping
from anxin.rules import late_shipment as late_shipment
from anxin.rules import logistics as logistics
from anxin.rules import never_signed as never_signed
from anxin.rules.base import DueDeadline, OrderRule, order_rules

__all__ = ["DueDeadline", "OrderRule", "order_rules"]
