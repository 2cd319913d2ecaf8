"""What every page shares, in a real browser: the sign-in page in both languages, a wrong key
answered with a page that says what to do, keys never in the URL, and nothing loaded from
outside the machine."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Market, screenshots, sign_in


def test_sign_in_page_switches_language(page: Any) -> None:
    page.goto("/signin?lang=en")
    assert page.locator("h1").inner_text() == "every order kept at ease"
    page.click("[data-test=lang-switch]")
    assert page.locator("h1").inner_text() == "让每一笔订单都安心"
    page.goto("/signin")  # the choice is remembered
    assert page.locator("button[type=submit]").inner_text() == "登录"
    screenshots(page, "signin")


def test_a_wrong_key_gets_a_page_saying_what_to_do(page: Any) -> None:
    sign_in(page, "anx_0000000000000000_wrong")
    assert "/signin" in page.url
    assert page.locator("[data-test=signin-error]").is_visible()
    response = page.goto("/?token=lnk_0000000000000000_wrong")  # a bad order link
    assert response.status == 401
    assert page.locator("[data-test=error-page] a.button").get_attribute("href") == "/signin"


def test_signing_in_lands_on_the_roles_pages(page: Any, market: Market) -> None:
    sign_in(page, market.operator)
    assert page.url.endswith("/console")  # (the console's own tests check what it shows)
    assert "key=" not in page.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["anxin_key"]["httpOnly"] is True


def test_pages_load_nothing_from_outside(page: Any, site: str) -> None:
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(site) else outside.append(r.url))
    page.goto("/signin")
    page.wait_for_load_state("networkidle")
    assert outside == []
