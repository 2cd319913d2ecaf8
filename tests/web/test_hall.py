"""The consumer's guarantee hall in a real browser: an order opened with its link token shows
the figures the API's hall answers with; the language switch keeps the order; a link, a
merchant key or no key cannot open someone else's order; the hall's buttons record a request
in the store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.api.keys import create_key, create_link
from anxin.clock import FixedClock
from tests.web.conftest import Market, screenshots, sign_in

NODES = ("paid", "shipped", "in_transit", "delivered", "after_sales")


def _api(page: Any, market: Market, order_id: str) -> dict[str, Any]:
    response = page.request.get(f"/v1/orders/{order_id}/guarantees",
                                headers={"X-API-Key": market.operator})  # fmt: skip
    assert response.status == 200
    hall: dict[str, Any] = response.json()
    return hall


def _attrs(page: Any, selector: str, *names: str) -> list[tuple[str | None, ...]]:
    return [tuple(el.get_attribute(n) for n in names) for el in page.query_selector_all(selector)]


def _instant(text: str | None) -> dt.datetime:
    assert text
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _link(market: Market, order_id: str) -> str:
    sql = market.sql
    try:
        return create_link(sql, order_id, created_by="tests", clock=FixedClock(market.demo.now))
    finally:
        sql.dispose()


def _state(market: Market, order_id: str) -> dict[str, Any]:
    with market.sql.connect() as conn:
        raw = conn.execute(sa.text("SELECT state FROM order_state WHERE order_id = :o"),
                           {"o": order_id}).scalar_one()  # fmt: skip
    state: dict[str, Any] = msgspec.json.decode(raw)
    return state


def _one(market: Market, query: str, **params: object) -> Any:
    with market.sql.connect() as conn:
        return conn.execute(sa.text(query), params).scalar_one()


def test_the_link_opens_its_order_with_the_apis_figures(page: Any, market: Market) -> None:
    page.goto(f"/hall?token={market.link}&lang=en")
    assert page.url.endswith(f"/hall/orders/{market.order_id}")  # the token left the URL
    api = _api(page, market, market.order_id)
    assert page.get_attribute("[data-test=status]", "data-value") == api["status"]
    assert page.get_attribute("[data-test=amount-paid]", "data-amount") == str(
        api["amount_paid"]["amount"]
    )
    total = api["compensation_total"]["amount"]
    assert total > 0  # the fixture's order was compensated
    assert page.get_attribute("[data-test=compensation-total]", "data-amount") == str(total)
    # Every right, node by node, with its status and the money paid on it.
    shown = _attrs(page, "[data-test=right]", "data-right-id", "data-status", "data-amount")
    expected = [
        (r["right_id"], r["status"], str(r["compensation"]["amount"] if r["compensation"] else 0))
        for node in NODES
        for r in api["rights"]
        if r["node"] == node
    ]
    assert shown == expected
    for node in NODES:  # each right sits at its node
        ids = _attrs(page, f"[data-node={node}] [data-test=right]", "data-right-id")
        assert [i[0] for i in ids] == [r["right_id"] for r in api["rights"] if r["node"] == node]
    # A running clock counts down where a right is in force with a due time.
    running = [r for r in api["rights"] if r["status"] in ("in_force", "pending") and r["due_at"]]
    assert page.locator("[data-test=countdown]").count() == len(running)
    if running:
        assert page.locator("[data-test=countdown]").first.inner_text().strip()
    # The payouts listed add up to the total, one line per ledger transaction.
    payouts = _attrs(page, "[data-test=payout]", "data-amount")
    assert len(payouts) == sum(len(r["payouts"]) for r in api["rights"])
    assert sum(int(a[0] or 0) for a in payouts) == total
    # The parcel's scans, newest first, with the normalized status.
    scans = _attrs(page, "[data-test=scan]", "data-status", "data-at")
    want = [(s["status"], _instant(s["at"])) for s in reversed(api["timeline"])]
    assert [(s, _instant(at)) for s, at in scans] == want
    assert page.locator("[data-test=message]").count() == len(api["proactive"])
    # The journey: the order's status is the node marked "now".
    now = {"delivered": "delivered", "in_transit": "in_transit", "shipped": "shipped"}
    if api["status"] in now:
        stage = page.get_attribute(f"[data-node={now[api['status']]}]", "data-stage")
        assert stage in ("now", "done")
    assert page.locator("[data-test=node][data-stage=done]").count() >= 1
    if api["status"] == "delivered":  # signed for: the after-sales window is open
        assert page.get_attribute("[data-node=after_sales]", "data-stage") == "now"
    screenshots(page, "hall-order")


def test_the_language_switch_keeps_the_order(page: Any, market: Market) -> None:
    page.goto(f"/hall?token={market.link}&lang=en")
    assert page.locator("h1").inner_text() == "Guarantee hall"
    english = page.locator("[data-test=status]").inner_text()
    page.click("[data-test=lang-switch]")
    assert page.url.split("?")[0].endswith(f"/hall/orders/{market.order_id}")
    assert page.locator("h1").inner_text() == "服务保障厅"
    assert page.locator("[data-test=status]").inner_text() != english
    assert page.locator("[data-test=order-id]").inner_text() == market.order_id
    assert (
        "已赔付" in page.locator("[data-test=compensation]").inner_text()
        or page.locator("[data-test=payout]").count()
    )
    screenshots(page, "hall-order-zh")
    page.click("[data-test=lang-switch]")
    assert page.locator("h1").inner_text() == "Guarantee hall"
    # Opened at the order itself, the token is kept too: the switch carries none.
    page.context.clear_cookies()
    page.goto(f"/hall/orders/{market.order_id}?token={market.link}")
    page.click("[data-test=lang-switch]")
    assert "token=" not in page.url
    assert page.locator("[data-test=order-id]").inner_text() == market.order_id


def test_no_one_opens_another_partys_order(page: Any, market: Market) -> None:
    assert page.goto("/hall").status == 401  # no key, no link
    assert page.goto(f"/hall/orders/{market.order_id}").status == 401
    assert page.locator("[data-test=error-page]").is_visible()
    page.goto(f"/hall?token={market.link}")
    response = page.goto(f"/hall/orders/{market.other_order_id}")  # the link's cookie rides
    assert response.status == 404
    assert page.locator("[data-test=error-page]").is_visible()
    assert page.locator("[data-test=hall]").count() == 0
    ask = page.request.post(f"/hall/orders/{market.other_order_id}/ask",
                            form={"action": "complaint", "reason": "other",
                                  "request_id": "0123456789abcdef"})  # fmt: skip
    assert ask.status == 404  # nor ask on it
    assert page.goto("/hall/orders/no-such-order").status == 404  # same page as a stranger's
    screenshots(page, "hall-404")
    page.context.clear_cookies()
    sign_in(page, market.merchant)
    assert page.goto(f"/hall/orders/{market.other_order_id}").status == 404
    assert page.goto(f"/hall/orders/{market.order_id}").status == 200
    assert page.locator("[data-test=only-consumer]").is_visible()  # merchants look, not ask
    ask = page.request.post(f"/hall/orders/{market.order_id}/ask",
                            form={"action": "refund", "reason": "not_received",
                                  "request_id": "0123456789abcdef"})  # fmt: skip
    assert ask.status == 403


def test_a_key_lists_the_orders_it_may_open(page: Any, market: Market) -> None:
    consumer = _state(market, market.order_id)["consumer_id"]
    sql = market.sql
    secret = create_key(sql, "me", "consumer", consumer_id=consumer,
                        clock=FixedClock(market.demo.now))  # fmt: skip
    sql.dispose()
    sign_in(page, secret)
    page.goto("/hall?lang=en")
    rows = [r[0] for r in _attrs(page, "[data-test=order-row]", "data-order")]
    assert market.order_id in rows
    assert market.other_order_id not in rows
    assert all(_state(market, o)["consumer_id"] == consumer for o in rows)
    screenshots(page, "hall-orders")
    page.fill("[data-test=table-filter]", market.order_id)  # the table filters in place
    page.click(f"[data-test=order-row][data-order='{market.order_id}'] a")
    assert page.url.endswith(f"/hall/orders/{market.order_id}")
    assert page.goto(f"/hall/orders/{market.other_order_id}").status == 404
    page.context.clear_cookies()
    sign_in(page, market.merchant)
    page.goto("/hall")
    shops = {_state(market, r[0] or "")["merchant_id"] for r in
             _attrs(page, "[data-test=order-row]", "data-order")}  # fmt: skip
    assert shops == {market.merchant_id}


def _quiet_order(page: Any, market: Market) -> str | None:
    """An order with no scans and no compensation (cancelled before it shipped, say)."""
    with market.sql.connect() as conn:
        ids = list(conn.execute(sa.text(
            "SELECT order_id FROM order_state WHERE state LIKE '%\"parcels\":[]%' "
            "ORDER BY order_id LIMIT 60")).scalars())  # fmt: skip
    for order_id in ids:
        api = _api(page, market, order_id)
        if not api["timeline"] and not (api["compensation_total"] or {}).get("amount"):
            return str(order_id)
    return None


def test_empty_states_say_what_to_expect(page: Any, market: Market) -> None:
    order_id = _quiet_order(page, market)
    assert order_id is not None, "the tiny market has an order without scans or payouts"
    page.goto(f"/hall?token={_link(market, order_id)}&lang=en")
    assert "carrier scan shows here" in page.locator("[data-test=scans-empty]").inner_text()
    assert "pays you automatically" in page.locator("[data-test=compensation-empty]").inner_text()
    assert page.locator("[data-test=requests-empty]").is_visible()
    screenshots(page, "hall-order-empty")


def test_asking_from_the_page_reaches_the_store(page: Any, market: Market) -> None:
    # Another order than the fixture's, so other pages' figures on it stay as simulated.
    with market.sql.connect() as conn:
        order_id = conn.execute(sa.text(
            "SELECT order_id FROM order_state WHERE status = 'delivered' AND order_id <> :o "
            "AND merchant_id = :m ORDER BY order_id LIMIT 1"),
            {"o": market.order_id, "m": market.merchant_id}).scalar_one()  # fmt: skip
    page.goto(f"/hall?token={_link(market, order_id)}&lang=en")
    before = len(_state(market, order_id)["aftersales"])
    clocks_before = page.locator("[data-test=countdown]").count()
    page.select_option("#reason-return", "quality")
    page.fill("#text-return", "the seam came apart")
    form = page.locator("[data-test=action-return]")
    request_id = form.locator("input[name=request_id]").get_attribute("value")
    page.click("[data-test=ask-return]")
    notice = page.locator("[data-test=notice]")
    assert notice.get_attribute("data-kind") == "aftersale"
    ask_id = notice.get_attribute("data-id")
    assert ask_id
    assert ask_id.startswith("HA-")
    body = _one(market, "SELECT body FROM events WHERE type = 'aftersale.requested' "
                "AND body LIKE :p", p=f"%{ask_id}%")  # fmt: skip
    clocks = _one(market, "SELECT count(*) FROM deadlines WHERE aggregate_key = :k",
                  k=f"order:{order_id}")  # fmt: skip
    event = msgspec.json.decode(body)
    assert event["payload"]["kind"] == "return_refund"
    assert event["payload"]["reason"] == "quality"
    assert event["payload"]["text"] == "the seam came apart"
    aftersales = _state(market, order_id)["aftersales"]
    assert len(aftersales) == before + 1
    assert aftersales[-1]["aftersale_id"] == ask_id
    assert clocks >= 1
    # The marketplace is asked to open the case: one message, to the merchant's key.
    sent = _one(market, "SELECT body FROM outbox WHERE message_id = :m AND topic = "
                "'consumer.request' AND aggregate_key = :k", m=f"{ask_id}:request",
                k=f"merchant:{market.merchant_id}")  # fmt: skip
    assert msgspec.json.decode(sent)["kind"] == "return_refund"
    # The merchant's response clock now runs in the hall, as the API shows it.
    assert page.locator("[data-test=countdown]").count() == clocks_before + 1
    api = _api(page, market, order_id)
    assert len(_attrs(page, "[data-test=right]", "data-right-id")) == len(api["rights"])
    row = page.locator(f"[data-test=request][data-id='{ask_id}']")
    assert row.get_attribute("data-status") == "requested"
    screenshots(page, "hall-asked")
    # The same form sent again is recorded once.
    again = page.request.post(f"/hall/orders/{order_id}/ask",
                              form={"action": "return", "reason": "quality",
                                    "request_id": request_id or ""})  # fmt: skip
    assert again.ok
    assert "duplicate" in again.url
    assert len(_state(market, order_id)["aftersales"]) == before + 1
    # A complaint goes in as the marketplace's complaint event.
    page.select_option("#reason-complaint", "service")
    page.click("[data-test=ask-complaint]")
    complaint = page.locator("[data-test=notice]").get_attribute("data-id")
    assert complaint
    assert complaint.startswith("HC-")
    found = _one(market, "SELECT count(*) FROM events WHERE type = 'complaint.filed' "
                 "AND body LIKE :p", p=f"%{complaint}%")  # fmt: skip
    assert found == 1
