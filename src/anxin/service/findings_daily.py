"""Negative-service findings per merchant-day (issue 14; platform-rules.md §5.1): a slow
average reply and unanswered sessions, over the conversations started in service hours on the
merchant's local day, with the lines behind them. Pure: conversations in, findings out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from anxin.domain.calendar import BusinessCalendar
from anxin.service.conversations import Conversation, counts
from anxin.service.findings import Finding, ServiceFindings
from anxin.service.sla import Line, ServiceSla, round_seconds, rounds

EVIDENCE = 3  # the slowest rounds, or the first unanswered questions, shown as evidence


def daily(
    conversations: Iterable[Conversation],
    rules: ServiceFindings,
    sla: ServiceSla,
    hours: BusinessCalendar,
    now: dt.datetime,
) -> list[Finding]:
    """Slow averages and unanswered sessions per merchant and local day, as of ``now``."""
    days: dict[tuple[str, dt.date], list[Conversation]] = defaultdict(list)
    for c in conversations:
        started = c.started_at
        if started is not None and started <= now and counts(c, hours):
            days[(c.merchant_id, hours.local(started).date())].append(c)
    out: list[Finding] = []
    for (merchant, _), found in sorted(days.items(), key=lambda kv: kv[0]):
        found.sort(key=lambda c: (c.started_at, c.conversation_id))
        timed: list[tuple[int, Conversation, Line]] = []
        silent: list[tuple[Conversation, Line]] = []
        for c in found:
            lines = [x for x in c.lines if x.at <= now]
            rs = rounds(lines)
            for r in rs:
                asked = next(x for x in lines if x.at == r.asked_at and x.sender == "consumer")
                timed.append((round_seconds(r, sla, hours, now), c, asked))
            if rs and all(r.answered_at is None or r.answered_at > now for r in rs):
                silent.append((c, next(x for x in lines if x.sender == "consumer")))
        if rules.slow_average_seconds is not None and len(timed) >= rules.slow_min_rounds:
            average = sum(s for s, _, _ in timed) / len(timed)
            if average > rules.slow_average_seconds:
                slowest = sorted(timed, key=lambda x: (-x[0], x[2].at))[:EVIDENCE]
                out.append(Finding(
                    "slow_average", merchant, max(x.at for _, _, x in timed),
                    tuple(dict.fromkeys(c.conversation_id for _, c, _ in slowest)),
                    tuple(x for _, _, x in slowest),
                    f"average {average:.0f} s over {len(timed)} rounds",
                    {"average_seconds": round(average, 1), "rounds": len(timed),
                     "line_seconds": rules.slow_average_seconds},
                ))  # fmt: skip
        line = rules.unanswered_min_sessions
        if line is not None and len(silent) >= line:
            shown = silent[:EVIDENCE]
            out.append(Finding(
                "unanswered_sessions", merchant, silent[-1][1].at,
                tuple(c.conversation_id for c, _ in silent), tuple(q for _, q in shown),
                f"{len(silent)} conversations never answered",
                {"sessions": len(silent), "line_sessions": line},
            ))  # fmt: skip
    return out
