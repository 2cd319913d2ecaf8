"""Templates and what every page gets: the glossary in the chosen language, the viewer, the
pack's zone and the app's clock, money and instants written the way the API's notices write
them, and the language switch (``?lang=`` sets the ``anxin_lang`` cookie)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from anxin.domain import wording
from anxin.domain.money import Money
from anxin.domain.wording import Text
from anxin.web import i18n
from anxin.web.session import Viewer

LANG_COOKIE = "anxin_lang"
ENV = Environment(
    loader=PackageLoader("anxin.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a template naming what it was not given fails its test
    trim_blocks=True,
    lstrip_blocks=True,
)


def lang_of(request: Request) -> str:
    return i18n.pick(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                     request.headers.get("accept-language"))  # fmt: skip


def with_query(request: Request, **changes: object) -> str:
    """This page's path with its query changed (None removes a parameter)."""
    params = dict(request.query_params)
    params.pop("token", None)  # a link token stays in its cookie, not in shared URLs
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = str(v)
    return request.url.path + (f"?{urlencode(params)}" if params else "")


class Words:
    """The page's language, for templates: ``t("key", n=3)``, ``text(Text)``, ``money(m)``,
    ``at(instant)``."""

    def __init__(self, lang: str, zone: dt.tzinfo, now: dt.datetime) -> None:
        self.lang, self.zone, self.now = lang, zone, now

    def t(self, key: str, **values: object) -> str:
        word = i18n.term(key, self.lang)
        return word.format(**values) if values else word

    def text(self, text: Text | dict[str, str] | None) -> str:
        if text is None:
            return ""
        if isinstance(text, dict):
            return text.get(self.lang, "")
        return text.zh if self.lang == "zh" else text.en

    def money(self, m: object) -> str:
        """Any money the read models carry: the domain's ``Money``, the contract's (same fields),
        or its JSON form."""
        if m is None:
            return "—"
        if isinstance(m, dict):
            return wording.money(Money(int(m["amount"]), str(m["currency"])))
        if not isinstance(m, Money):
            m = Money(int(getattr(m, "amount")), str(getattr(m, "currency")))  # noqa: B009
        return wording.money(m)

    def at(self, instant: dt.datetime | None) -> str:
        if instant is None:
            return "—"
        return self.text(wording.when(instant, self.zone, self.now))

    def iso(self, instant: dt.datetime | None) -> str:
        return instant.astimezone(self.zone).isoformat() if instant is not None else ""


def page(request: Request, template: str, who: Viewer | None, *, status: int = 200,
         **context: Any) -> HTMLResponse:  # fmt: skip
    lang = lang_of(request)
    engine = request.app.state.engine
    words = Words(lang, engine.book.latest.calendar.zone, engine.clock.now())
    other = "en" if lang == "zh" else "zh"
    html = ENV.get_template(template).render(
        w=words, t=words.t, lang=lang, who=who, path=request.url.path,
        switch_url=with_query(request, lang=other), **context,
    )  # fmt: skip
    response = HTMLResponse(html, status)
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
