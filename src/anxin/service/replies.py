"""Replies filled with the order's live facts (issue 14): for a consumer's intent, the template
in data (``replies.yaml``, Chinese and English) with the parcel's last scan in words, the ship-by
deadline, the rights in force, the compensation already paid and the refund's state — read from
the order's guarantee hall, the same view the consumer sees. Pure once the templates are
loaded: a hall in, a reply out.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import msgspec
import yaml

from anxin.domain.wording import Text, scan_words, when
from anxin.guarantees.hall import GuaranteeHall

Lang = Literal["zh", "en"]
_SHIPPED = frozenset({"shipped", "in_transit", "delivered", "signed", "returned", "lost"})


class Template(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    zh: str
    en: str
    settles: bool = False


Templates = dict[str, dict[str, Template]]  # intent → variant (shipped, not_shipped, default)
PLACEHOLDERS = frozenset({"order_id", "parcel", "ship_by", "rights", "compensation", "refund"})


@cache
def templates() -> Templates:
    """The packaged templates, checked: every placeholder is one the facts fill."""
    text = resources.files("anxin.service").joinpath("replies.yaml").read_text("utf-8")
    found = msgspec.convert(yaml.safe_load(text), Templates)
    for intent, variants in found.items():
        for variant, t in variants.items():
            for lang in ("zh", "en"):
                names = {n for _, n, _, _ in string.Formatter().parse(getattr(t, lang)) if n}
                if unknown := names - PLACEHOLDERS:
                    raise ValueError(f"replies.yaml {intent}.{variant}.{lang}: unknown {unknown}")
    return found


@dataclass(frozen=True, slots=True)
class Reply:
    order_id: str
    intent: str
    lang: Lang
    variant: str
    text: str
    settles: bool  # the facts answer the question: may be sent automatically (opt-in)
    facts: dict[str, str]


def facts_of(hall: GuaranteeHall, lang: Lang, zone: dt.tzinfo) -> dict[str, str]:
    """The placeholders' values, in ``lang``, from the hall as of its ``as_of``."""
    zh = lang == "zh"

    def said(t: Text) -> str:
        return t.zh if zh else t.en

    def at(t: dt.datetime) -> str:
        return said(when(t, zone, hall.as_of))

    scan = hall.timeline[-1] if hall.timeline else None
    if scan is None:
        parcel = "暂无物流信息" if zh else "no tracking yet"
    elif zh:
        parcel = f"{scan.text}{'，' + scan.location if scan.location else ''}（{at(scan.at)}）"
    else:  # the carrier's text may be Chinese: English says the normalized status
        parcel = f"{scan_words(scan.status, scan.text, scan.location).en} ({at(scan.at)})"
    ship = next((r for r in hall.rights if r.rule_id == "late_shipment" and r.due_at), None)
    if ship is not None and ship.due_at is not None:
        ship_by = at(ship.due_at)
    else:
        ship_by = "约定时间" if zh else "the promised time"
    # A right's name is its title up to the colon ("运费险：…" → "运费险").
    names = [said(r.title).split("：")[0].split(":")[0] for r in hall.rights
             if r.status == "in_force"]  # fmt: skip
    rights = ("、" if zh else ", ").join(dict.fromkeys(names))
    rights = rights or ("平台标准保障" if zh else "the platform's standard protection")
    compensation = ""
    total = hall.compensation_total
    if total and total.get("amount"):
        yuan = f"¥{int(total['amount']) / 100:,.2f}"
        compensation = f"已为您自动赔付{yuan}。" if zh else f"We have already paid you {yuan}."
    after = [r for r in hall.rights if r.node == "after_sales" and r.status != "pending"]
    refund = said(after[-1].explanation) if after else (
        "暂无退款申请" if zh else "no refund requested yet")  # fmt: skip
    return {"order_id": hall.order_id, "parcel": parcel, "ship_by": ship_by, "rights": rights,
            "compensation": compensation, "refund": refund}  # fmt: skip


def suggest(
    hall: GuaranteeHall, intent: str, lang: Lang, zone: dt.tzinfo, found: Templates | None = None
) -> Reply:
    """The reply for ``intent`` (``other`` when no template has it) filled with the order's
    facts; the variant follows whether the order has shipped."""
    found = templates() if found is None else found
    variants = found.get(intent) or found["other"]
    state = "shipped" if hall.timeline or hall.status in _SHIPPED else "not_shipped"
    variant = state if state in variants else "default"
    t = variants.get(variant) or next(iter(variants.values()))
    facts = facts_of(hall, lang, zone)
    text = getattr(t, lang).format(**facts).strip()
    return Reply(hall.order_id, intent if intent in found else "other", lang, variant, text,
                 t.settles, facts)  # fmt: skip
