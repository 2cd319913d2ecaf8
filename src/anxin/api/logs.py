"""Request ids and secret-free logs.

Every response carries ``X-Request-Id``: the caller's own when it is well formed (1..128 of
letters, digits and ``._:-``), else a fresh one. The id is held in a context variable for the
request's duration, so every log line written while serving it (the app's, the threadpool's,
uvicorn's access line) carries it through ``RequestContextFilter``.

API keys and link tokens never reach a log: the filter rewrites query-string values of secret
parameters (``token``, ``api_key`` …) in uvicorn's access lines to ``[redacted]``, and masks
anything shaped like a secret (``anx_<id>_…``, ``lnk_<id>_…``) in every other line.
``log_config()`` is uvicorn's logging configuration with this filter on every handler; ``anxin
serve`` passes it to uvicorn.
"""

from __future__ import annotations

import copy
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
REDACTED = "[redacted]"
SECRET_PARAMS = frozenset(
    {"token", "link_token", "api_key", "apikey", "key", "access_token", "x-api-key"}
)
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECRET = re.compile(r"\b(anx|lnk)_([0-9a-f]{16})_[A-Za-z0-9_-]+")

request_id: ContextVar[str] = ContextVar("anxin_request_id", default="-")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost ASGI middleware: sets the request id and adds it to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = incoming if _WELL_FORMED.match(incoming) else new_request_id()
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


def redact_secrets(text: str) -> str:
    """``text`` with anything shaped like an API key or link token masked (the public id
    stays, so a line still says which key)."""
    return _SECRET.sub(lambda m: f"{m.group(1)}_{m.group(2)}_{REDACTED}", text)


def redact_target(target: str) -> str:
    """A request target (path and query) with the values of secret parameters redacted."""
    path, sep, query = target.partition("?")
    if not sep:
        return redact_secrets(target)
    pairs = []
    for pair in query.split("&"):
        name, eq, _value = pair.partition("=")
        if eq and unquote_plus(name).strip().lower() in SECRET_PARAMS:
            pair = f"{name}={REDACTED}"
        pairs.append(pair)
    return redact_secrets(f"{path}?{'&'.join(pairs)}")


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` to every record and keeps secrets out of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            # (client_addr, method, full_path, http_version, status_code)
            record.args = (args[0], args[1], redact_target(str(args[2])), args[3], args[4])
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with request ids and redaction on every handler; the
    root logger (anxin's own loggers) writes through the same handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"request_context": {"()": RequestContextFilter}}
    config["formatters"]["default"]["fmt"] = (
        "%(levelprefix)s [%(request_id)s] %(name)s: %(message)s"
    )
    config["formatters"]["access"]["fmt"] = (
        '%(levelprefix)s [%(request_id)s] %(client_addr)s - "%(request_line)s" %(status_code)s'
    )
    for handler in config["handlers"].values():
        handler["filters"] = ["request_context"]
    config["root"] = {"handlers": ["default"], "level": "INFO"}
    # `/ready` reads the migration state on every probe; alembic says how it would migrate
    # each time, which is noise in a service's log.
    config["loggers"]["alembic"] = {"level": "WARNING"}
    return config
