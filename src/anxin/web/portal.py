"""The merchant portal (issue 17): a merchant key sees its own shop, an operator any shop.

Each page reads the API's own read models (the score as ``GET /v1/merchants/{id}/score``,
enforcement through ``anxin.enforcement.views``, service through ``anxin.service.views``) so
a page shows what the API answers; ``portal_data`` reads the rest. Filing an appeal goes
through ``file_appeal`` (as ``POST /v1/violations/{id}/appeal``); answering a consumer
ingests the merchant's chat message (``portal_service``). Forms post back and redirect
(303) to the page with what happened; the key's cookie is same-site strict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from anxin.api.merchants import latest_score
from anxin.enforcement import views as enforcement
from anxin.enforcement.appeals import AppealRefused, file_appeal
from anxin.screening.feedback_record import TYPE as FEEDBACK_TYPE
from anxin.service import views as service
from anxin.web import i18n, portal_data, portal_service
from anxin.web.render import page
from anxin.web.session import PageError, Viewer, need, own_shop

router = APIRouter(include_in_schema=False)
SECTIONS = ("score", "orders", "service", "enforcement", "privileges", "listings")


def _label(lang: str) -> Any:
    """``label("portal.indicator", key, fallback)``: the glossary's word, else the fallback."""

    def label(prefix: str, key: str, fallback: str = "") -> str:
        found = i18n.glossary().get(f"{prefix}.{key}")
        return found[lang] if found else (fallback or key)

    return label


def _show(request: Request, template: str, who: Viewer, merchant_id: str, section: str,
          **context: Any) -> Response:  # fmt: skip
    from anxin.web.render import lang_of

    return page(request, f"portal/{template}", who, merchant_id=merchant_id, section=section,
                sections=SECTIONS, label=_label(lang_of(request)), **context)  # fmt: skip


async def _open(request: Request, merchant_id: str) -> Viewer:
    """The viewer, when the shop is theirs (an operator: when the store knows it)."""
    who = await run_in_threadpool(need, request, "merchant", "operator")
    own_shop(who, merchant_id)
    if who.role == "operator" and not await run_in_threadpool(
        portal_data.known, _state(request).sql_engine, merchant_id
    ):
        raise PageError(404, f"no merchant {merchant_id!r}")
    return who


def _state(request: Request) -> Any:
    return request.app.state


def _zone(request: Request) -> Any:
    return request.app.state.engine.book.latest.calendar.zone


def _now(request: Request) -> Any:
    return request.app.state.engine.clock.now()


async def _form(request: Request) -> dict[str, str]:
    form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in form.items() if v}


# ---------------------------------------------------------------------------------- score


@router.get("/portal")
async def home(request: Request) -> Response:
    """The signed-in merchant's own shop."""
    who = await run_in_threadpool(need, request, "merchant", "operator")
    if who.merchant_id is None:
        raise PageError(404, "an operator opens a shop as /portal/{merchant_id}")
    return RedirectResponse(f"/portal/{quote(who.merchant_id, safe='')}", 303)


@router.get("/portal/{merchant_id}")
async def score_page(request: Request, merchant_id: str) -> Response:
    """The experience score: dimensions, indicators, bands, weights, deductions, the trend."""
    who = await _open(request, merchant_id)
    sql = _state(request).sql_engine

    def run() -> tuple[Any, list[portal_data.Day]]:
        return latest_score(sql, merchant_id), portal_data.history(sql, merchant_id)

    score, days = await run_in_threadpool(run)
    explanation = score.explanation if score is not None else {}
    rules = None
    if score is not None:
        as_of = dt.datetime.fromisoformat(explanation["explanation"]["as_of"])
        rules = portal_data.score_rules(_state(request).engine.book, score.pack_version, as_of)
    trend = {
        "type": "line",
        "data": {"labels": [d.day for d in days],
                 "datasets": [{"label": "score", "data": [d.score for d in days],
                               "borderColor": "#0969da", "tension": 0.2}]},
        "options": {"maintainAspectRatio": False, "plugins": {"legend": {"display": False}},
                    "scales": {"y": {"suggestedMin": 0, "suggestedMax": 100}}},
    }  # fmt: skip
    return _show(request, "score.html", who, merchant_id, "score", score=score,
                 x=explanation, days=days, trend=trend, rules=rules,
                 order_indicators=portal_data.order_indicators())  # fmt: skip


@router.get("/portal/{merchant_id}/indicators/{indicator}")
async def indicator_page(request: Request, merchant_id: str, indicator: str) -> Response:
    """The orders an indicator was measured over on the scored day (``counted``: numerator)."""
    who = await _open(request, merchant_id)
    if indicator not in portal_data.order_indicators():
        raise PageError(404, f"{indicator!r} is not measured over orders")
    state = _state(request)
    score = await run_in_threadpool(latest_score, state.sql_engine, merchant_id)
    if score is None:
        raise PageError(404, f"merchant {merchant_id!r} was never scored")
    as_of = dt.datetime.fromisoformat(score.explanation["explanation"]["as_of"])
    rows = await run_in_threadpool(portal_data.orders_behind, state.sql_engine,
                                   state.engine.book, merchant_id, indicator, as_of,
                                   score.pack_version)  # fmt: skip
    found = next((i for d in score.explanation.get("dimensions", [])
                  for i in d["indicators"] if i["indicator"] == indicator), None)  # fmt: skip
    # The numerator's orders first; a page holds MAX_ROWS (`anxin score orders` lists all).
    ordered = sorted(rows, key=lambda r: not r["counted"])
    return _show(request, "indicator.html", who, merchant_id, "score", indicator=indicator,
                 shown=found, rows=ordered[:portal_data.MAX_ROWS], measured=len(rows),
                 score=score, as_of=as_of, counted=sum(r["counted"] for r in rows),
                 limit=portal_data.MAX_ROWS)  # fmt: skip


# --------------------------------------------------------------------------------- orders


@router.get("/portal/{merchant_id}/orders")
async def orders_page(request: Request, merchant_id: str) -> Response:
    """Clocks running on the shop's orders (ship-by, pickup, transit …: a payout fires when
    one comes due) and the tasks anxin sent the shop."""
    who = await _open(request, merchant_id)
    sql, zone = _state(request).sql_engine, _zone(request)

    def run() -> tuple[list[portal_data.Clock], list[portal_data.Task]]:
        return portal_data.clocks(sql, zone, merchant_id), portal_data.tasks(sql, zone, merchant_id)

    clocks, tasks = await run_in_threadpool(run)
    return _show(request, "orders.html", who, merchant_id, "orders", clocks=clocks, tasks=tasks)


# -------------------------------------------------------------------------------- service


@router.get("/portal/{merchant_id}/service")
async def service_page(request: Request, merchant_id: str) -> Response:
    """The shop's conversations (waiting first) and what the platform took over."""
    who = await _open(request, merchant_id)
    sql, zone, now = _state(request).sql_engine, _zone(request), _now(request)

    def run() -> tuple[list[service.ConversationView], list[service.EscalationView]]:
        found = service.conversations(sql, zone, merchant_id, limit=portal_data.MAX_ROWS)
        found.sort(key=lambda c: c.status != "waiting")  # stable: latest first within each
        return found, service.escalations(sql, zone, now, merchant_id=merchant_id,
                                          limit=portal_data.MAX_ROWS)  # fmt: skip

    conversations, escalations = await run_in_threadpool(run)
    return _show(request, "service.html", who, merchant_id, "service",
                 conversations=conversations, escalations=escalations)  # fmt: skip


def _conversation(sql: Any, merchant_id: str, conversation_id: str) -> portal_data.Talk:
    found = portal_data.conversation(sql, merchant_id, conversation_id)
    if found is None:
        raise PageError(404, f"no conversation {conversation_id!r}")
    return found


@router.get("/portal/{merchant_id}/service/{conversation_id}")
async def answer_page(request: Request, merchant_id: str, conversation_id: str) -> Response:
    """A conversation's lines and the suggested replies for its order, ready to send."""
    from anxin.web.render import lang_of

    who = await _open(request, merchant_id)
    state, zone = _state(request), _zone(request)
    lang = lang_of(request)

    def run() -> tuple[Any, list[portal_data.Line], Any]:
        c = _conversation(state.sql_engine, merchant_id, conversation_id)
        found = portal_data.lines(state.sql_engine, zone, conversation_id)
        asked, asked_lang = portal_service.last_asked(found)
        replies = None
        if c.order_id is not None:
            pick = asked_lang or ("zh" if lang == "zh" else "en")
            replies = portal_service.suggestions(state, c.order_id, asked, pick)
        return c, found, replies

    conversation, found, replies = await run_in_threadpool(run)
    return _show(request, "answer.html", who, merchant_id, "service",
                 conversation=conversation, lines=found, replies=replies,
                 sent=request.query_params.get("sent"),
                 failed=request.query_params.get("failed"))  # fmt: skip


@router.post("/portal/{merchant_id}/service/{conversation_id}")
async def send_answer(request: Request, merchant_id: str, conversation_id: str) -> Response:
    """Send the chosen reply in the shop's name (merchant keys only, as the API's writes)."""
    who = await _open(request, merchant_id)
    if who.role != "merchant":
        raise PageError(403, "only the shop itself answers its consumers")
    form = await _form(request)
    state = _state(request)
    where = f"/portal/{quote(merchant_id, safe='')}/service/{quote(conversation_id, safe='')}"

    def run() -> str:
        c = _conversation(state.sql_engine, merchant_id, conversation_id)
        return portal_service.send(
            state, conversation_id=conversation_id, merchant_id=merchant_id,
            consumer_id=c.consumer_id, order_id=c.order_id, text=form.get("text", ""),
            who=who.name,
        )  # fmt: skip

    try:
        message_id = await run_in_threadpool(run)
    except portal_service.NotSent:
        return RedirectResponse(f"{where}?failed=1", 303)
    return RedirectResponse(f"{where}?sent={quote(message_id, safe='')}", 303)


# ---------------------------------------------------------------------------- enforcement


@router.get("/portal/{merchant_id}/enforcement")
async def enforcement_page(request: Request, merchant_id: str) -> Response:
    """Violations (appeal them here), measures, rectification plans and appeals."""
    who = await _open(request, merchant_id)
    sql, zone, now = _state(request).sql_engine, _zone(request), _now(request)
    today = now.astimezone(zone).date()

    def run() -> dict[str, Any]:
        notices = enforcement.violation_notices(
            sql, zone, merchant_id=merchant_id, newest_first=True, limit=portal_data.MAX_ROWS
        )
        details = [enforcement.violation_detail(sql, zone, n.violation_id, now)
                   for n in notices if n.appeal_status is not None]  # fmt: skip
        return {
            "violations": notices,
            "appeals": [d.appeal for d in details if d is not None and d.appeal is not None],
            "measures": enforcement.merchant_measures(sql, zone, merchant_id,
                                                      limit=portal_data.MAX_ROWS),
            "plans": enforcement.plans(sql, merchant_id=merchant_id, today=today,
                                       limit=portal_data.MAX_ROWS),
        }  # fmt: skip

    found = await run_in_threadpool(run)
    return _show(request, "enforcement.html", who, merchant_id, "enforcement", now=now,
                 filed=request.query_params.get("filed"),
                 refused=request.query_params.get("refused"), **found)  # fmt: skip


@router.post("/portal/{merchant_id}/violations/{violation_id}/appeal")
async def appeal(request: Request, merchant_id: str, violation_id: str) -> Response:
    """File the shop's appeal (``file_appeal``, as ``POST /v1/violations/{id}/appeal``)."""
    who = await _open(request, merchant_id)
    if who.role != "merchant":
        raise PageError(403, "only the shop itself appeals its violations")
    reason = (await _form(request)).get("reason", "").strip()
    state, now = _state(request), _now(request)
    where = f"/portal/{quote(merchant_id, safe='')}/enforcement"

    def run() -> str:
        if enforcement.violation_owner(state.sql_engine, violation_id) != merchant_id:
            raise PageError(404, f"no violation {violation_id!r}")
        if not reason or len(reason) > 4000 or "\x00" in reason:
            raise AppealRefused("the reason is empty or too long", "invalid")
        filed = file_appeal(state.sql_engine, state.engine.book, violation_id, merchant_id,
                            reason, now)  # fmt: skip
        return filed.appeal_id

    try:
        appeal_id = await run_in_threadpool(run)
    except AppealRefused as exc:
        return RedirectResponse(f"{where}?refused={quote(exc.code, safe='')}#appeals", 303)
    return RedirectResponse(f"{where}?filed={quote(appeal_id, safe='')}#appeals", 303)


# ------------------------------------------------------------------ privileges, listings


@router.get("/portal/{merchant_id}/privileges")
async def privileges_page(request: Request, merchant_id: str) -> Response:
    """Each privilege, on or off, with every condition that decided it."""
    who = await _open(request, merchant_id)
    state = _state(request)
    pack = state.engine.book.in_force_or_first(_now(request))
    rows = await run_in_threadpool(portal_data.privileges, state.sql_engine, pack, merchant_id)
    return _show(request, "privileges.html", who, merchant_id, "privileges", privileges=rows)


@router.get("/portal/{merchant_id}/listings")
async def listings_page(request: Request, merchant_id: str) -> Response:
    """Listings that must change or may not sell, and the post-sale feedback actions."""
    import dataclasses

    from anxin.screening.feedback_run import shops

    who = await _open(request, merchant_id)
    state, zone, now = _state(request), _zone(request), _now(request)

    def run() -> dict[str, Any]:
        figures = shops(state.sql_engine, state.engine.book, now, merchant_id)
        return {
            "verdicts": portal_data.verdicts(state.sql_engine, merchant_id),
            "figures": dataclasses.asdict(figures[0]) if figures else None,
            "actions": enforcement.violation_notices(state.sql_engine, zone,
                                                     merchant_id=merchant_id,
                                                     type_=FEEDBACK_TYPE, newest_first=True),
        }  # fmt: skip

    found = await run_in_threadpool(run)
    return _show(request, "listings.html", who, merchant_id, "listings", **found)
