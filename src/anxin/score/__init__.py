"""Merchant experience score (商家体验分): pure rules, pack data and the formula, no I/O."""

from __future__ import annotations

# Registers the ``rules.merchant_score`` pack section before packs are validated.
from anxin.score import config as config
