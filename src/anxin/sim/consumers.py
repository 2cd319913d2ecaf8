"""Consumers: where they live, how often they buy, since when they have an account, which door
they ship to, whether they review or complain, and who among them abuses after-sales.

Honest consumers are the large majority; some return a lot and always send the goods back.
Abusers (``ABUSER_KINDS``) buy normally most of the time and abuse a minority of their orders,
some only after a clean start. Rings are new accounts opened together, sharing one address.

Stored column-wise in compact arrays: a bench run has hundreds of thousands of consumers and
every shard holds the whole table.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate

from anxin.sim.geo import BY_NAME, CONSUMER_PROVINCES, PROVINCES
from anxin.sim.params import SimParams
from anxin.sim.timeline import CST, DAY, at, day_start
from anxin.sim.truth import AbuserKind, ConsumerTruth

_PROVINCE_INDEX = {p.name: i for i, p in enumerate(PROVINCES)}

HONEST, HEAVY_RETURNER, WARDROBER, EMPTY_BOX, NOT_RECEIVED, RING = range(6)
# The truth file's name of each kind (``ConsumerTruth.abuser_kind``).
KIND_NAMES: tuple[AbuserKind, ...] = (
    "",
    "heavy_returner",
    "serial_returner",
    "empty_box",
    "not_received",
    "ring",
)
ABUSER_KINDS = frozenset({WARDROBER, EMPTY_BOX, NOT_RECEIVED, RING})
FOREVER = 2**62
_MASK = (1 << 64) - 1


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
        self.kind = bytearray(n)
        self.abuse_rate = array("f", bytes(4 * n))  # share of delivered orders abused
        self.abuse_from = array("q", bytes(8 * n))  # epoch s: abuse starts (0: from the start)
        self.since = array("q", bytes(8 * n))  # epoch s: the account was opened
        self.until = array("q", [FOREVER]) * n  # epoch s: the account was abandoned
        self.address = array("q", range(n))  # delivery address (shared by households, rings)
        self.ring = array("q", [-1]) * n  # ring index, -1 outside rings
        self._salt = hash_int(params.seed, 0x5EED)
        start = day_start(params.start.astimezone(CST).date())
        run = params.days * DAY
        weights = array("d", bytes(8 * n))
        # Beta draws are slow; a pool of draws picked by index has the same distribution.
        reviews, complaints = mix.review_rate.pool(rng), mix.complaint_rate.pool(rng)
        abuse, ring_abuse = mix.abuse_rate.pool(rng, 512), mix.ring_abuse_rate.pool(rng, 512)
        kinds = [
            (mix.heavy_returner_share, HEAVY_RETURNER),
            (mix.wardrober_share, WARDROBER),
            (mix.empty_box_share, EMPTY_BOX),
            (mix.not_received_share, NOT_RECEIVED),
            (mix.ring_share, RING),
        ]
        cum_kinds = list(accumulate(share for share, _ in kinds))
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
            k = bisect(cum_kinds, rand())
            kind = kinds[k][1] if k < len(kinds) else HONEST
            self.kind[i] = kind
            if kind == HONEST and rand() < mix.new_account_share:
                self.since[i] = start + int((-30 + (params.days + 30) * 0.9 * rand()) * DAY)
            else:
                age = min(3650.0, max(30.0, mix.account_age_days.sample(rng)))
                self.since[i] = start - int(age * DAY) - int(rand() * DAY)
            if kind in ABUSER_KINDS:
                self.abuse_rate[i] = abuse[int(rand() * len(abuse))]
                if rand() < mix.late_abuser_share:  # a clean history first
                    self.abuse_from[i] = start + int((0.2 + 0.6 * rand()) * run)
            elif (
                kind == HONEST and i and self.kind[i - 1] == HONEST and rand() < mix.household_share
            ):
                self._move_in(i, i - 1)  # lives with the previous buyer
        self._rings(params, rng, start, run, weights, ring_abuse)
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]
        # A customer since before the run: the fallback when no drawn account is open yet.
        self._anchor = next((i for i in range(n) if self.since[i] < start), 0)

    def _move_in(self, i: int, j: int) -> None:
        self.address[i] = self.address[j]
        self.province[i], self.city[i] = self.province[j], self.city[j]

    def _rings(
        self,
        params: SimParams,
        rng: random.Random,
        start: int,
        run: int,
        weights: array[float],
        abuse: tuple[float, ...],
    ) -> None:
        """Group ring accounts (in index order) into rings opened together at one address."""
        mix = params.mix.consumers
        members = [i for i in range(self.count) if self.kind[i] == RING]
        rand = rng.random
        ring = 0
        while members:
            size = rng.randint(*mix.ring_size)
            group, members = members[:size], members[size:]
            # Opened from a week before the run to late in it, so rings keep appearing.
            opened = start + int((-7 * DAY) + (run + 7 * DAY) * 0.85 * rand())
            life = int(mix.ring_life_days.sample(rng) * DAY)
            for i in group:
                self.ring[i] = ring
                self._move_in(i, group[0])
                self.since[i] = opened + int(rand() * mix.ring_spread_days * DAY)
                self.until[i] = self.since[i] + life
                self.abuse_rate[i] = abuse[int(rand() * len(abuse))]
                self.abuse_from[i] = 0
                weights[i] *= mix.ring_frequency_factor
            ring += 1

    def pick(self, rng: random.Random, t: int) -> int:
        """A buyer whose account is open at ``t``, weighted by buying frequency."""
        cum, total, n = self._cum, self._total, self.count - 1
        since, until = self.since, self.until
        for _ in range(32):
            i = min(bisect(cum, rng.random() * total), n)
            if since[i] < t <= until[i]:
                return i
        return self._anchor

    def region(self, i: int) -> tuple[str, str]:
        p = PROVINCES[self.province[i]]
        return p.name, p.cities[self.city[i]]

    def address_id(self, i: int) -> str:
        """The marketplace's opaque hash of the consumer's delivery address."""
        return f"{hash_int(self._salt, self.address[i]):016x}"

    def abusing(self, i: int, t: int) -> bool:
        return self.kind[i] in ABUSER_KINDS and t >= self.abuse_from[i]


def hash_int(a: int, b: int) -> int:
    """splitmix64 of two integers: stable across processes (unlike ``hash``) and cheap."""
    z = (a * 0x9E3779B97F4A7C15 + b + 0x632BE59BD9B4E019) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def consumer_truth(c: Consumers) -> Iterator[ConsumerTruth]:
    """A record for every consumer who is not a plain honest buyer."""
    for i in range(c.count):
        kind = c.kind[i]
        if kind == HONEST:
            continue
        ring = c.ring[i]
        yield ConsumerTruth(
            consumer_id=consumer_id(i),
            abuser=kind in ABUSER_KINDS,
            abuser_kind=KIND_NAMES[kind],
            abusive_from=at(c.abuse_from[i]) if c.abuse_from[i] else None,
            ring=ring if ring >= 0 else None,
        )


def consumer_id(index: int) -> str:
    return f"C{index:07d}"
