"""``anxin service …``: customer-service tools (one JSON line per result)."""

from __future__ import annotations

import click


@click.group("service")
def service_group() -> None:
    """Customer service: intents of consumer messages (train, classify, evaluate)."""
