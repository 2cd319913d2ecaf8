"""``anxin webhook …`` (subscriptions), ``anxin outbox …`` (deliver, list, replay) and
``anxin bench outbox``. Registered by ``register`` from ``anxin.cli.main``."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click
import msgspec
import sqlalchemy as sa

from anxin.cli.options import parse_instant
from anxin.clock import SystemClock, from_us, to_us
from anxin.delivery import store
from anxin.delivery.backoff import load_config
from anxin.delivery.topics import UnknownTopic, parse_types
from anxin.store.schema import outbox, webhook_endpoints


def _sql(ctx: click.Context, *, create: bool = True) -> sa.Engine:
    from anxin.application import StoreMissing, open_store

    try:
        return open_store(ctx.obj.db if ctx.obj else None, create=create)
    except StoreMissing as exc:
        raise click.ClickException(str(exc)) from None


def _now_us() -> int:
    return to_us(SystemClock().now())


@click.group("webhook")
def webhook_group() -> None:
    """Webhook endpoints: where outbox messages are delivered, signed (Standard Webhooks)."""


@webhook_group.command("add")
@click.argument("url")
@click.option("--secret", help="whsec_<base64> signing secret [default: a new one, printed once]")
@click.option("--types", "types", multiple=True, help="topics, comma-separated [default: all]")
@click.pass_context
def webhook_add(ctx: click.Context, url: str, secret: str | None, types: tuple[str, ...]) -> None:
    try:
        topics = parse_types(types)
        endpoint, used = store.add_endpoint(_sql(ctx), url, topics, _now_us(), secret)
    except (UnknownTopic, ValueError) as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"endpoint {endpoint.endpoint_id} {url} types={','.join(topics) or '*'}")
    if secret is None:
        click.echo(f"secret {used}  (shown once: store it with the receiver)")


@webhook_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def webhook_list(ctx: click.Context, as_json: bool) -> None:
    for e in store.list_endpoints(_sql(ctx, create=False)):
        row = {
            "endpoint_id": e.endpoint_id,
            "url": e.url,
            "types": e.types,
            "created_at": from_us(e.created_at_us).isoformat(),
        }
        click.echo(
            json.dumps(row) if as_json else f"{e.endpoint_id}  {e.url}  {','.join(e.types) or '*'}"
        )


@webhook_group.command("remove")
@click.argument("endpoint_id")
@click.pass_context
def webhook_remove(ctx: click.Context, endpoint_id: str) -> None:
    if not store.remove_endpoint(_sql(ctx, create=False), endpoint_id, _now_us()):
        raise click.ClickException(f"no active endpoint {endpoint_id!r}")
    click.echo(f"removed {endpoint_id} (its pending deliveries are cancelled)")


@click.group("outbox")
def outbox_group() -> None:
    """The outbox: deliver its messages to the webhook endpoints, list and replay deliveries."""


@outbox_group.command("deliver")
@click.option("--until-empty", is_flag=True, help="deliver what is due now, then exit")
@click.option("--now", help="deliver what is due at this instant (ISO 8601) [default: now]")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML overriding the delivery defaults (retry schedule, lease, batch, workers)",
)
@click.option("--interval", default=1.0, show_default=True, help="seconds between idle polls")
@click.option("--seed", type=int, help="seed the retry jitter (tests, replays)")
@click.pass_context
def outbox_deliver(
    ctx: click.Context,
    until_empty: bool,
    now: str | None,
    config_path: Path | None,
    interval: float,
    seed: int | None,
) -> None:
    import random

    from anxin.delivery.dispatcher import Dispatcher
    from anxin.delivery.sender import HttpSender

    config = load_config(config_path)
    sender = HttpSender(config.timeout_s, config.workers)
    rand = random.Random(seed).random
    dispatcher = Dispatcher(_sql(ctx), sender, SystemClock(), config, rand)
    try:
        if until_empty:
            report = dispatcher.run_once(parse_instant(now))
            click.echo(msgspec.json.encode(report).decode())
            return
        stop = threading.Event()

        def _stop(_sig: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        dispatcher.run_forever(stop, interval)
    finally:
        dispatcher.close()
        sender.close()


@outbox_group.command("list")
@click.option("--status", type=click.Choice(store.STATUSES))
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def outbox_list(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """List deliveries (one per message and webhook endpoint), oldest first."""
    sql = _sql(ctx, create=False)
    listed = 0
    for r in store.list_deliveries(sql, status, limit):
        listed += 1
        row: dict[str, Any] = {
            "message_id": r.message_id,
            "endpoint_id": r.endpoint_id,
            "topic": r.topic,
            "aggregate_key": r.aggregate_key,
            "seq": r.seq,
            "status": r.status,
            "attempts": r.attempts,
            "next_attempt_at": from_us(r.next_attempt_at_us).isoformat(),
            "delivered_at": None
            if r.delivered_at_us is None
            else from_us(r.delivered_at_us).isoformat(),
            "last_error": r.last_error,
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            err = f"  {r.last_error}" if r.last_error and r.status != "delivered" else ""
            head = f"{r.seq:>8}  {r.status:<9} {r.attempts:>2}x  {r.message_id}"
            click.echo(f"{head}  → {r.endpoint_id}{err}")
    if listed == 0 and status is None:
        _explain_no_deliveries(sql)


def _explain_no_deliveries(sql: sa.Engine) -> None:
    """Nothing to list is not nothing to send: say where the outbox's messages are."""
    with sql.connect() as conn:
        messages = conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
        endpoints = conn.execute(
            sa.select(sa.func.count()).select_from(webhook_endpoints)
        ).scalar_one()
    if messages:
        click.echo(
            f"no deliveries yet: {messages:,} messages in the outbox, {endpoints} webhook "
            "endpoint(s). `anxin webhook add URL` then `anxin outbox deliver --until-empty` "
            "sends them; or pull them with GET /v1/outbox (docs/integration.md).",
            err=True,
        )


@outbox_group.command("replay")
@click.argument("message_id", required=False)
@click.option("--failed", is_flag=True, help="every failed delivery")
@click.pass_context
def outbox_replay(ctx: click.Context, message_id: str | None, failed: bool) -> None:
    """Queue a message's deliveries again (same id: receivers dedupe), or every failed one."""
    if (message_id is None) == (not failed):
        raise click.UsageError("give a MESSAGE_ID or --failed (not both)")
    n = store.replay(_sql(ctx, create=False), _now_us(), message_id, failed=failed)
    if message_id is not None and n == 0:
        raise click.ClickException(f"no delivered or failed delivery of {message_id!r}")
    click.echo(f"queued {n} deliveries; `anxin outbox deliver --until-empty` sends them")


@click.command("outbox")
@click.option("--messages", default=5_000, show_default=True)
@click.option(
    "--orders", default=2_500, show_default=True, help="aggregates the messages spread over"
)
@click.option("--workers", default=32, show_default=True, help="requests in flight")
@click.option(
    "--batch", default=1000, show_default=True, help="deliveries claimed and unrecorded at most"
)
def bench_outbox(messages: int, orders: int, workers: int, batch: int) -> None:
    """Signed webhook deliveries per second to a local receiver, beside bare posts of the same
    bodies by the same HTTP client (the ratio is what the delivery machinery costs)."""
    from anxin.delivery.bench import run

    click.echo(json.dumps(run(messages, orders, workers, batch)))
