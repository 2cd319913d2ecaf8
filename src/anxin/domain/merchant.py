"""Per-merchant state folded from merchant facts (registration, profile updates)."""

from __future__ import annotations

import datetime as dt

import msgspec

from anxin.contract import events as ev


class MerchantState(msgspec.Struct):
    merchant_id: str
    version: int = 0
    name: str = ""
    industry: str = ""
    shop_type: str = "other"
    region: ev.Region | None = None
    registered_at: dt.datetime | None = None
    settled_at: dt.datetime | None = None
    listings: int = 0
    contents: int = 0


def apply(state: MerchantState, event: ev.Event) -> MerchantState:
    state.version += 1
    match event:
        case ev.MerchantRegistered(payload=p) | ev.MerchantUpdated(payload=p):
            if isinstance(event, ev.MerchantRegistered) and (
                state.registered_at is None or event.occurred_at < state.registered_at
            ):
                state.registered_at = event.occurred_at
            state.name = p.name or state.name
            state.industry = p.industry or state.industry
            state.shop_type = p.shop_type
            state.region = p.region or state.region
            state.settled_at = p.settled_at or state.settled_at
        case ev.ListingSubmitted():
            state.listings += 1
        case ev.ContentPublished():
            state.contents += 1
        case _:
            pass
    return state


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(MerchantState)


def encode_state(state: MerchantState) -> bytes:
    return _encoder.encode(state)


def decode_state(raw: bytes | str) -> MerchantState:
    return _decoder.decode(raw)
