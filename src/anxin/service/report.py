"""The demo's customer-service report: anxin's service tools on (the world the demo ingested)
against the same seeded world without them, beside Douyin's published figures."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from anxin.service.conversations import ServiceMetrics


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _change(a: float | None, b: float | None) -> str:
    return "—" if not a or b is None else f"{b / a - 1:+.1%}"


def service_report(
    without: ServiceMetrics, with_: ServiceMetrics, proactive: dict[str, Any]
) -> Table:
    table = Table(
        title="Customer service: anxin's tools (suggested replies, pre-identification) on vs "
        "the same seeded world without them",
        title_justify="left",
    )
    for i, col in enumerate(("figure", "without", "with", "change", "Douyin")):
        table.add_column(col, justify="right" if i else "left")
    a, b = without.average_response_seconds, with_.average_response_seconds
    table.add_row("average response (service seconds)", "—" if a is None else f"{a:.0f}",
                  "—" if b is None else f"{b:.0f}", _change(a, b), "-16.8 %")  # fmt: skip
    table.add_row("replied within 3 minutes", _pct(without.reply_in_time_rate),
                  _pct(with_.reply_in_time_rate), "", "")  # fmt: skip
    d0, d1 = without.dissatisfaction_rate, with_.dissatisfaction_rate
    table.add_row("dissatisfaction (chats rated 1-3 stars)", _pct(d0), _pct(d1), _change(d0, d1),
                  "")  # fmt: skip
    p = proactive
    x, y = p["help_requests_per_1000_without"], p["help_requests_per_1000_with"]
    table.add_row("logistics help requests per 1,000 orders", f"{x:.1f}", f"{y:.1f}",
                  _change(x, y), "-50 %")  # fmt: skip
    table.add_row("would-ask orders reached before they asked", "", _pct(p["reach"]), "", "")
    table.add_row("proactive messages per 1,000 orders", "", f"{p['messages_per_1000']:.0f}",
                  "", "")  # fmt: skip
    return table
