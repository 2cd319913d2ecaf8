"""Carrier codes: the simulator's scans, aggregator code schemes, composite and coarse codes."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.sim import carriers as sim
from anxin.tracking import RawScan, Reason, Status, normalize
from anxin.tracking.carriers import canonical, registry, vocabulary
from anxin.tracking.rules import code

S, R = Status, Reason
AT = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# What each simulator stage must read as (anxin.sim.carriers stage order).
STAGE_STATUS = (
    S.picked_up,  # PICKUP
    S.at_hub,  # ARRIVE
    S.in_transit,  # DEPART
    S.in_transit,  # CUSTOMS
    S.out_for_delivery,  # OUT
    S.delivered,  # SIGNED
    S.delivery_failed,  # FAILED
    S.exception,  # STALL
    S.exception,  # DAMAGE
    S.returning,  # RETURN
    S.returned,  # RETURN_SIGNED
)


def _sim_scans() -> list[tuple[str, int, str, str, str]]:
    """(carrier, stage, code, text, extra) for every simulator stage that emits something."""
    rows = []
    for name, spec in sim.CARRIERS.items():
        voc = spec.vocabulary
        zh = not spec.international
        city, nxt = ("杭州", "上海") if zh else ("Leipzig", "Milan")
        for stage, (raw_code, template) in enumerate(zip(voc.codes, voc.texts, strict=True)):
            if not template:
                continue
            extras = {7: voc.stall_reasons, 9: voc.return_reasons, 5: voc.signers}.get(stage, ("",))
            for extra in extras:
                text = template.format(
                    city=city,
                    hub=voc.hub.format(city=city),
                    next=voc.hub.format(city=nxt),
                    courier=voc.couriers[0],
                    signer=extra,
                    reason=extra,
                )
                rows.append((name, stage, raw_code, text, extra))
    return rows


def test_simulator_scans_read_as_their_stage() -> None:
    rows = _sim_scans()
    assert rows
    wrong = []
    for carrier, stage, raw_code, text, _ in rows:
        for c in (raw_code, ""):  # by code (with text), and by the text alone
            got = normalize(RawScan(carrier, "T", AT, c, text)).status
            if got is not STAGE_STATUS[stage]:
                wrong.append((carrier, stage, c, text, got))
    assert wrong == []


def test_simulator_incident_reasons() -> None:
    expected = {
        "天气原因": R.weather,
        "运力紧张": R.delayed,
        "分拨中心爆仓": R.delayed,
        "交通管制": R.force_majeure,
        "收件人拒收": R.refused,
        "地址错误无法派送": R.address_problem,
        "超区件": R.out_of_area,
        "weather": R.weather,
        "operational delay": R.delayed,
        "refused by consignee": R.refused,
        "incorrect address": R.address_problem,
    }
    for carrier, stage, raw_code, text, extra in _sim_scans():
        event = normalize(RawScan(carrier, "T", AT, raw_code, text))
        if stage in (7, 9) and extra in expected:
            assert event.reason is expected[extra], (carrier, text)
        if stage == 8:
            assert event.reason is R.damaged, (carrier, text)
        if stage == 6:
            assert event.reason is R.not_home, (carrier, text)


@pytest.mark.parametrize(
    ("code_", "text", "status", "reason"),
    [
        ("3", "", S.delivered, None),
        ("0", "快件已由【丰巢智能快递柜】代收", S.ready_for_pickup, None),  # 在途 is an umbrella
        ("0", "快件到达【杭州转运中心】", S.at_hub, None),
        ("在途", "", S.in_transit, None),
        ("1", "商家正通知快递公司揽件", S.info_received, None),  # 揽收 group includes 已下单
        ("501", "", S.ready_for_pickup, None),
        ("304", "", S.delivered, None),
        ("14", "", S.returning, R.refused),
        ("拒签", "", S.returning, R.refused),
        ("4", "", S.returned, R.unknown),
        ("6", "", S.returning, R.unknown),
        ("7", "", S.in_transit, None),
        ("10", "", S.in_transit, None),  # Kuaidi100: 待清关 (awaiting customs), not 待揽件
        ("13", "", S.exception, R.customs),
        ("2", "派件失败：收件人电话无人接听", S.delivery_failed, R.not_home),
        ("206", "", S.delivery_failed, R.not_home),
        ("209", "", S.exception, R.damaged),
        ("101", "", S.info_received, None),  # not STO's 101 (picked up): the scheme decides
    ],
)
def test_kuaidi100_codes(code_: str, text: str, status: Status, reason: Reason | None) -> None:
    event = normalize(RawScan("sto", "T", AT, code_, text, scheme="kuaidi100"))
    assert (event.status, event.reason) == (status, reason)


def test_kdniao_codes_differ_where_kdniao_differs() -> None:
    def status(c: str) -> Status:
        return normalize(RawScan("zto", "T", AT, c, "", scheme="kdniao")).status

    assert status("10") is S.info_received  # KDNiao: 待揽件
    assert status("211") is S.ready_for_pickup
    assert status("204") is S.at_hub
    assert status("3") is S.delivered


def test_carrier_own_codes() -> None:
    def event(carrier: str, c: str, text: str = "") -> tuple[Status, Reason | None]:
        e = normalize(RawScan(carrier, "T", AT, c, text))
        return e.status, e.reason

    assert event("sto", "101") == (S.picked_up, None)
    assert event("YUNDA", "QS") == (S.delivered, None)
    assert event("ups", "D/KB") == (S.delivered, None)  # composite: type/code
    assert event("ups", "X/SR", "Your package was released by the customs agency.") == (
        S.in_transit,
        None,
    )
    assert event("ups", "X", "The receiver was not available for delivery.") == (
        S.delivery_failed,
        R.not_home,
    )
    assert event("ups", "X", "Something odd happened") == (S.exception, R.unknown)
    assert event("fedex", "DE", "Customer not available or business closed") == (
        S.delivery_failed,
        R.not_home,
    )
    assert event("fedex", "DL", "Delivered to shipper") == (S.returned, R.unknown)
    assert event("usps", "01", "Delivered, Parcel Locker") == (S.delivered, None)
    assert event("dpd", "ParcelShop") == (S.ready_for_pickup, None)
    assert event("usps", "ZZ", "") == (S.unknown, None)


def test_english_text_without_codes() -> None:
    def status(text: str) -> Status:
        return normalize(RawScan("generic-carrier", "T", AT, "", text)).status

    assert status("Delivered by driver to Pickup parcelshop") is S.ready_for_pickup
    assert status("Your shipment will be delivered in the coming days") is not S.delivered
    assert status("The shipment has been delivered.") is S.delivered
    assert status("Departed from DHL facility in Milan - Italy") is S.in_transit
    assert status("Arrived at DHL facility in Milan - Italy") is S.at_hub
    assert status("Returning package to shipper: incorrect address") is S.returning
    assert status("Shipping Label Created, USPS Awaiting Item") is S.info_received


def test_registry_names_and_extension() -> None:
    assert canonical("shunfeng") == "sf"
    assert canonical("DHL") == "dhl_express"
    assert canonical("usps-international") == "usps_international"
    assert canonical("nobody") == "nobody"
    custom = registry([vocabulary("sf").extended(codes={"8000": code(S.delivered)})])
    assert normalize(RawScan("sf", "T", AT, "8000", ""), custom).status is S.delivered
    assert normalize(RawScan("sf", "T", AT, "8000", "")).status is S.unknown
