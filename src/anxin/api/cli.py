"""``anxin apikey``: API keys with their role and scope, and consumers' per-order link tokens.

Loaded only when named (``anxin.cli.main.LAZY_COMMANDS``), like every other group."""

from __future__ import annotations

import click

from anxin.cli.main import Settings, out


@click.group()
def apikey() -> None:
    """API keys (stored hashed; a secret is shown once)."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["operator", "merchant", "consumer", "ingest"]),
              default="ingest", show_default=True)  # fmt: skip
@click.option("--merchant", "merchant_id", help="the merchant a merchant key sees (required)")
@click.option("--consumer", "consumer_id", help="the consumer a consumer key sees (required)")
@click.pass_obj
def apikey_create(
    settings: Settings, name: str, role: str, merchant_id: str | None, consumer_id: str | None
) -> None:
    """Create a key and print its secret (only this once). A merchant key sees only its shop
    (--merchant), a consumer key only its own orders (--consumer)."""
    from anxin.api.keys import check_scope, create_key
    from anxin.clock import SystemClock

    try:
        check_scope(role, merchant_id, consumer_id)  # refused before any store is opened
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    secret = create_key(
        settings.sql_engine(), name, role, clock=SystemClock(),  # type: ignore[arg-type]
        merchant_id=merchant_id, consumer_id=consumer_id,
    )  # fmt: skip
    out.print(secret, highlight=False, markup=False, soft_wrap=True)


@apikey.command("list")
@click.pass_obj
def apikey_list(settings: Settings) -> None:
    """List keys (never their secrets), with the party a scoped key sees."""
    from anxin.api.keys import list_keys

    for key in list_keys(settings.sql_engine(create=False)):
        revoked = f"  revoked {key.revoked_at.isoformat()}" if key.revoked_at else ""
        scope = f" [{key.scope}]" if key.scope else ""
        line = f"{key.key_id}  {key.role:9s} {key.name}{scope}{revoked}"
        out.print(line, highlight=False, markup=False)


@apikey.command("revoke")
@click.argument("key_id")
@click.pass_obj
def apikey_revoke(settings: Settings, key_id: str) -> None:
    """Revoke a key."""
    from anxin.api.keys import revoke_key
    from anxin.clock import SystemClock

    if not revoke_key(settings.sql_engine(create=False), key_id, clock=SystemClock()):
        raise click.ClickException(f"no active key {key_id}")
    out.print(f"revoked {key_id}")


@apikey.command("link")
@click.argument("order_id")
@click.pass_obj
def apikey_link(settings: Settings, order_id: str) -> None:
    """Create a link token opening one order's guarantee hall (send it as `X-Link-Token` or
    `?token=`); printed only this once."""
    from anxin.api.keys import UnknownOrder, create_link
    from anxin.clock import SystemClock

    try:
        token = create_link(
            settings.sql_engine(create=False), order_id, created_by="cli", clock=SystemClock()
        )
    except UnknownOrder:
        raise click.ClickException(f"no order {order_id!r} in the store") from None
    out.print(token, highlight=False, markup=False, soft_wrap=True)


@apikey.command("links")
@click.argument("order_id", required=False)
@click.pass_obj
def apikey_links(settings: Settings, order_id: str | None) -> None:
    """List link tokens (of one order, or all; never their secrets)."""
    from anxin.api.keys import list_links

    for link in list_links(settings.sql_engine(create=False), order_id):
        revoked = f"  revoked {link.revoked_at.isoformat()}" if link.revoked_at else ""
        line = f"{link.token_id}  {link.order_id}  by {link.created_by}{revoked}"
        out.print(line, highlight=False, markup=False, soft_wrap=True)


@apikey.command("unlink")
@click.argument("token_id")
@click.pass_obj
def apikey_unlink(settings: Settings, token_id: str) -> None:
    """Revoke a link token."""
    from anxin.api.keys import revoke_link
    from anxin.clock import SystemClock

    if not revoke_link(settings.sql_engine(create=False), token_id, clock=SystemClock()):
        raise click.ClickException(f"no active link token {token_id}")
    out.print(f"revoked {token_id}")
