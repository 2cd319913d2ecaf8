"""Error bodies many carriers share, whoever sent them: problem+json, OAuth errors,
``{"error": {...}}``, ``errors[]`` and SOAP faults. Tried after every carrier's own parser and the
generic extractor; the carrier is whatever the caller named."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from anxin.tracking.model import ParseResult
from anxin.tracking.reading import Context, failure, message, status_number, text, xtext


def parse_json_error(doc: Any, ctx: Context) -> ParseResult | None:
    """Error bodies shared by many APIs; the carrier is whatever the caller named."""
    if not isinstance(doc, dict):
        return None
    status = status_number(doc.get("status"))
    if "title" in doc and "status" in doc and ("detail" in doc or "instance" in doc):
        return failure(ctx.carrier, [text(doc.get("detail")) or text(doc.get("title"))], status)
    err = doc.get("error")
    if isinstance(err, str) and err:
        return failure(ctx.carrier, [message(err, doc.get("error_description"))])
    if isinstance(err, dict):
        return failure(ctx.carrier, [message(err.get("code"), err.get("message"))])
    for key in ("errors", "Errors", "messages"):
        if isinstance(doc.get(key), list) and len(doc) <= 3:
            return failure(ctx.carrier, [_error_text(e) for e in doc[key]])
    return None


def _error_text(e: Any) -> str:
    if not isinstance(e, dict):
        return text(e)
    body = text(e.get("message") or e.get("Message") or e.get("detail") or e.get("name"))
    return message(e.get("code") or e.get("Key"), body)


def parse_soap_fault(root: ET.Element, ctx: Context) -> ParseResult | None:
    """A SOAP fault from any carrier: the fault string plus the detail's error message."""
    fault = root.find(".//Fault")
    if fault is None:
        return None
    detail = [
        message(xtext(d, "errorCode"), xtext(d, "errorMessage"))
        for d in fault.iter()
        if d.find("errorMessage") is not None
    ]
    return failure(
        ctx.carrier, [*detail, message(xtext(fault, "faultcode"), xtext(fault, "faultstring"))]
    )
