"""``anxin service …``: customer-service tools (one JSON line per result)."""

from __future__ import annotations

import json
from typing import Any

import click

from anxin.cli.options import WHEN, When


@click.group("service")
def service_group() -> None:
    """Customer service: reply SLAs and metrics; intents of consumer messages."""


def _now(settings: Any, now: When | None) -> Any:
    from anxin.clock import SystemClock

    return now.at(settings.zone()) if now else SystemClock().now()


@service_group.command("run")
@click.option("--now", type=WHEN, help="judge as of this instant [default: now]")
@click.pass_obj
def run_cmd(settings: Any, now: When | None) -> None:
    """Judge every conversation's reply SLAs; send each missed one once as a
    `service.sla_missed` task. One JSON line: conversations, missed SLAs, merchants."""
    from anxin.service.run import run

    report = run(settings.sql_engine(create=False), settings.book(), _now(settings, now))
    click.echo(json.dumps({"conversations": report.conversations, "missed_slas": report.missed,
                           "merchants": len(report.metrics)}))  # fmt: skip


@service_group.command("metrics")
@click.option("--merchant", help="one merchant's metrics")
@click.option("--now", type=WHEN, help="as of this instant [default: now]")
@click.pass_obj
def metrics_cmd(settings: Any, merchant: str | None, now: When | None) -> None:
    """One JSON line per merchant: average response, in-time reply rate, dissatisfaction,
    unanswered conversations and missed SLAs (conversations started in service hours). Reads
    only: `anxin service run` sends the tasks."""
    from anxin.service.run import judge_all

    report, _ = judge_all(settings.sql_engine(create=False), settings.book(), _now(settings, now))
    for mid in sorted(report.metrics):
        if merchant is None or mid == merchant:
            click.echo(json.dumps({"merchant_id": mid, **report.metrics[mid].as_dict()}))


@service_group.command("findings")
@click.option("--merchant", help="one merchant's findings")
@click.option("--now", type=WHEN, help="as of this instant [default: now]")
@click.pass_obj
def findings_cmd(settings: Any, merchant: str | None, now: When | None) -> None:
    """One JSON line per negative-service finding (please-wait silence, flat refusal, mocking,
    blocking, canned reply) with the rule and the lines that make it, oldest first."""
    from anxin.service.run import negative_service

    found = negative_service(settings.sql_engine(create=False), settings.book(),
                             _now(settings, now))  # fmt: skip
    for f in found:
        if merchant is not None and f.merchant_id != merchant:
            continue
        click.echo(json.dumps({
            "finding_id": f.finding_id, "rule_id": f.rule_id, "kind": f.kind,
            "merchant_id": f.merchant_id, "at": f.at.isoformat(),
            "conversation_ids": list(f.conversation_ids), "why": f.why, "facts": f.facts,
            "evidence": [{"message_id": x.message_id, "at": x.at.isoformat(),
                          "sender": x.sender, "text": x.text} for x in f.evidence],
        }, ensure_ascii=False))  # fmt: skip


@service_group.command("suggest")
@click.argument("order_id")
@click.option("--intent", required=True, help="the consumer's intent (engine name)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--now", type=WHEN, help="the facts as of this instant [default: now]")
@click.pass_obj
def suggest_cmd(settings: Any, order_id: str, intent: str, lang: str, now: When | None) -> None:
    """The reply for an intent filled with the order's live facts; one JSON line (`text`,
    `settles`: the facts answer the question, and the facts used)."""
    from typing import cast

    from anxin.application import order_rules
    from anxin.guarantees.hall import OrderNotFound, load_hall
    from anxin.service.replies import Lang, suggest

    book, at = settings.book(), _now(settings, now)
    try:
        hall = load_hall(settings.sql_engine(create=False), order_id, book, at, order_rules())
    except OrderNotFound:
        raise click.ClickException(f"no order {order_id!r} in the store") from None
    zone = book.in_force_or_first(at).calendar.zone
    reply = suggest(hall, intent, cast(Lang, lang), zone)
    click.echo(json.dumps({"order_id": reply.order_id, "intent": reply.intent, "lang": reply.lang,
                           "variant": reply.variant, "text": reply.text,
                           "settles": reply.settles, "facts": reply.facts},
                          ensure_ascii=False))  # fmt: skip
