"""The merchant portal in a real browser, on a freshly simulated marketplace: the figures it
shows are the API's, an appeal filed from the page is stored, a suggested reply sent from the
page reaches the event log, and a shop sees only itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from anxin.api.keys import create_key
from anxin.clock import FixedClock, to_us
from tests.web.conftest import Market, screenshots, sign_in


def _api(page: Any, path: str, key: str) -> Any:
    response = page.request.get(path, headers={"X-API-Key": key})
    assert response.ok, (path, response.status)
    return response.json()


def _values(page: Any, selector: str, attribute: str = "data-value") -> list[str]:
    return [c.get_attribute(attribute) for c in page.locator(selector).all()]


def test_the_score_shown_is_the_apis(page: Any, market: Market) -> None:
    sign_in(page, market.merchant)
    page.goto("/portal?lang=en")
    assert page.url.endswith(f"/portal/{market.merchant_id}")
    api = _api(page, f"/v1/merchants/{market.merchant_id}/score", market.merchant)
    assert page.locator("[data-test=score]").inner_text() == api["score"]
    assert page.locator("[data-test=day]").inner_text() == api["day"]
    shown = {
        row.get_attribute("data-dimension"): row.locator("[data-test=dimension-score]")
        for row in page.locator("tr[data-dimension]").all()
    }
    dimensions = api["explanation"]["dimensions"]
    assert set(shown) == {d["dimension"] for d in dimensions}
    for d in dimensions:
        value = shown[d["dimension"]].get_attribute("data-value")
        assert (float(value) if value else None) == d["score"]
    indicators = {i["indicator"]: i for d in dimensions for i in d["indicators"]}
    rows = page.locator("tr[data-indicator]").all()
    assert {r.get_attribute("data-indicator") for r in rows} == set(indicators)
    for row in rows:
        value = row.locator("[data-test=indicator-value]").get_attribute("data-value")
        want = indicators[row.get_attribute("data-indicator")]["value"]
        assert (float(value) if value else None) == want
    screenshots(page, "portal-score")

    # the orders behind a rate: the drill-down names the indicator and lists its orders
    link = page.locator("[data-test=drill]").first
    indicator = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/indicators/{indicator}")
    value = page.locator("[data-test=indicator-value]").inner_text()
    assert value == f"{indicators[indicator]['value']:.4f}"
    with market.sql.connect() as conn:  # every order listed is the shop's own
        listed = _values(page, "tr[data-order]", "data-order")
        owners = {r[0] for r in conn.execute(
            sa.select(sa.column("merchant_id")).select_from(sa.table("score_orders"))
            .where(sa.column("order_id").in_(listed)))}  # fmt: skip
    assert owners <= {market.merchant_id}
    screenshots(page, "portal-indicator")


def test_violations_shown_are_the_apis(page: Any, market: Market) -> None:
    sign_in(page, market.merchant)
    page.goto(f"/portal/{market.merchant_id}/enforcement?lang=en")
    api = _api(page, f"/v1/merchants/{market.merchant_id}/violations", market.merchant)
    ids = [v["violation_id"] for v in api["violations"]]
    assert _values(page, "tr[data-violation]", "data-violation") == ids
    if not ids:  # an empty state says what to do
        assert "No violations" in page.locator("#violations [data-test=empty]").inner_text()
    screenshots(page, "portal-enforcement")


def _appealable(market: Market) -> tuple[str, str]:
    """A violation still open to appeal, and its merchant (the store's own rows)."""
    now_us = to_us(market.demo.now)
    with market.sql.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT v.violation_id, v.merchant_id FROM violations v WHERE v.status = 'active' "
            "AND v.appeal_by_us > :now AND NOT EXISTS (SELECT 1 FROM appeals a "
            "WHERE a.violation_id = v.violation_id) ORDER BY v.violation_id"), {"now": now_us},
        ).first()  # fmt: skip
    if row is None:
        pytest.fail("the tiny world has no violation open to appeal")
    return row[0], row[1]


def test_file_an_appeal_and_follow_it(page: Any, market: Market) -> None:
    violation_id, merchant_id = _appealable(market)
    key = create_key(market.sql, "appealing shop", "merchant", merchant_id=merchant_id,
                     clock=FixedClock(market.demo.now))  # fmt: skip
    sign_in(page, key)
    page.goto(f"/portal/{merchant_id}/enforcement?lang=en")
    api = _api(page, f"/v1/merchants/{merchant_id}/violations", key)
    assert _values(page, "tr[data-violation]", "data-violation") == [
        v["violation_id"] for v in api["violations"]
    ]
    row = page.locator(f'tr[data-violation="{violation_id}"]')
    row.locator("[data-test=appeal-open]").click()
    row.locator("textarea[name=reason]").fill("The parcel was handed to the carrier on time.")
    row.locator("[data-test=appeal-submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-test=appeal-filed]").is_visible()
    assert (
        page.locator(f'tr[data-violation="{violation_id}"] [data-test=appeal-status]').inner_text()
        == "filed"
    )
    appeal_row = page.locator("#appeals tr[data-appeal]").filter(has_text=violation_id)
    assert appeal_row.locator("[data-test=appeal-row-status]").inner_text() == "filed"
    with market.sql.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT status, reason, merchant_id FROM appeals WHERE violation_id = :v"),
            {"v": violation_id},
        ).one()
    assert tuple(stored) == ("filed", "The parcel was handed to the carrier on time.",
                             merchant_id)  # fmt: skip
    again = _api(page, f"/v1/violations/{violation_id}", key)  # the API follows it too
    assert again["appeal"]["status"] == "filed"
    screenshots(page, "portal-appeal-filed")


def test_answer_a_consumer_with_a_suggested_reply(page: Any, market: Market) -> None:
    with market.sql.connect() as conn:
        conversation = conn.execute(sa.text(
            "SELECT conversation_id FROM service_conversations WHERE merchant_id = :m "
            "AND order_id IS NOT NULL ORDER BY status DESC, conversation_id"),
            {"m": market.merchant_id}).scalar()  # fmt: skip
    assert conversation is not None, "the tiny world's shop has no conversation about an order"
    sign_in(page, market.merchant)
    page.goto(f"/portal/{market.merchant_id}/service?lang=en")
    assert conversation in _values(page, "tr[data-conversation]", "data-conversation")
    screenshots(page, "portal-service")
    page.locator(f'tr[data-conversation="{conversation}"] [data-test=answer]').click()
    page.wait_for_load_state()
    reply = page.locator("form[data-test=reply]").first
    text = reply.locator("textarea").input_value()
    intent = reply.get_attribute("data-intent")
    suggested = page.request.post("/v1/service/suggest", headers={"X-API-Key": market.merchant},
                                  data=json.dumps({"order_id": _order(market, conversation),
                                                   "intent": intent,
                                                   "lang": _lang_of(text)}))  # fmt: skip
    assert suggested.ok
    assert text == suggested.json()["text"]  # the very reply the API suggests
    screenshots(page, "portal-answer")
    reply.locator("[data-test=send]").click()
    page.wait_for_load_state()
    sent = page.locator("[data-test=sent] code").inner_text()
    with market.sql.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT type, partition_key, body FROM events WHERE event_id = :id"),
            {"id": sent},
        ).one()
    assert stored[0] == "chat.message"
    assert stored[1] == f"chat:{conversation}"
    payload = json.loads(stored[2])["payload"]
    assert payload["sender"] == "agent"
    assert payload["text"] == text.strip()
    assert payload["merchant_id"] == market.merchant_id
    assert text.strip() in page.locator("[data-test=lines]").inner_text()
    with market.sql.connect() as conn:  # the marketplace's chat is asked to deliver it
        relayed = conn.execute(
            sa.text("SELECT aggregate_key, body FROM outbox WHERE message_id = :m "
                    "AND topic = 'service.reply'"), {"m": f"{sent}:reply"}).one()  # fmt: skip
    assert relayed[0] == f"consumer:{payload['consumer_id']}"
    assert json.loads(relayed[1])["text"] == text.strip()


def _order(market: Market, conversation: str) -> str:
    with market.sql.connect() as conn:
        found: str = conn.execute(
            sa.text("SELECT order_id FROM service_conversations WHERE conversation_id = :c"),
            {"c": conversation},
        ).scalar_one()
    return found


def _lang_of(text: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def test_a_shop_sees_only_itself(page: Any, market: Market) -> None:
    response = page.goto(f"/portal/{market.merchant_id}")
    assert response.status == 401
    assert page.locator("[data-test=error-page]").is_visible()
    sign_in(page, market.merchant)
    for path in ("", "/enforcement", "/service", "/orders", "/privileges", "/listings"):
        response = page.goto(f"/portal/{market.other_merchant_id}{path}")
        assert response.status == 404, path
        assert page.locator("[data-test=error-page]").is_visible()
        assert page.locator("[data-test=score]").count() == 0


def test_the_portal_switches_language(page: Any, market: Market) -> None:
    sign_in(page, market.merchant)
    page.goto(f"/portal/{market.merchant_id}?lang=en")
    assert page.locator("h1").inner_text() == "Shop experience score"
    page.click("[data-test=lang-switch]")
    assert page.locator("h1").inner_text() == "商家体验分"
    page.click("[data-test=nav-privileges]")  # the choice is remembered
    assert page.locator("h1").inner_text() == "店铺权益"


@pytest.mark.parametrize("section", ["orders", "privileges", "listings"])
def test_each_section_opens(page: Any, market: Market, section: str) -> None:
    sign_in(page, market.merchant)
    response = page.goto(f"/portal/{market.merchant_id}/{section}?lang=en")
    assert response.status == 200
    assert page.locator("[data-test=nav-" + section + "]").get_attribute("aria-current") == "page"
    screenshots(page, f"portal-{section}")


def test_privileges_shown_are_the_stored_ones(page: Any, market: Market) -> None:
    sign_in(page, market.merchant)
    page.goto(f"/portal/{market.merchant_id}/privileges?lang=en")
    with market.sql.connect() as conn:
        stored = dict(conn.execute(sa.text(
            "SELECT privilege, granted FROM merchant_privileges WHERE merchant_id = :m"),
            {"m": market.merchant_id}).all())  # fmt: skip
    shown = {
        r.get_attribute("data-privilege"): r.locator("[data-test=on]").count() == 1
        for r in page.locator("tr[data-privilege]").all()
    }
    assert shown == {k: bool(v) for k, v in stored.items()}


def test_an_operator_opens_any_shop_read_only(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    response = page.goto("/portal")  # an operator has no shop of its own
    assert response.status == 404
    assert page.goto("/portal/M-NO-SUCH-SHOP").status == 404  # as a shop of another party
    response = page.goto(f"/portal/{market.other_merchant_id}?lang=en")
    assert response.status == 200
    api = _api(page, f"/v1/merchants/{market.other_merchant_id}/score", market.operator)
    assert page.locator("[data-test=score]").inner_text() == api["score"]
    page.goto(f"/portal/{market.other_merchant_id}/enforcement")
    assert page.locator("[data-test=appeal-form]").count() == 0  # only the shop appeals
    with market.sql.connect() as conn:
        conversation = conn.execute(sa.text(
            "SELECT conversation_id FROM service_conversations WHERE merchant_id = :m "
            "AND order_id IS NOT NULL"), {"m": market.other_merchant_id}).scalar()  # fmt: skip
    if conversation is not None:
        page.goto(f"/portal/{market.other_merchant_id}/service/{conversation}")
        assert page.locator("form[data-test=reply]").count() > 0
        assert page.locator("[data-test=send]").count() == 0  # only the shop answers


def test_every_shops_pages_render_in_both_languages(page: Any, market: Market) -> None:
    """Growth-stage shops, shops with money measures, shops without conversations …"""
    from anxin.score.metrics import INDICATOR_SETS

    sign_in(page, market.operator)
    with market.sql.connect() as conn:
        shops = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT DISTINCT merchant_id FROM order_state WHERE merchant_id IS NOT NULL"
                )
            )
        ]
        talks = dict(conn.execute(sa.text(
            "SELECT merchant_id, MAX(conversation_id) FROM service_conversations "
            "GROUP BY merchant_id")).all())  # fmt: skip
    sections = ["", "/orders", "/service", "/enforcement", "/privileges", "/listings"]
    for shop in shops:
        paths = sections + [f"/indicators/{i}" for i in sorted(INDICATOR_SETS)[:1]]
        if shop in talks:
            paths.append(f"/service/{talks[shop]}")
        for lang in ("zh", "en"):
            for path in paths:
                response = page.request.get(f"/portal/{shop}{path}?lang={lang}")
                assert response.status == 200, (shop, path, lang)


def test_orders_to_act_on_count_down_to_the_engines_deadlines(page: Any, market: Market) -> None:
    query = sa.text(
        "SELECT d.aggregate_key, d.rule_id FROM deadlines d JOIN order_state o "
        "ON d.aggregate_key = 'order:' || o.order_id "
        "WHERE d.status = 'pending' AND o.merchant_id = :m"
    )
    with market.sql.connect() as conn:
        rows = conn.execute(query, {"m": market.merchant_id}).all()
    pending = {f"{key.removeprefix('order:')}:{rule}" for key, rule in rows}
    sign_in(page, market.merchant)
    page.goto(f"/portal/{market.merchant_id}/orders?lang=en")
    clock = "document.querySelector('[data-deadline]')"
    page.wait_for_function(f"{clock} === null || /left|overdue/.test({clock}.textContent)")
    shown = set(_values(page, "tr[data-clock]", "data-clock"))
    assert shown == pending
    if not pending:
        assert page.locator("[data-test=empty]").first.is_visible()


def test_listing_verdicts_and_feedback_actions_are_the_apis(page: Any, market: Market) -> None:
    with market.sql.connect() as conn:
        shops = [r[0] for r in conn.execute(sa.text(
            "SELECT merchant_id FROM listing_verdicts WHERE verdict != 'pass' UNION "
            "SELECT merchant_id FROM violations WHERE type = 'listing_feedback'"))]  # fmt: skip
    sign_in(page, market.operator)
    for shop in sorted(shops):
        page.goto(f"/portal/{shop}/listings?lang=en")
        verdicts = _api(page, f"/v1/merchants/{shop}/listings/verdicts", market.operator)
        listed = [v["listing_id"] for v in verdicts["verdicts"]]
        assert _values(page, "tr[data-listing]", "data-listing") == listed
        feedback = _api(page, f"/v1/merchants/{shop}/listings/feedback", market.operator)
        actions = [a["violation_id"] for a in feedback["actions"]]
        assert _values(page, "tr[data-action]", "data-action") == actions
