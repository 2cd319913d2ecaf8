"""``anxin service …``: customer-service tools (one JSON line per result)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from anxin.cli.options import WHEN, When


def _line(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


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
    """Judge every conversation's reply SLAs and every complaint ticket; send each missed SLA
    once as a `service.sla_missed` task, each escalation once as `service.escalated`, and for
    opted-in merchants the facts' answer to a waiting consumer once as `service.auto_answer`;
    store the conversations, tickets and the escalation queue. One JSON line of counts."""
    from anxin.application import order_rules
    from anxin.service.run import run

    report = run(settings.sql_engine(create=False), settings.book(), _now(settings, now),
                 order_rules())  # fmt: skip
    click.echo(json.dumps({"conversations": report.conversations, "missed_slas": report.missed,
                           "merchants": len(report.metrics), "tickets": report.tickets,
                           "tickets_missed": report.tickets_missed,
                           "escalated": report.escalated,
                           "auto_answers": report.auto_answers}))  # fmt: skip


@service_group.command("auto-answer")
@click.argument("merchant_id")
@click.option("--on/--off", "enabled", default=None,
              help="opt in or out; without it, show the setting")  # fmt: skip
@click.pass_obj
def auto_answer_cmd(settings: Any, merchant_id: str, enabled: bool | None) -> None:
    """A merchant's automatic answers: where the order's facts settle a waiting consumer's
    question, `anxin service run` sends the filled reply in the merchant's name. One JSON line."""
    from anxin.clock import SystemClock
    from anxin.service import views

    sql = settings.sql_engine(create=False)
    if enabled is None:
        found = views.auto_answer(sql, merchant_id)
    else:
        found = views.set_auto_answer(sql, merchant_id, enabled, "cli", SystemClock().now())
    updated = found.updated_at
    at = None if updated is None else updated.astimezone(settings.zone()).isoformat()
    click.echo(json.dumps({"merchant_id": merchant_id, "enabled": found.enabled,
                           "updated_at": at, "updated_by": found.updated_by}))  # fmt: skip


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


@service_group.command("train")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--text", "text_column", default="utterance", show_default=True,
              help="Column holding the message.")  # fmt: skip
@click.option("--intent", "intent_column", default="intent", show_default=True,
              help="Column holding its intent label.")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Model directory to write.")  # fmt: skip
def train_command(data: Path, text_column: str, intent_column: str, seed: int, out: Path) -> None:
    """Train an intent model on DATA (a CSV with a header, or JDDC's select.txt)."""
    from anxin.service import intents
    from anxin.service.intent_data import IntentDataError, read_utterances

    try:
        utterances = read_utterances(data, text_column, intent_column)
        model = intents.train(utterances, seed)
    except (IntentDataError, ValueError) as e:
        raise click.ClickException(str(e)) from e
    intents.save(model, out)
    _line({"model": str(out), "version": model.meta["version"], "rows": model.meta["rows"],
           "labels": model.meta["labels"], "skipped": utterances.skipped})  # fmt: skip


@service_group.command("classify")
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path),
              help="Model directory from `anxin service train` (trusted paths only).")  # fmt: skip
@click.argument("file", type=click.File("r", encoding="utf-8"))
def classify_command(model_path: Path, file: Any) -> None:
    """Classify FILE: one message per line (``-`` for stdin), one JSON line each."""
    from anxin.service import intents

    try:
        model = intents.load(model_path)
    except (FileNotFoundError, TypeError) as e:
        raise click.ClickException(str(e)) from e
    texts = [t for t in (line.strip() for line in file) if t]
    for result in model.classify(texts):
        _line({"text": result.text, "intent": result.intent, "label": result.label,
               "confidence": result.confidence})  # fmt: skip


@service_group.command("evaluate")
@click.option("--dataset", type=click.Choice(["bitext", "jddc"]), default="bitext",
              show_default=True)  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--test-share", default=0.3, show_default=True, type=click.FloatRange(0.05, 0.95))
def evaluate_command(dataset: str, seed: int, test_share: float) -> None:
    """Held-out accuracy and macro-F1 on a shared data set (stratified, seeded split); for
    jddc also the plain character n-gram baseline's macro-F1 on the same split."""
    from anxin.service import intents
    from anxin.service.intent_data import IntentDataError
    from anxin.service.intent_data import dataset as load_dataset

    try:
        data = load_dataset(dataset)
    except IntentDataError as e:
        raise click.ClickException(str(e)) from e
    figures = intents.evaluate(data, seed, test_share, baseline=dataset == "jddc")
    _line({"dataset": dataset, "seed": seed, "test_share": test_share, **figures})


def _register() -> None:  # pre-identification lives in its own module
    from anxin.service.proactive_cli import (
        evaluate_proactive_cmd,
        proactive_cmd,
        train_proactive_cmd,
    )

    for command in (proactive_cmd, train_proactive_cmd, evaluate_proactive_cmd):
        service_group.add_command(command)


_register()
