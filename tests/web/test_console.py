"""The operator console in a real browser on a freshly simulated marketplace: every page opens
for an operator key, the KPI figures are the API's, a KPI leads to the merchants and the orders
behind it (checked against the store), the language switches, the policy diff shows a number
douyin changed, and other keys get the pages that say what to do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from anxin.domain.order import decode_state
from anxin.platform.kpis import KPIS
from tests.web.conftest import Market, screenshots, sign_in

PACKS = Path(__file__).parents[2] / "src" / "anxin" / "policy" / "packs"
PAGES = {
    "console-kpis": "/console",
    "console-kpi-drill": "/console/kpi/shipped_within_share",
    "console-scores": "/console/scores",
    "console-queues": "/console/queues",
    "console-policy": "/console/policy",
    "console-policy-diff": "/console/policy?a=douyin@2025-09-29&b=douyin@2026-08-10",
}


def _api(page: Any, market: Market, query: str) -> dict[str, Any]:
    r = page.request.get(f"/v1/platform/kpis{query}", headers={"X-API-Key": market.operator})
    assert r.status == 200, r.text()
    body: dict[str, Any] = r.json()
    return body


def _value(page: Any, selector: str) -> float | None:
    raw = page.locator(selector).get_attribute("data-value")
    return None if raw in (None, "") else float(raw)


def _rows(page: Any) -> list[tuple[str, str]]:
    """The drill-down's (unit, order) rows, read at once (the table script moves rows)."""
    page.wait_for_load_state("networkidle")
    found: list[list[str]] = page.eval_on_selector_all(
        "[data-test=drill-row]", "rows => rows.map(r => [r.dataset.unit, r.dataset.order])"
    )
    return [(unit, order) for unit, order in found]


def test_every_console_page_opens_for_an_operator(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    for name, path in PAGES.items():
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("[data-test=role]").inner_text().startswith("operator")
        assert page.locator("[data-test=error-page]").count() == 0
        page.wait_for_load_state("networkidle")
        screenshots(page, name)
    page.goto("/console")
    assert page.locator("canvas[data-chart]").count() == len(KPIS)
    page.goto("/console/scores")
    assert page.locator("[data-test=industry-row]").count() > 0


def test_the_kpis_shown_are_the_apis(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    for query in ("", "?since=2000-01-01&until=2099-12-31&split=2026-10-04"):
        page.goto(f"/console{query}")
        period = page.locator("[data-test=period]")
        split = period.get_attribute("data-split")
        api = _api(page, market, f"?split={split}" + (query.replace("?", "&") if query else ""))
        assert api["since"] == period.get_attribute("data-since")
        assert api["until"] == period.get_attribute("data-until")
        for k in KPIS:
            assert _value(page, f"[data-test=kpi-{k.key}]") == api["kpis"][k.key]["value"], k.key
            compare = api["compare"][k.key]
            assert _value(page, f"[data-test=before-{k.key}]") == compare["before"]["value"]
            assert _value(page, f"[data-test=after-{k.key}]") == compare["after"]["value"]
    assert api["kpis"]["avg_delivery_hours"]["value"] > 0  # the tiny world delivers parcels
    assert api["kpis"]["compensation_paid"]["num"] > 0  # and pays for broken promises


def test_a_kpi_leads_to_its_merchants_and_orders(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    page.goto("/console")
    page.click("[data-test=drill-shipped_within_share]")
    assert "/console/kpi/shipped_within_share" in page.url
    first = page.locator("[data-test=merchant-row]").first
    merchant = first.get_attribute("data-merchant")
    assert first.locator("[data-test=portal-link]").get_attribute("href") == f"/portal/{merchant}"
    first.locator("[data-test=merchant-rows]").click()
    page.wait_for_load_state()
    ids = [order for _unit, order in _rows(page)]
    assert ids
    hours = int(page.locator("[data-test=drill-title]").inner_text().split()[-2])
    with market.sql.connect() as conn:
        states = {
            o: decode_state(raw)
            for o, raw in conn.execute(sa.text("SELECT order_id, state FROM order_state"))
        }
    for order_id in ids:  # each one shipped within the hours of its payment, by that merchant
        s = states[order_id]
        shipped = s.shipped_at()
        assert s.merchant_id == merchant
        assert s.paid_at is not None
        assert shipped is not None
        assert shipped - s.paid_at <= dt.timedelta(hours=hours)
    screenshots(page, "console-kpi-merchant")
    page.click("[data-test=toggle-rest]")  # the misses: the denominator without the numerator
    missed = [order for _unit, order in _rows(page)]
    assert missed
    assert not set(missed) & set(ids)
    for order_id in missed:
        s = states[order_id]
        shipped = s.shipped_at()
        assert s.merchant_id == merchant
        assert s.paid_at is not None
        assert shipped is None or shipped - s.paid_at > dt.timedelta(hours=hours)


def test_compensation_leads_to_the_ledgers_payouts(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    page.goto("/console")
    page.click("[data-test=drill-compensation_paid]")
    keys = dict(_rows(page)[:20])  # payout → order
    assert keys
    with market.sql.connect() as conn:
        for txn_key, order_id in keys.items():
            credited = conn.execute(
                sa.text(
                    "SELECT count(*) FROM ledger_entries WHERE txn_key = :k AND amount > 0 "
                    "AND account LIKE 'consumer:%'"
                ),
                {"k": txn_key},
            ).scalar_one()
            assert credited == 1, txn_key
            assert order_id
            assert f":{order_id}:" in txn_key


def test_the_console_switches_language(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    page.goto("/console?lang=en")
    assert page.locator("h1").inner_text() == "Platform consumer-experience KPIs"
    page.click("[data-test=lang-switch]")
    assert page.locator("h1").inner_text() == "平台消费者体验指标"
    page.goto("/console/queues")
    assert page.locator("h1").inner_text() == "待办队列"
    screenshots(page, "console-queues-zh")


def test_the_policy_diff_shows_a_number_douyin_changed(page: Any, market: Market) -> None:
    old = yaml.safe_load((PACKS / "douyin" / "2025-09-29.yaml").read_text(encoding="utf-8"))
    new = yaml.safe_load((PACKS / "douyin" / "2026-08-10.yaml").read_text(encoding="utf-8"))

    def rate(doc: dict[str, Any]) -> Any:
        return doc["rules"]["enforcement"]["violations"]["late_shipment_shop"]["tiers"][0]["rate"]

    assert rate(old) != rate(new)
    sign_in(page, market.operator)
    page.goto("/console/policy")
    page.select_option("#a", "douyin@2025-09-29")
    page.select_option("#b", "douyin@2026-08-10")
    page.click("[data-test=diff-form] button[type=submit]")
    row = page.locator(
        '[data-test=diff-row][data-path="enforcement.violations.late_shipment_shop.tiers[0].rate"]'
    )
    assert row.get_attribute("data-kind") == "changed"
    assert row.locator("td.old").inner_text() == str(rate(old))
    assert row.locator("td.new").inner_text() == str(rate(new))


def test_tables_filter_and_empty_periods_say_what_to_do(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    page.goto("/console/kpi/compensation_paid")
    merchant = page.locator("[data-test=merchant-row]").first.get_attribute("data-merchant")
    page.locator("[data-test=drill-rows]").locator("xpath=..").locator("xpath=..").locator(
        "[data-test=table-filter]"
    ).fill(merchant)
    visible = page.locator("[data-test=drill-row]:visible").all()
    assert visible
    assert all(merchant in r.inner_text() for r in visible)
    page.goto("/console?since=2099-01-01&until=2099-01-31&lang=en")
    assert "Widen the dates" in page.locator("[data-test=empty]").inner_text()


def test_other_keys_get_the_pages_that_say_what_to_do(page: Any, market: Market) -> None:
    assert page.goto("/console").status == 401  # no key
    assert page.locator("[data-test=error-page]").is_visible()
    r = page.request.get("/v1/platform/kpis")
    assert r.status == 401
    sign_in(page, market.merchant)
    for path in ("/console", "/console/kpi/avg_delivery_hours", "/console/policy"):
        assert page.goto(path).status == 403, path
        assert page.locator("[data-test=error-page]").is_visible()
    r = page.request.get("/v1/platform/kpis", headers={"X-API-Key": market.merchant})
    assert r.status == 403
    screenshots(page, "console-403")
    for bad in ("?since=2026-10-09&until=2026-10-01", "?split=yesterday"):
        r = page.request.get(f"/v1/platform/kpis{bad}", headers={"X-API-Key": market.operator})
        assert r.status == 422, bad
        assert "error" in r.json(), bad
