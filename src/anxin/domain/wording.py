"""Words a consumer reads: money, durations and instants in Chinese and English.

The guarantee hall is read by people, not parsers: a deadline is "23:59:59 on 6 October" in the
pack's zone, a threshold "48 hours", a payout "¥35.00" from integer minor units (never a float,
so what is shown is the fen that was paid). Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from anxin.domain.calendar import require_aware
from anxin.domain.money import Money, minor_unit_exponent


class Text(msgspec.Struct, frozen=True):
    """One sentence in both languages the hall speaks."""

    zh: str
    en: str

    def __add__(self, other: Text) -> Text:
        """Pieces of one sentence, joined as they are."""
        return Text(self.zh + other.zh, self.en + other.en)


def sentences(*texts: Text) -> Text:
    """Sentences in a row: Chinese runs on, English needs a space; empty ones are left out."""
    kept = [t for t in texts if t.en or t.zh]
    return Text("".join(t.zh for t in kept), " ".join(t.en for t in kept))


EMPTY = Text("", "")

# Symbols people recognise; any other currency is written with its ISO code after the amount.
_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"}

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def money(m: Money) -> str:
    """``¥35.00``, ``$1,234.50``, ``1,000 KRW``: exact, from minor units, same in both languages."""
    exponent = minor_unit_exponent(m.currency)
    whole, frac = divmod(abs(m.amount), m.unit())
    number = f"{whole:,}" + (f".{frac:0{exponent}d}" if exponent else "")
    sign = "-" if m.amount < 0 else ""
    symbol = _SYMBOLS.get(m.currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {m.currency}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def hours(n: int) -> Text:
    """A threshold the rules publish in hours stays in hours: "48 hours", not "2 days"."""
    return Text(f"{n}小时", _plural(n, "hour"))


def days(n: int) -> Text:
    return Text(f"{n}天", _plural(n, "day"))


def duration(span: dt.timedelta, units: int | None = None) -> Text:
    """A span in words, largest units first, zero parts left out: "1 day 6 hours", never
    "1 day, 0:00:00". ``units`` keeps only that many leading parts (the rest is dropped, so a
    lateness of 3 days 18 hours 7 minutes reads "3 days 18 hours")."""
    if span < dt.timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {span}")
    rest = int(span.total_seconds())
    parts: list[tuple[int, str, str]] = []
    for size, en, zh in ((86_400, "day", "天"), (3_600, "hour", "小时"), (60, "minute", "分钟")):
        n, rest = divmod(rest, size)
        if n or parts:
            parts.append((n, en, zh))
    parts.append((rest, "second", "秒"))
    shown = [p for p in parts[:units] if p[0]] if units else [p for p in parts if p[0]]
    shown = shown or [next((p for p in parts if p[0]), parts[-1])]
    return Text(
        "".join(f"{n}{zh}" for n, _, zh in shown), " ".join(_plural(n, en) for n, en, _ in shown)
    )


def when(t: dt.datetime, zone: dt.tzinfo, ref: dt.datetime | None = None) -> Text:
    """An instant as a consumer reads it, in the pack's zone: "23:59:59 on 6 October" /
    "10月6日23:59:59"; the year is said only when it is not ``ref``'s year (the hall's "now")."""
    local = require_aware(t, "instant").astimezone(zone)
    year = ref is None or require_aware(ref, "ref").astimezone(zone).year != local.year
    clock = f"{local:%H:%M:%S}"
    en = f"{clock} on {local.day} {_MONTHS[local.month - 1]}" + (f" {local.year}" if year else "")
    zh = (f"{local.year}年" if year else "") + f"{local.month}月{local.day}日{clock}"
    return Text(zh, en)


PAID_AS = {
    "coupon": Text("无门槛优惠券", "a no-threshold coupon"),
    "cash": Text("现金", "cash"),
    "red_packet": Text("红包", "a red packet"),
}

EXEMPTIONS = {
    "consumer_abuse": Text("消费者恶意行为", "consumer abuse"),
    "non_consumer_purchase": Text("非消费者购买", "not a consumer purchase"),
    "platform_stop_ship": Text("平台要求停发", "the platform stopped the shipment"),
    "force_majeure": Text("不可抗力", "force majeure"),
}


# anxin's normalized scan statuses (anxin.tracking.vocabulary.Status) in words: an English
# sentence must not quote a Chinese carrier's raw text.
SCAN_STATUS: dict[str, Text] = {
    "pending": Text("暂无物流信息", "no tracking yet"),
    "info_received": Text("商家已下单，等待揽收", "label created, waiting for pickup"),
    "picked_up": Text("快递已揽收", "picked up by the carrier"),
    "in_transit": Text("运输中", "in transit"),
    "at_hub": Text("已到达转运中心", "at a sorting hub"),
    "out_for_delivery": Text("派送中", "out for delivery"),
    "delivery_failed": Text("派送未成功", "delivery attempt failed"),
    "ready_for_pickup": Text("待取件", "ready for pickup"),
    "delivered": Text("已签收", "delivered"),
    "returning": Text("退回中", "on its way back to the sender"),
    "returned": Text("已退回", "returned to the sender"),
    "exception": Text("物流异常", "held up by an incident"),
    "unknown": Text("物流信息更新", "a carrier update"),
}


def scan_words(status: str, raw_text: str, location: str) -> Text:
    """A scan in both languages: the carrier's own text in Chinese (it is Chinese, or the
    status where it is not), the normalized status in English, with the place."""
    words = SCAN_STATUS.get(status, SCAN_STATUS["unknown"])
    zh = raw_text if raw_text and not raw_text.isascii() else words.zh
    en = words.en if not raw_text.isascii() or not raw_text else raw_text
    return Text(zh, f"{en}, {location}" if location and location.isascii() else en)


def exemption_name(reason: str) -> Text:
    """A known exemption in words; a pack's own period (e.g. "春节") is shown as named."""
    return EXEMPTIONS.get(reason, Text(reason, reason))
