"""Small, explicit distributions used as parameters (data, not scattered literals).

Each takes the run's seeded ``random.Random``; none touches the global generator.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Beta:
    """A rate in [0, 1] with the given mean; higher concentration = tighter around the mean."""

    mean: float
    concentration: float = 20.0

    def sample(self, rng: random.Random) -> float:
        if self.mean <= 0.0:
            return 0.0
        if self.mean >= 1.0:
            return 1.0
        c = self.concentration
        return rng.betavariate(self.mean * c, (1.0 - self.mean) * c)

    def pool(self, rng: random.Random, size: int = 4096) -> tuple[float, ...]:
        """``size`` draws to sample from by index: cheap when millions of draws are needed."""
        return tuple(self.sample(rng) for _ in range(size))


@dataclass(frozen=True, slots=True)
class LogNormal:
    """A positive quantity with the given median; sigma is the spread of its logarithm."""

    median: float
    sigma: float = 0.5

    def sample(self, rng: random.Random) -> float:
        return self.median * math.exp(rng.gauss(0.0, self.sigma))

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    """A weighted choice among values, drawn by bisection on cumulative weights."""

    values: tuple[T, ...]
    weights: tuple[float, ...]
    _cum: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.values) != len(self.weights) or not self.values:
            raise ValueError("a choice needs one weight per value")
        object.__setattr__(self, "_cum", tuple(accumulate(self.weights)))

    def sample(self, rng: random.Random) -> T:
        cum = self._cum
        return self.values[bisect(cum, rng.random() * cum[-1])]

    def share(self, value: T) -> float:
        total = self._cum[-1]
        return sum(w for v, w in zip(self.values, self.weights, strict=True) if v == value) / total


def choice(pairs: Sequence[tuple[T, float]]) -> Choice[T]:
    return Choice(tuple(v for v, _ in pairs), tuple(w for _, w in pairs))
