"""Sign-in, assets, the start page and the pages' own error answers; each user's pages are in
their own module (``hall``, ``portal``, ``console``) and join :func:`install`."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from anxin.api.keys import verify_key
from anxin.web import assets, console, hall, portal
from anxin.web.render import page
from anxin.web.session import HOME, KEY_COOKIE, LINK_COOKIE, PageError, viewer

router = APIRouter(include_in_schema=False)
_TITLES = {401: "common.error.401", 403: "common.error.403", 404: "common.error.404"}


@router.get("/")
async def start(request: Request) -> Response:
    """The viewer's own pages, or the sign-in page."""
    who = await run_in_threadpool(viewer, request)
    if who is not None:
        return RedirectResponse(who.home, 303)
    return page(request, "signin.html", None, failed=False)


@router.get("/signin")
async def signin_form(request: Request) -> Response:
    return page(request, "signin.html", None, failed=False)


@router.post("/signin")
async def signin(request: Request) -> Response:
    """A key pasted into the form: checked, then kept in an HttpOnly cookie."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    secret = (form.get("key") or [""])[0].strip()
    key = (
        await run_in_threadpool(verify_key, request.app.state.sql_engine, secret)
        if secret
        else None
    )
    if key is None or key.role not in HOME:
        return page(request, "signin.html", None, status=401, failed=True)
    response = RedirectResponse(HOME[key.role], 303)
    response.set_cookie(KEY_COOKIE, secret, httponly=True, samesite="strict")
    response.delete_cookie(LINK_COOKIE)
    return response


@router.get("/signout")
async def signout() -> Response:
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(KEY_COOKIE)
    response.delete_cookie(LINK_COOKIE)
    return response


@router.get("/vendor/{name}")
async def vendor(name: str) -> Response:
    """A JavaScript library installed from npm at set-up (404 when it is not installed)."""
    path = assets.vendor_file(name)
    if path is None:
        return Response(status_code=404)
    return FileResponse(path, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    key = _TITLES[exc.status]
    return page(request, "error.html", None, status=exc.status, title_key=f"{key}.title",
                what_key=f"{key}.what", detail=exc.detail)  # fmt: skip


def install(app: FastAPI) -> None:
    """Serve the pages from ``app`` (the API's): routes, static files, error pages."""
    for r in (router, hall.router, portal.router, console.router):
        app.include_router(r)
    app.mount("/static", StaticFiles(directory=assets.STATIC), name="static")
    app.add_exception_handler(PageError, _page_error)
