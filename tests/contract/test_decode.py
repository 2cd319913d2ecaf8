"""Pure decoding: every kind of bad input maps to one exact (code, path), and every event type
round-trips through its canonical bytes.

No database here. ``EXAMPLES`` (one valid event per type, exercising the optional fields) is
shared with ``test_schema``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from anxin.contract import events as ev
from anxin.contract.decode import (
    MAX_DEPTH,
    MAX_EVENT_BYTES,
    ContractError,
    Rejected,
    decode_event,
    encode_event,
    iter_lines,
    split_batch,
)

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=CST)
CNY = "CNY"


def _at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def _money(amount: int, currency: str = CNY) -> ev.Money:
    return ev.Money(amount, currency)


# ---------------------------------------------------------------- one valid event per type

MERCHANT = ev.MerchantPayload(
    merchant_id="M1",
    name="小店",
    industry="apparel",
    shop_type="flagship",
    region=ev.Region(country="CN", province="浙江", city="杭州", postal_code="310000"),
    deposit=_money(2_000_000),
    settled_at=_at(-24 * 30),
)
LISTING = ev.ListingPayload(
    listing_id="L1",
    merchant_id="M1",
    title="羊毛围巾",
    category="apparel.scarf",
    price=_money(19_900),
    promises=[
        ev.Promise(kind="ship", source="listing", within_hours=48),
        ev.Promise(kind="deliver", source="listing", by=_at(24 * 5), made_at=_at(-1)),
    ],
    presale=True,
    attributes={"colour": "红", "size": "L"},
)


def merchant_registered() -> ev.Event:
    return ev.MerchantRegistered(
        id="e-merchant-registered", occurred_at=_at(-24 * 30), source="crm", payload=MERCHANT
    )


def merchant_updated() -> ev.Event:
    return ev.MerchantUpdated(
        id="e-merchant-updated",
        occurred_at=_at(-24),
        source="crm",
        partition_key="merchant:M1",
        payload=ev.MerchantPayload(merchant_id="M1", name="小店 (新)"),
    )


def listing_submitted() -> ev.Event:
    return ev.ListingSubmitted(
        id="e-listing-submitted", occurred_at=_at(-48), source="catalog", payload=LISTING
    )


def listing_updated() -> ev.Event:
    return ev.ListingUpdated(
        id="e-listing-updated",
        occurred_at=_at(-47),
        source="catalog",
        payload=ev.ListingPayload(listing_id="L1", merchant_id="M1", title="羊毛围巾 v2"),
    )


def content_published() -> ev.Event:
    return ev.ContentPublished(
        id="e-content-published",
        occurred_at=_at(-2),
        source="live",
        payload=ev.ContentPayload(
            content_id="LIVE-1",
            merchant_id="M1",
            kind="live_stream",
            listing_ids=["L1"],
            text="今天下单明天发货",
            promises=[ev.Promise(kind="ship", source="live_stream", named="next_day")],
        ),
    )


def order_placed() -> ev.Event:
    return ev.OrderPlaced(
        id="e-order-placed",
        occurred_at=T0,
        source="shop",
        payload=ev.OrderPlacedPayload(
            order_id="O1",
            merchant_id="M1",
            consumer_id="C1",
            items=[
                ev.Item(sku="SKU-1", quantity=2, unit_price=_money(9_950), listing_id="L1"),
                ev.Item(sku="SKU-2", quantity=1, unit_price=_money(0), title="赠品"),
            ],
            amount=_money(19_900),
            promises=[ev.Promise(kind="ship", source="listing", within_hours=48)],
            presale_ship_by=_at(24 * 10),
            destination=ev.Region(country="CN", province="上海"),
            channel="live_stream",
        ),
    )


def order_paid() -> ev.Event:
    return ev.OrderPaid(
        id="e-order-paid",
        occurred_at=_at(0.1),
        source="pay",
        payload=ev.OrderPaidPayload(
            order_id="O1",
            amount_paid=_money(19_900),
            promises=[ev.Promise(kind="ship", source="chat", by=_at(30))],
        ),
    )


def order_cancelled() -> ev.Event:
    return ev.OrderCancelled(
        id="e-order-cancelled",
        occurred_at=_at(1),
        source="shop",
        payload=ev.OrderCancelledPayload(order_id="O2", by="consumer", reason="拍错了"),
    )


def order_address_changed() -> ev.Event:
    return ev.OrderAddressChanged(
        id="e-order-address-changed",
        occurred_at=_at(2),
        source="shop",
        payload=ev.OrderAddressChangedPayload(
            order_id="O1",
            destination=ev.Region(country="CN", province="浙江", city="杭州", postal_code="310000"),
            by="consumer",
        ),
    )


def order_exempted() -> ev.Event:
    return ev.OrderExempted(
        id="e-order-exempted",
        occurred_at=_at(3),
        source="risk",
        payload=ev.OrderExemptedPayload(
            order_id="O2", reason="non_consumer_purchase", text="批量代购"
        ),
    )


def shipment_created() -> ev.Event:
    return ev.ShipmentCreated(
        id="e-shipment-created",
        occurred_at=_at(20),
        source="wms",
        payload=ev.ShipmentCreatedPayload(
            order_id="O1",
            shipment_id="S1",
            carrier="SF",
            tracking_number="SF0001",
            origin=ev.Region(country="CN", province="浙江"),
            skus=["SKU-1", "SKU-2"],
        ),
    )


def tracking_scanned() -> ev.Event:
    return ev.TrackingScanned(
        id="e-tracking-scanned",
        occurred_at=_at(22),
        source="carrier-feed",
        payload=ev.TrackingScanPayload(
            carrier="SF",
            tracking_number="SF0001",
            code="10",
            text="已揽收",
            location="杭州",
            consignee=ev.Region(country="CN", province="上海"),
        ),
    )


def aftersale_requested() -> ev.Event:
    return ev.AfterSaleRequested(
        id="e-aftersale-requested",
        occurred_at=_at(72),
        source="cs",
        payload=ev.AfterSaleRequestedPayload(
            aftersale_id="A1",
            order_id="O1",
            kind="return_refund",
            reason="质量问题",
            amount=_money(9_950),
            skus=["SKU-1"],
            text="起球",
        ),
    )


def aftersale_responded() -> ev.Event:
    return ev.AfterSaleResponded(
        id="e-aftersale-responded",
        occurred_at=_at(80),
        source="cs",
        payload=ev.AfterSaleRespondedPayload(
            aftersale_id="A1", order_id="O1", by="merchant", decision="agree_return"
        ),
    )


def aftersale_escalated() -> ev.Event:
    return ev.AfterSaleEscalated(
        id="e-aftersale-escalated",
        occurred_at=_at(90),
        source="cs",
        payload=ev.AfterSaleEscalatedPayload(
            aftersale_id="A1", order_id="O1", by="consumer", reason="商家拒收"
        ),
    )


def aftersale_resolved() -> ev.Event:
    return ev.AfterSaleResolved(
        id="e-aftersale-resolved",
        occurred_at=_at(120),
        source="cs",
        payload=ev.AfterSaleResolvedPayload(
            aftersale_id="A1",
            order_id="O1",
            outcome="refunded",
            decided_by="platform",
            refund=_money(9_950),
        ),
    )


def return_shipped() -> ev.Event:
    return ev.ReturnShipped(
        id="e-return-shipped",
        occurred_at=_at(96),
        source="cs",
        payload=ev.ReturnShippedPayload(
            aftersale_id="A1", order_id="O1", carrier="ZTO", tracking_number="ZTO0001"
        ),
    )


def return_received() -> ev.Event:
    return ev.ReturnReceived(
        id="e-return-received",
        occurred_at=_at(110),
        source="wms",
        payload=ev.ReturnReceivedPayload(aftersale_id="A1", order_id="O1", condition="damaged"),
    )


def chat_message() -> ev.Event:
    return ev.ChatMessage(
        id="e-chat-message",
        occurred_at=_at(0.5),
        source="im",
        payload=ev.ChatMessagePayload(
            conversation_id="CV1",
            message_id="MSG1",
            merchant_id="M1",
            consumer_id="C1",
            sender="agent",
            order_id="O1",
            text="亲，48小时内发货",
        ),
    )


def chat_rated() -> ev.Event:
    return ev.ChatRated(
        id="e-chat-rated",
        occurred_at=_at(1),
        source="im",
        payload=ev.ChatRatedPayload(
            conversation_id="CV1", merchant_id="M1", consumer_id="C1", stars=4
        ),
    )


def review_posted() -> ev.Event:
    return ev.ReviewPosted(
        id="e-review-posted",
        occurred_at=_at(100),
        source="shop",
        payload=ev.ReviewPayload(
            review_id="R1", order_id="O1", merchant_id="M1", stars=5, listing_id="L1", text="好"
        ),
    )


def complaint_filed() -> ev.Event:
    return ev.ComplaintFiled(
        id="e-complaint-filed",
        occurred_at=_at(50),
        source="cs",
        payload=ev.ComplaintPayload(
            complaint_id="CP1",
            merchant_id="M1",
            consumer_id="C1",
            topic="late_shipment",
            order_id="O1",
        ),
    )


BUILDERS: tuple[Callable[[], ev.Event], ...] = (
    merchant_registered,
    merchant_updated,
    listing_submitted,
    listing_updated,
    content_published,
    order_placed,
    order_paid,
    order_cancelled,
    order_address_changed,
    order_exempted,
    shipment_created,
    tracking_scanned,
    aftersale_requested,
    aftersale_responded,
    aftersale_escalated,
    aftersale_resolved,
    return_shipped,
    return_received,
    chat_message,
    chat_rated,
    review_posted,
    complaint_filed,
)
EXAMPLES: dict[str, ev.Event] = {e.type: e for e in (build() for build in BUILDERS)}


def test_there_is_one_example_per_event_type() -> None:
    assert len(ev.EVENT_TYPES) == 22
    assert set(EXAMPLES) == set(ev.TYPE_NAMES)
    assert {type(e) for e in EXAMPLES.values()} == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("tag", sorted(EXAMPLES))
def test_every_event_type_round_trips(tag: str) -> None:
    event = EXAMPLES[tag]
    raw = encode_event(event)
    decoded = decode_event(raw, 1)
    assert not isinstance(decoded, Rejected), decoded
    assert type(decoded) is type(event)
    assert decoded == event
    assert decoded.type == tag
    assert json.loads(raw)["type"] == tag
    assert encode_event(decoded) == raw  # canonical: a second trip gives the same bytes


# ---------------------------------------------------------------- bad input, one row per case

EVENT_ID = "e-order-placed"  # the id of every mutated order.placed below


def _doc(tag: str = "order.placed") -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(encode_event(EXAMPLES[tag]))
    return doc


def _mutated(change: Callable[[dict[str, Any]], object], tag: str = "order.placed") -> bytes:
    doc = _doc(tag)
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode()


def _rename(doc: dict[str, Any], old: str, new: str) -> None:
    doc[new] = doc.pop(old)


def _promise(**fields: object) -> dict[str, object]:
    return {"kind": "ship", "source": "listing", **fields}


VALID = encode_event(EXAMPLES["order.placed"])

# (raw, code, path, message fragment, event_id)
CASES = [
    # ---- malformed JSON: nothing (not even the id) can be read
    pytest.param(VALID[:-7], "malformed_json", "$", "truncated", None, id="malformed-truncated"),
    pytest.param(
        VALID + b'{"id":', "malformed_json", "$", "trailing characters", None,
        id="malformed-trailing-garbage",
    ),
    pytest.param(b"", "malformed_json", "$", "truncated", None, id="malformed-empty-bytes"),
    pytest.param(b"{'id': 1}", "malformed_json", "$", "malformed", None, id="malformed-quotes"),
    # well-formed JSON that is not an object is a type error at the root
    pytest.param(
        b"[1]", "invalid_type", "$", "Expected `object`, got `array`", None,
        id="not-an-object-array",
    ),
    pytest.param(
        b'"order.placed"', "invalid_type", "$", "Expected `object`, got `str`", None,
        id="not-an-object-string",
    ),
    # ---- unknown type
    pytest.param(
        _mutated(lambda d: d.update(type="order.shipped")),
        "unknown_type", "$.type", "'order.shipped'", EVENT_ID, id="unknown-type",
    ),
    # ---- missing envelope / payload fields
    pytest.param(
        _mutated(lambda d: d.pop("id")),
        "missing_field", "$.id", "required field `id`", None, id="missing-envelope-id",
    ),
    pytest.param(
        _mutated(lambda d: d.pop("occurred_at")),
        "missing_field", "$.occurred_at", "required field `occurred_at`", EVENT_ID,
        id="missing-envelope-occurred_at",
    ),
    pytest.param(
        _mutated(lambda d: d.pop("source")),
        "missing_field", "$.source", "required field `source`", EVENT_ID,
        id="missing-envelope-source",
    ),
    pytest.param(
        _mutated(lambda d: d.pop("type")),
        "missing_field", "$.type", "required field `type`", EVENT_ID,
        id="missing-envelope-type",
    ),
    pytest.param(
        _mutated(lambda d: d.pop("payload")),
        "missing_field", "$.payload", "required field `payload`", EVENT_ID,
        id="missing-envelope-payload",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].pop("order_id")),
        "missing_field", "$.payload.order_id", "required field `order_id`", EVENT_ID,
        id="missing-payload-order_id",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["items"][1].pop("unit_price")),
        "missing_field", "$.payload.items[1].unit_price", "required field `unit_price`",
        EVENT_ID, id="missing-nested-unit_price",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].pop("currency")),
        "missing_field", "$.payload.amount.currency", "required field `currency`", EVENT_ID,
        id="missing-money-currency",
    ),
    # ---- unknown fields
    pytest.param(
        _mutated(lambda d: _rename(d, "occurred_at", "occured_at")),
        "unknown_field", "$.occured_at", "unknown field `occured_at`", EVENT_ID,
        id="unknown-field-typo-occured_at",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(colour="red")),
        "unknown_field", "$.payload.colour", "unknown field `colour`", EVENT_ID,
        id="unknown-field-in-payload",
    ),
    # ---- mistyped fields
    pytest.param(
        _mutated(lambda d: d["payload"].update(order_id=12345)),
        "invalid_type", "$.payload.order_id", "Expected `str`, got `int`", EVENT_ID,
        id="mistyped-order_id-number",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(stars="5"), "review.posted"),
        "invalid_type", "$.payload.stars", "Expected `int`, got `str`", "e-review-posted",
        id="mistyped-stars-string",
    ),
    pytest.param(
        _mutated(lambda d: d.update(id=42)),
        "invalid_type", "$.id", "Expected `str`, got `int`", None, id="mistyped-id-number",
    ),
    pytest.param(
        _mutated(lambda d: d.update(occurred_at=1790000000)),
        "invalid_type", "$.occurred_at", "Expected `datetime`, got `int`", EVENT_ID,
        id="mistyped-occurred_at-epoch",
    ),
    pytest.param(
        _mutated(lambda d: d.update(payload=[1])),
        "invalid_type", "$.payload", "Expected `object`, got `array`", EVENT_ID,
        id="mistyped-payload-array",
    ),
    # ---- out-of-range values
    pytest.param(
        _mutated(lambda d: d["payload"].update(stars=6), "review.posted"),
        "invalid_value", "$.payload.stars", "<= 5", "e-review-posted", id="stars-6",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(stars=0), "chat.rated"),
        "invalid_value", "$.payload.stars", ">= 1", "e-chat-rated", id="chat-stars-0",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["items"][0].update(quantity=0)),
        "invalid_value", "$.payload.items[0].quantity", ">= 1", EVENT_ID, id="quantity-0",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(channel="tv")),
        "invalid_value", "$.payload.channel", "'tv'", EVENT_ID, id="unknown-enum-channel",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(amount=10**15 + 1)),
        "invalid_value", "$.payload.amount.amount", "<= 1000000000000000", EVENT_ID,
        id="money-above-limit-is-not-negative",
    ),
    pytest.param(
        _mutated(lambda d: d.update(occurred_at="2026-10-01")),
        "invalid_value", "$.occurred_at", "RFC3339", EVENT_ID, id="date-without-time",
    ),
    # ---- naive timestamps
    pytest.param(
        _mutated(lambda d: d.update(occurred_at="2026-10-01T09:00:00")),
        "naive_timestamp", "$.occurred_at", "timezone", EVENT_ID, id="naive-envelope",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(promises=[_promise(by="2026-10-03T18:00:00")])),
        "naive_timestamp", "$.payload.promises[0].by", "timezone", EVENT_ID,
        id="naive-payload-promise-by",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(presale_ship_by="2026-10-11T09:00:00")),
        "naive_timestamp", "$.payload.presale_ship_by", "timezone", EVENT_ID,
        id="naive-payload-presale_ship_by",
    ),
    # ---- money
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(amount=-1)),
        "negative_money", "$.payload.amount.amount", ">= 0", EVENT_ID, id="negative-money",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["items"][0]["unit_price"].update(amount=-9950)),
        "negative_money", "$.payload.items[0].unit_price.amount", ">= 0", EVENT_ID,
        id="negative-money-unit_price",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(amount=12.5)),
        "non_integer_money", "$.payload.amount.amount", "got `float`", EVENT_ID,
        id="non-integer-money-12.5",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(amount="12")),
        "non_integer_money", "$.payload.amount.amount", "got `str`", EVENT_ID,
        id="non-integer-money-string-12",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(amount=12.0)),
        "non_integer_money", "$.payload.amount.amount", "got `float`", EVENT_ID,
        id="non-integer-money-12.0",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(currency="XXX")),
        "unknown_currency", "$.payload.amount.currency", "'XXX'", EVENT_ID,
        id="unknown-currency-XXX",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["amount"].update(currency="cny")),
        "unknown_currency", "$.payload.amount.currency", "'cny'", EVENT_ID,
        id="unknown-currency-lowercase-cny",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"]["items"][1]["unit_price"].update(currency="RMB")),
        "unknown_currency", "$.payload.items[1].unit_price.currency", "'RMB'", EVENT_ID,
        id="unknown-currency-nested-RMB",
    ),
    # ---- absurd payload dates (the envelope's range is checked by the engine)
    pytest.param(
        _mutated(lambda d: d["payload"].update(presale_ship_by="1900-01-01T00:00:00+08:00")),
        "absurd_date", "$.payload.presale_ship_by", "outside 2000..2099", EVENT_ID,
        id="absurd-presale_ship_by-1900",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(presale_ship_by="2100-01-01T00:00:00Z")),
        "absurd_date", "$.payload.presale_ship_by", "outside 2000..2099", EVENT_ID,
        id="absurd-presale_ship_by-2100-exclusive-bound",
    ),
    pytest.param(
        _mutated(lambda d: d["payload"].update(promises=[_promise(by="2200-01-01T00:00:00Z")])),
        "absurd_date", "$.payload.promises[0].by", "outside 2000..2099", EVENT_ID,
        id="absurd-promise-by-2200",
    ),
    pytest.param(
        _mutated(
            lambda d: d["payload"].update(
                promises=[_promise(within_hours=48, made_at="1970-01-01T00:00:00Z")]
            )
        ),
        "absurd_date", "$.payload.promises[0].made_at", "outside 2000..2099", EVENT_ID,
        id="absurd-promise-made_at-1970",
    ),
    # ---- promise: exactly one of within_hours / by / named
    pytest.param(
        _mutated(lambda d: d["payload"].update(promises=[_promise()])),
        "invalid_value", "$.payload.promises[0]", "exactly one of", EVENT_ID,
        id="promise-with-none",
    ),
    pytest.param(
        _mutated(
            lambda d: d["payload"].update(
                promises=[_promise(within_hours=48), _promise(within_hours=24, named="next_day")]
            )
        ),
        "invalid_value", "$.payload.promises[1]", "exactly one of", EVENT_ID,
        id="promise-with-two",
    ),
    pytest.param(
        _mutated(
            lambda d: d["payload"].update(
                promises=[_promise(by="2026-10-03T18:00:00+08:00", named="same_day")]
            ),
            "order.paid",
        ),
        "invalid_value", "$.payload.promises[0]", "exactly one of", "e-order-paid",
        id="promise-with-two-on-order.paid",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "code", "path", "fragment", "event_id"), CASES)
def test_bad_input_is_rejected_precisely(
    raw: bytes, code: str, path: str, fragment: str, event_id: str | None
) -> None:
    result = decode_event(raw, 17)
    assert isinstance(result, Rejected), result
    error = result.error
    assert (error.code, error.path, error.index, error.event_id) == (code, path, 17, event_id)
    assert fragment in error.message
    assert result.raw == raw  # kept verbatim for the dead-letter store


def test_index_is_optional() -> None:
    result = decode_event(b"{", None)
    assert isinstance(result, Rejected)
    assert result.error.index is None
    # omit_defaults: the root path and the missing index/id are left out
    assert result.error.to_dict() == {"code": "malformed_json", "message": result.error.message}


def test_an_error_serialises_with_all_its_parts() -> None:
    result = decode_event(_mutated(lambda d: d["payload"].update(order_id=1)), 3)
    assert isinstance(result, Rejected)
    assert result.error.to_dict() == {
        "code": "invalid_type",
        "message": "Expected `str`, got `int`",
        "path": "$.payload.order_id",
        "index": 3,
        "event_id": EVENT_ID,
    }


# ---------------------------------------------------------------- size limit


def _padded(size: int) -> bytes:
    """A valid order.placed of exactly ``size`` bytes (padding in an item title)."""

    def pad(title: str) -> bytes:
        return _mutated(lambda d: d["payload"]["items"][0].update(title=title))

    short = pad("")
    raw = pad("x" * (size - len(short)))
    assert len(raw) == size
    return raw


def test_oversized_event_is_refused_and_truncated_to_the_limit() -> None:
    raw = _padded(MAX_EVENT_BYTES + 1)
    result = decode_event(raw, 5)
    assert isinstance(result, Rejected)
    assert result.error == ContractError(
        "oversized",
        f"event is {MAX_EVENT_BYTES + 1} bytes; the limit is {MAX_EVENT_BYTES}",
        "$",
        5,
        None,  # refused before parsing: the id is not read
    )
    assert result.raw == raw[:MAX_EVENT_BYTES]
    assert len(result.raw) == MAX_EVENT_BYTES


def test_oversized_far_over_the_limit_keeps_only_the_limit() -> None:
    raw = b"{" + b" " * (4 * MAX_EVENT_BYTES) + b"}"
    result = decode_event(raw, 0)
    assert isinstance(result, Rejected)
    assert (result.error.code, result.error.path) == ("oversized", "$")
    assert result.raw == raw[:MAX_EVENT_BYTES]


def test_an_event_of_exactly_the_limit_is_accepted() -> None:
    # A title holds at most 8192 chars, so spread the padding over several items.
    doc = _doc()
    doc["payload"]["items"] = [dict(doc["payload"]["items"][0], title="") for _ in range(10)]
    filler = MAX_EVENT_BYTES - len(json.dumps(doc).encode())
    for item in doc["payload"]["items"]:
        item["title"], filler = "x" * min(filler, 8192), filler - min(filler, 8192)
    assert filler == 0
    exact = json.dumps(doc).encode()
    assert len(exact) == MAX_EVENT_BYTES
    decoded = decode_event(exact, 1)
    assert isinstance(decoded, ev.OrderPlaced), decoded
    assert decode_event(exact + b" ", 1) == Rejected(
        exact,
        ContractError(
            "oversized",
            f"event is {MAX_EVENT_BYTES + 1} bytes; the limit is {MAX_EVENT_BYTES}",
            "$",
            1,
        ),
    )


# ---------------------------------------------------------------- bytes that are not UTF-8 JSON


def test_a_byte_that_is_not_utf8_is_a_contract_error_naming_its_offset() -> None:
    good = encode_event(EXAMPLES["order.paid"])
    at = good.index(b'"source"') + len(b'"source":"')
    raw = good[:at] + b"\xc3\x28" + good[at:]  # a lead byte without its continuation
    result = decode_event(raw, 7)
    assert isinstance(result, Rejected)
    assert result.raw == raw
    error = result.error
    assert (error.code, error.path, error.index) == ("invalid_utf8", "$", 7)
    assert error.event_id == EXAMPLES["order.paid"].id  # the id itself is readable
    assert f"byte 0xc3 at offset {at} is not valid UTF-8" in error.message


def test_an_unreadable_id_is_not_guessed() -> None:
    raw = encode_event(EXAMPLES["order.paid"]).replace(b'"id":"', b'"id":"\xff', 1)
    result = decode_event(raw)
    assert isinstance(result, Rejected)
    assert (result.error.code, result.error.event_id) == ("invalid_utf8", None)


def _arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_is_parsed_one_more_level_is_refused() -> None:
    at_limit = decode_event(_arrays(MAX_DEPTH), 1)
    assert isinstance(at_limit, Rejected)
    assert at_limit.error.code == "invalid_type"  # parsed: an array is not an event
    over = decode_event(b" " + _arrays(MAX_DEPTH + 1), 2)
    assert isinstance(over, Rejected)
    assert over.raw == b" " + _arrays(MAX_DEPTH + 1)
    assert over.error == ContractError(
        "too_deep",
        f"arrays and objects nest more than {MAX_DEPTH} levels deep (level {MAX_DEPTH + 1} "
        f"opens at byte {MAX_DEPTH + 1}); deeper input is refused unparsed",
        "$",
        2,
    )


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting_in_a_field_is_refused_not_a_crash(depth: int) -> None:
    good = encode_event(EXAMPLES["order.paid"])
    raw = good.replace(b'"source":', b'"source":{"a":' + _arrays(depth) + b"},", 1)
    result = decode_event(raw[:MAX_EVENT_BYTES], 3)
    assert isinstance(result, Rejected)
    assert (result.error.code, result.error.index) == ("too_deep", 3)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = _doc()
    doc["payload"]["items"][0]["title"] = '[{\\"' * 100  # brackets, escapes and quotes
    decoded = decode_event(json.dumps(doc).encode())
    assert isinstance(decoded, ev.OrderPlaced), decoded


def test_many_shallow_objects_are_not_deep() -> None:
    doc = _doc()
    doc["payload"]["items"] = [doc["payload"]["items"][0]] * (4 * MAX_DEPTH)
    decoded = decode_event(json.dumps(doc).encode())
    assert isinstance(decoded, ev.OrderPlaced), decoded


def test_a_batch_with_a_too_deep_event_is_still_split_event_by_event() -> None:
    deep = b'{"a":' + _arrays(5_000) + b"}"
    tricky = b'{"a":"x,]\\"}[{","b":[1,{"c":[]}]}'  # commas, brackets, escapes in strings
    body = b' {\n "events" : [ ' + tricky + b" ,\n" + deep + b" , 1 ] } \n"
    assert split_batch(body) == [tricky, deep, b"1"]
    assert split_batch(b'{"events":[' + deep + b"]}") == [deep]


# ---------------------------------------------------------------- JSON Lines


def test_iter_lines_skips_blank_lines_and_keeps_line_numbers() -> None:
    good = encode_event(EXAMPLES["order.paid"])
    stream = [good + b"\n", b"\n", b"   \r\n", b'{"id": "x",\n', b"\t" + good + b" \r\n"]
    numbered = list(iter_lines(stream))
    assert numbered == [(1, good), (4, b'{"id": "x",'), (5, good)]
    results = {n: decode_event(raw, n) for n, raw in numbered}
    assert results[1] == EXAMPLES["order.paid"]
    assert results[5] == EXAMPLES["order.paid"]
    bad = results[4]
    assert isinstance(bad, Rejected)
    assert (bad.error.code, bad.error.path, bad.error.index) == ("malformed_json", "$", 4)


def test_iter_lines_honours_start() -> None:
    assert list(iter_lines([b"", b"{}"], start=10)) == [(11, b"{}")]


def test_an_empty_line_reaching_the_decoder_is_malformed() -> None:
    result = decode_event(b"", 3)
    assert isinstance(result, Rejected)
    assert (result.error.code, result.error.path, result.error.index) == ("malformed_json", "$", 3)


@pytest.mark.parametrize(
    ("field", "path"),
    [("id", "$.id"), ("source", "$.source"), ("payload.merchant_id", "$.payload.merchant_id")],
)
def test_nul_in_any_text_is_a_contract_error_naming_where(field: str, path: str) -> None:
    """No text column can hold U+0000 (PostgreSQL refuses it) and no field means it."""
    event = msgspec.json.decode(_nul_free_event())
    target = event
    *parents, leaf = field.split(".")
    for name in parents:
        target = target[name]
    target[leaf] = "a\u0000b"
    result = decode_event(msgspec.json.encode(event), index=3)
    assert isinstance(result, Rejected)
    assert (result.error.code, result.error.path, result.error.index) == (
        "invalid_value",
        path,
        3,
    )
    assert "U+0000" in result.error.message
    assert result.error.event_id is None if field == "id" else result.error.event_id == "e-nul"


def test_a_spelled_out_backslash_u_is_text_not_nul() -> None:
    event = msgspec.json.decode(_nul_free_event())
    event["source"] = "\\u0000 is how JSON spells NUL"
    assert not isinstance(decode_event(msgspec.json.encode(event)), Rejected)


def _nul_free_event() -> bytes:
    return msgspec.json.encode(
        {
            "id": "e-nul",
            "type": "merchant.registered",
            "occurred_at": "2026-11-24T12:00:00+08:00",
            "source": "test",
            "payload": {"merchant_id": "M1", "name": "shop", "industry": "apparel"},
        }
    )
