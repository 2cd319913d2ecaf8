"""Payload parsing: Kuaidi100 / KDNiao aggregator JSON, anxin's own scan events, time zones, and
payloads that must come back as errors rather than exceptions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from anxin.contract.decode import encode_event
from anxin.contract.events import TrackingScanned, TrackingScanPayload
from anxin.tracking import Kind, RawScan, Status, normalize, parse, parse_file, summarize

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


SF_SCANS = [
    RawScan(
        "sf",
        "SF1234567890123",
        _local("2026-10-01 10:00:00"),
        "1",
        "【杭州市】顺丰速运 已收取快件",
        "杭州市",
        "kuaidi100",
    ),
    RawScan(
        "sf",
        "SF1234567890123",
        _local("2026-10-01 15:20:00"),
        "0",
        "快件到达【杭州萧山中转场】",
        "杭州市",
        "kuaidi100",
    ),
    RawScan(
        "sf",
        "SF1234567890123",
        _local("2026-10-01 18:02:00"),
        "0",
        "快件在【杭州萧山中转场】完成分拣，准备发往【上海虹桥中转场】",
        "杭州市",
        "kuaidi100",
    ),
    RawScan(
        "sf",
        "SF1234567890123",
        _local("2026-10-02 08:30:00"),
        "5",
        "快件交给李师傅，正在派送途中",
        "上海市",
        "kuaidi100",
    ),
    RawScan(
        "sf",
        "SF1234567890123",
        _local("2026-10-02 11:15:00"),
        "3",
        "快件已签收，签收人：本人",
        "上海市",
        "kuaidi100",
    ),
]


def kuaidi100_json(scans: list[RawScan], com: str = "shunfeng") -> str:
    """The Kuaidi100 query result for these scans (newest first, as Kuaidi100 sends them)."""
    data = [
        {
            "time": s.at.strftime("%Y-%m-%d %H:%M:%S"),
            "ftime": s.at.strftime("%Y-%m-%d %H:%M:%S"),
            "context": s.text,
            "location": s.location,
            "status": {"0": "在途", "1": "揽收", "3": "签收", "5": "派件"}[s.code],
            "statusCode": s.code,
        }
        for s in reversed(scans)
    ]
    body = {
        "message": "ok",
        "nu": scans[0].tracking_number,
        "ischeck": "1",
        "condition": "F00",
        "com": com,
        "status": "200",
        "state": "3",
        "data": data,
    }
    return json.dumps(body, ensure_ascii=False)


def test_kuaidi100_round_trip() -> None:
    result = parse(kuaidi100_json(SF_SCANS))
    assert (result.kind, result.carrier, result.errors) == (Kind.ok, "sf", ())
    assert sorted(result.scans, key=lambda s: s.at) == SF_SCANS
    assert all(s.at.utcoffset() == dt.timedelta(hours=8) for s in result.scans)
    statuses = [normalize(s).status for s in sorted(result.scans, key=lambda s: s.at)]
    assert statuses == [
        Status.picked_up,
        Status.at_hub,
        Status.in_transit,
        Status.out_for_delivery,
        Status.delivered,
    ]
    summary = summarize(normalize(s) for s in result.scans)
    assert (summary.status, summary.has_left, summary.has_arrived) == (Status.delivered, True, True)
    assert summary.first_hub_at == _local("2026-10-01 15:20:00")


def test_kuaidi100_push_wrapper_and_carrier_hint() -> None:
    pushed = json.dumps({"status": "polling", "lastResult": json.loads(kuaidi100_json(SF_SCANS))})
    assert len(parse(pushed).scans) == 5
    # Kuaidi100's own code wins over the hint; an unknown ``com`` keeps its name.
    assert parse(kuaidi100_json(SF_SCANS), carrier="zto").carrier == "sf"
    other = parse(kuaidi100_json(SF_SCANS, com="huitongkuaidi"))
    assert other.carrier == "huitongkuaidi"
    assert {s.at.utcoffset() for s in other.scans} == {dt.timedelta(hours=8)}  # China's time
    assert normalize(other.scans[0]).status is Status.delivered


def test_kuaidi100_error_and_no_result() -> None:
    failed = parse(
        json.dumps(
            {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"},
            ensure_ascii=False,
        )
    )
    assert (failed.kind, failed.scans) == (Kind.not_found, ())
    assert failed.errors == ("500: 查询无结果，请隔段时间再查",)


def test_kuaidi100_times_in_the_callers_zone() -> None:
    result = parse(kuaidi100_json(SF_SCANS), tz="Asia/Tokyo")
    assert result.scans[-1].at == dt.datetime(2026, 10, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    bad = parse(kuaidi100_json(SF_SCANS), tz="Mars/Olympus")
    assert bad.kind is Kind.error
    assert "Mars/Olympus" in bad.errors[0]


def test_kdniao() -> None:
    body = {
        "EBusinessID": "1",
        "ShipperCode": "ZTO",
        "LogisticCode": "7300001",
        "Success": True,
        "State": "3",
        "Traces": [
            {
                "AcceptTime": "2026-10-01 09:00:00",
                "AcceptStation": "【上海市】快递员已揽收",
                "Action": "1",
            },
            {
                "AcceptTime": "2026-10-02 09:00:00",
                "AcceptStation": "快件已放入【丰巢智能快递柜】，请凭取件码取件",
                "Action": "211",
            },
        ],
    }
    result = parse(json.dumps(body, ensure_ascii=False))
    assert (result.kind, result.carrier, result.tracking_numbers) == (Kind.ok, "zto", ("7300001",))
    assert [normalize(s).status for s in result.scans] == [
        Status.picked_up,
        Status.ready_for_pickup,
    ]
    failed = parse(json.dumps({"LogisticCode": "1", "Success": False, "Reason": "单号不存在"}))
    assert failed.kind is Kind.not_found


def _scanned(n: int, code: str, text: str, hours: int) -> TrackingScanned:
    return TrackingScanned(
        id=f"YTO:YT1:{n}",
        occurred_at=dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=hours),
        source="sim",
        payload=TrackingScanPayload(
            carrier="YTO", tracking_number="YT1", code=code, text=text, location="杭州"
        ),
    )


def test_anxin_events_json_list_and_lines() -> None:
    events = [
        _scanned(1, "GOT", "【杭州公司】已揽收", 0),
        _scanned(2, "ARRIVAL", "您的快件已经到达【杭州转运中心】", 3),
    ]
    raw = [json.loads(encode_event(e)) for e in events]
    other = {
        "type": "merchant.registered",
        "id": "m1",
        "occurred_at": "2026-10-01T00:00:00Z",
        "source": "x",
        "payload": {"merchant_id": "m1"},
    }
    for body in (
        json.dumps(raw),
        "\n".join(json.dumps(r) for r in [other, *raw]),  # JSON Lines, other types skipped
    ):
        result = parse(body)
        assert (result.kind, result.carrier, result.errors) == (Kind.ok, "yto", ())
        assert [s.code for s in result.scans] == ["GOT", "ARRIVAL"]
        assert result.scans[0].at == events[0].occurred_at
    single = parse(encode_event(events[1]))
    assert [normalize(s).status for s in single.scans] == [Status.at_hub]


def test_anxin_event_with_a_naive_time_is_reported() -> None:
    raw = json.loads(encode_event(_scanned(1, "GOT", "已揽收", 0)))
    raw["occurred_at"] = "2026-10-01T08:00:00"
    result = parse(json.dumps([raw]))
    assert result.kind is Kind.error
    assert "naive_timestamp" in result.errors[0]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "not json at all",
        '{"hello": "world"}',
        "[1, 2, 3]",
        "42",
        '{"nu": 5, "data": "oops"}',
        '{"trackResponse": {"shipment": [{"package": [{"activity": [{"status": 7}]}]}]}}',
        "<html><body>502 Bad Gateway</body></html>",
        "<unclosed",
        "<TrackResponse><Result><Success>true</Success></Result><Packages><Package><Events>"
        "<Event><DateTime>never</DateTime></Event></Events></Package></Packages></TrackResponse>",
        b"\xff\xfe\x00garbage",
    ],
)
def test_bad_payloads_are_errors_not_exceptions(body: str | bytes) -> None:
    result = parse(body)
    assert result.kind in (Kind.error, Kind.ok)
    assert result.scans == ()
    if result.kind is Kind.error:
        assert result.errors


def test_unknown_shape_names_its_keys() -> None:
    result = parse('{"hello": "world"}', carrier="ups")
    assert (result.kind, result.carrier) == (Kind.error, "ups")
    assert "hello" in result.errors[0]


def test_parse_file_edge(tmp_path: Path) -> None:
    missing = parse_file(tmp_path / "nope.json")
    assert missing.kind is Kind.error
    folder = tmp_path / "dhl_poland"
    folder.mkdir()
    fault = folder / "fault.xml"
    fault.write_text(
        "<Envelope><Body><Fault><faultcode>100</faultcode>"
        "<faultstring>Nieprawidlowe dane autoryzacyjne</faultstring></Fault></Body></Envelope>"
    )
    result = parse_file(fault)  # the folder names the carrier
    assert (result.kind, result.carrier) == (Kind.auth_error, "dhl_poland")
