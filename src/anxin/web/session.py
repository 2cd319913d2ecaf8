"""Who is looking at a page, with the API's roles and scopes.

A merchant or an operator signs in with an API key (a form, never the query string: it would
end in access logs and histories); the key then rides in an HttpOnly, same-site cookie and is
checked again on every page, so a revoked key is out at once. A consumer opens an order's link
token (``?token=``, as the API accepts it), kept in a cookie for the hall's own links. A page
answers a missing or bad credential with 401, a role that may never open it with 403, and
another party's data with 404, exactly as for data that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request

from anxin.api.auth import usable_id
from anxin.api.keys import verify_key, verify_link

KEY_COOKIE = "anxin_key"
LINK_COOKIE = "anxin_link"
Role = Literal["operator", "merchant", "consumer", "link"]
HOME: dict[str, str] = {"operator": "/console", "merchant": "/portal", "consumer": "/hall",
                        "link": "/hall"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role
    name: str
    merchant_id: str | None = None
    consumer_id: str | None = None
    order_id: str | None = None  # a link token opens one order

    @property
    def home(self) -> str:
        return HOME[self.role]


class PageError(Exception):
    """A page that cannot be shown: 401, 403 or 404, rendered as a page saying what to do."""

    def __init__(self, status: Literal[401, 403, 404], detail: str = "") -> None:
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail


def viewer(request: Request) -> Viewer | None:
    """The signed-in key, else a link token (query first, then cookie); None when neither is
    presented. A presented but invalid credential is a 401, not an anonymous visit."""
    sql = request.app.state.sql_engine
    secret = request.cookies.get(KEY_COOKIE)
    if secret:
        key = verify_key(sql, secret)
        if key is None:
            raise PageError(401, "the signed-in key is unknown or revoked")
        if key.role not in ("operator", "merchant", "consumer"):
            raise PageError(403, f"role {key.role!r} has no pages")
        return Viewer(key.role, key.name, key.merchant_id, key.consumer_id)
    token = request.query_params.get("token") or request.cookies.get(LINK_COOKIE)
    if token:
        link = verify_link(sql, token.strip())
        if link is None:
            raise PageError(401, "unknown or revoked order link")
        return Viewer("link", link.order_id, order_id=link.order_id)
    return None


def need(request: Request, *roles: Role) -> Viewer:
    who = viewer(request)
    if who is None:
        raise PageError(401, "sign in first")
    if who.role not in roles:
        raise PageError(403, f"a {who.role} cannot open this page")
    return who


def own_shop(who: Viewer, merchant_id: str) -> None:
    if not usable_id(merchant_id) or (who.role != "operator" and who.merchant_id != merchant_id):
        raise PageError(404, f"no merchant {merchant_id!r}")


def own_order(who: Viewer, order_id: str, merchant_id: str | None, consumer_id: str | None) -> None:
    mine = (
        who.role == "operator"
        or (who.role == "link" and who.order_id == order_id)
        or (
            who.role == "merchant"
            and who.merchant_id is not None
            and who.merchant_id == merchant_id
        )
        or (
            who.role == "consumer"
            and who.consumer_id is not None
            and who.consumer_id == consumer_id
        )
    )
    if not mine:
        raise PageError(404, f"no order {order_id!r}")
