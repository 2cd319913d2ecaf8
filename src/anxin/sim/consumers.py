"""Consumers: where they live, how often they buy, whether they review or complain, and the
small share of abusers (false "not received" claims, empty-box returns).

Stored column-wise in compact arrays: a bench run has hundreds of thousands of consumers and
every shard holds the whole table.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from itertools import accumulate

from anxin.sim.geo import BY_NAME, CONSUMER_PROVINCES, PROVINCES
from anxin.sim.params import SimParams

_PROVINCE_INDEX = {p.name: i for i, p in enumerate(PROVINCES)}


class Consumers:
    def __init__(self, params: SimParams) -> None:
        rng = random.Random(f"anxin-sim:{params.seed}:consumers")
        mix = params.mix.consumers
        n = params.consumers
        self.count = n
        self.province = bytearray(n)
        self.city = bytearray(n)  # index into the province's cities
        self.review_rate = array("f", bytes(4 * n))
        self.complaint_rate = array("f", bytes(4 * n))
        self.abuser = bytearray(n)
        weights = array("d", bytes(8 * n))
        # Beta draws are slow; a pool of draws picked by index has the same distribution.
        reviews, complaints = mix.review_rate.pool(rng), mix.complaint_rate.pool(rng)
        rand = rng.random
        for i in range(n):
            province = CONSUMER_PROVINCES.sample(rng)
            self.province[i] = _PROVINCE_INDEX[province]
            cities = len(BY_NAME[province].cities)
            # Half the buyers of a province live in its capital.
            self.city[i] = 0 if rand() < 0.5 else int(rand() * cities)
            weights[i] = mix.frequency.sample(rng)
            self.review_rate[i] = reviews[int(rand() * len(reviews))]
            self.complaint_rate[i] = complaints[int(rand() * len(complaints))]
            self.abuser[i] = rand() < mix.abuser_share
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> int:
        """A buyer, weighted by buying frequency."""
        return min(bisect(self._cum, rng.random() * self._total), self.count - 1)

    def region(self, i: int) -> tuple[str, str]:
        p = PROVINCES[self.province[i]]
        return p.name, p.cities[self.city[i]]


def consumer_id(index: int) -> str:
    return f"C{index:07d}"
