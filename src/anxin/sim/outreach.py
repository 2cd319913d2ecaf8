"""Proactive outreach: the platform reaching a consumer before they ask (issue 14).

When a consumer is about to ask for logistics help, the simulator asks ``outreach`` when the
platform would first have contacted them, given the order's events (all of them: an honest
outreach reads only what happened before each instant it judges). A consumer reached before
they would have written may not write (``Mix.reactions.proactive_deflect``). Without an
outreach nobody is reached, and the world is the same seeded world event for event: the
reactions draw from their own generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from anxin.contract.events import Event


class Outreach(Protocol):
    def first_contact(self, order_id: str, events: Sequence[Event]) -> int | None:
        """Epoch seconds of the platform's first message about the order, or None."""
        ...
