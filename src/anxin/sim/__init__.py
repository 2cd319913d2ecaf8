"""A seeded marketplace simulator that emits anxin events, with its ground truth on the side.

    from anxin.sim import preset, simulate
    with open("events.jsonl", "wb") as e, open("truth.jsonl", "wb") as t:
        summary = simulate(preset("tiny", seed=7), e, t)

Merchants, consumers and carriers carry latent behaviour (late shipping, stock-outs, fake
tracking, quality, abuse ...); orders live their whole life when placed; a governance object
consulted each simulated day changes how merchants behave afterwards.
"""

from __future__ import annotations

from anxin.sim.governance import (
    DayReport,
    Governance,
    Measure,
    MerchantDay,
    NoGovernance,
    SelfGovernance,
)
from anxin.sim.merchants import Behaviour
from anxin.sim.mix import ConsumerMix, MerchantMix, Mix, OrderMix, Reactions
from anxin.sim.params import PRESETS, SimParams, preset
from anxin.sim.run import SimSummary, iter_events, simulate

__all__ = [
    "PRESETS",
    "Behaviour",
    "ConsumerMix",
    "DayReport",
    "Governance",
    "Measure",
    "MerchantDay",
    "MerchantMix",
    "Mix",
    "NoGovernance",
    "OrderMix",
    "Reactions",
    "SelfGovernance",
    "SimParams",
    "SimSummary",
    "iter_events",
    "preset",
    "simulate",
]
