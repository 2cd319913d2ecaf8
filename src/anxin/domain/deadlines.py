"""A deadline that has fallen due: what the engine hands back to the rule that set it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DueDeadline:
    """A deadline that has fallen due, handed back to the rule that scheduled it."""

    deadline_id: str
    rule_id: str
    aggregate_key: str
    due_at: dt.datetime
    pack: str
    pack_version: str
    data: dict[str, Any] = field(default_factory=dict)
