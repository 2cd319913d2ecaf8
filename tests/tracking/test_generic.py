"""The generic extractor: events of carriers anxin has no parser for, found by shape; errors and
not-found answers by shape; a precise "no events" otherwise. Payloads here are written for the
tests in the shapes real APIs use (nested, namespaced, SOAP, single-event, batch)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from anxin.tracking import Kind, Status, normalize, parse
from anxin.tracking.parsers import generic
from anxin.tracking.reading import Context

S = Status


def test_nested_json_events_anywhere() -> None:
    payload = {
        "meta": {"code": 200, "requestId": "r-1"},
        "result": {
            "shipment": {
                "trackingNumber": "ZX123456789",
                "estimatedDelivery": "2024-03-09T18:00:00Z",
                "history": {
                    "items": [
                        {
                            "occurredAt": "2024-03-08T09:15:00+01:00",
                            "statusCode": "DLV",
                            "statusText": "Delivered to the recipient",
                            "place": {"city": "Lyon", "country": "FR"},
                        },
                        {
                            "occurredAt": "2024-03-07T06:02:00+01:00",
                            "statusCode": "HUB",
                            "statusText": "Arrived at the sorting centre",
                            "place": {"city": "Paris", "country": "FR"},
                        },
                    ]
                },
            }
        },
    }
    result = parse(json.dumps(payload))
    # No carrier named and none recognised: the scans say so.
    assert (result.kind, result.carrier, result.errors) == (Kind.ok, "generic", ())
    assert result.tracking_numbers == ("ZX123456789",)
    scans = result.scans
    assert [(s.code, s.text, s.location) for s in scans] == [
        ("DLV", "Delivered to the recipient", "Lyon, FR"),
        ("HUB", "Arrived at the sorting centre", "Paris, FR"),
    ]
    assert scans[0].at == dt.datetime(2024, 3, 8, 8, 15, tzinfo=dt.UTC)
    assert [normalize(s).status for s in scans] == [S.delivered, S.at_hub]


def test_namespaced_soap_envelope() -> None:
    payload = """<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:t="urn:example:track:v3">
  <soap:Body><t:GetTrackingResponse><t:Result>
    <t:Parcel><t:Barcode>3SXYZ0001</t:Barcode>
      <t:Scans>
        <t:Scan><t:ScanDate>2023-11-02</t:ScanDate><t:ScanTime>14:20</t:ScanTime>
          <t:Description>Zugestellt</t:Description><t:Depot>Bonn</t:Depot></t:Scan>
        <t:Scan><t:ScanDate>2023-11-02</t:ScanDate><t:ScanTime>07:45</t:ScanTime>
          <t:Description>In Zustellung</t:Description><t:Depot>Bonn</t:Depot></t:Scan>
      </t:Scans>
    </t:Parcel>
  </t:Result></t:GetTrackingResponse></soap:Body>
</soap:Envelope>"""
    result = parse(payload, tz="Europe/Berlin")
    assert result.kind is Kind.ok
    assert result.tracking_numbers == ("3SXYZ0001",)
    # A date and a clock field make one time, in the caller's zone.
    assert result.scans[0].at == dt.datetime(2023, 11, 2, 13, 20, tzinfo=dt.UTC)
    assert [normalize(s).status for s in result.scans] == [S.delivered, S.out_for_delivery]


def test_single_event_object_and_xml_attributes() -> None:
    one = parse(
        '{"parcel": "PX000123", "events": {"time": "2024-05-01 10:00", "text": "Entregado"}}'
    )
    assert (one.kind, len(one.scans)) == (Kind.ok, 1)
    assert normalize(one.scans[0]).status is S.delivered
    assert one.scans[0].at == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)  # no zone known: UTC
    attrs = parse(
        '<track id="AB1234567"><event when="2024-05-01T10:00:00-03:00" code="BDE" '
        'desc="Objeto entregue ao destinatário"/></track>'
    )
    assert (attrs.kind, attrs.scans[0].code) == (Kind.ok, "BDE")
    assert normalize(attrs.scans[0]).status is S.delivered


def test_batch_answer_keeps_each_parcel() -> None:
    payload = {
        "data": [
            {
                "tracking_number": "AAA111",
                "checkpoints": [
                    {"checkpoint_time": "2024-01-02T10:00:00Z", "message": "Out for delivery"},
                    {"checkpoint_time": "2024-01-01T10:00:00Z", "message": "In transit"},
                ],
            },
            {
                "tracking_number": "BBB222",
                "checkpoints": [
                    {"checkpoint_time": "2024-01-03T10:00:00Z", "message": "Delivered"}
                ],
            },
        ]
    }
    result = parse(json.dumps(payload))
    assert result.tracking_numbers == ("AAA111", "BBB222")
    by_number = {
        n: [s.text for s in result.scans if s.tracking_number == n] for n in ("AAA111", "BBB222")
    }
    assert by_number == {"AAA111": ["Out for delivery", "In transit"], "BBB222": ["Delivered"]}


def test_latest_status_object_is_not_a_second_event() -> None:
    payload = {
        "trackingNumber": "CC333333",
        "latestStatus": {"date": "2024-01-03T10:00:00Z", "description": "Delivered"},
        "events": [
            {"date": "2024-01-03T10:00:00Z", "description": "Delivered"},
            {"date": "2024-01-01T10:00:00Z", "description": "Picked up"},
        ],
        "dates": [{"type": "ESTIMATED_DELIVERY", "dateTime": "2024-01-04T10:00:00Z"}],
    }
    result = parse(json.dumps(payload))
    assert [s.text for s in result.scans] == ["Delivered", "Picked up"]


def test_epoch_milliseconds_and_offset_field() -> None:
    payload = {
        "waybill": "W0000001",
        "traces": [
            {"ts": 1704103200000, "remark": "Delivered"},
            {
                "eventDate": "2024-01-01",
                "eventTime": "08:30:00",
                "timezoneOffset": "+05:30",
                "eventDescription": "Out for delivery",
            },
        ],
    }
    result = parse(json.dumps(payload))
    assert result.scans[0].at == dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)
    assert result.scans[1].at == dt.datetime(2024, 1, 1, 3, 0, tzinfo=dt.UTC)
    assert result.scans[1].at.utcoffset() == dt.timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    ("payload", "kind", "message"),
    [
        ('{"status": 404, "message": "Shipment not found"}', Kind.not_found, "Shipment not found"),
        (
            '{"success": false, "error": {"code": "E42", "message": "Rate limit exceeded"}}',
            Kind.error,
            "E42: Rate limit exceeded",
        ),
        (
            '{"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": "bad key"}',
            Kind.auth_error,
            "failure status 401",
        ),
        (
            '{"result": {"errors": [{"code": "1001", "detail": "Invalid tracking number"}]}}',
            Kind.not_found,
            "1001: Invalid tracking number",
        ),
        (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            "<Response><Notifications><Severity>ERROR</Severity><Code>6035</Code>"
            "<Message>Invalid tracking numbers</Message></Notifications></Response>"
            "</soap:Body></soap:Envelope>",
            Kind.not_found,
            "6035: Invalid tracking numbers",
        ),
    ],
)
def test_error_and_not_found_shapes(payload: str, kind: Kind, message: str) -> None:
    result = parse(payload)
    assert (result.kind, result.scans) == (kind, ())
    assert message in result.errors


def test_no_events_is_a_precise_error_never_a_guess() -> None:
    for payload, where in (
        ('{"trackingNumber": "X1", "service": "Express", "weight": 2}', "keys: service"),
        ("<Shipment><Number>X1</Number><Weight>2</Weight></Shipment>", "XML payload <Shipment>"),
        # A time without a description or code, a description without a time: no event.
        ('{"events": [{"time": "2024-01-01T10:00:00Z"}, {"text": "Delivered"}]}', "keys: events"),
        # A bare date is not a time: no event invented at midnight.
        ('{"events": [{"date": "2024-01-01", "text": "Delivered"}]}', "keys: events"),
    ):
        result = parse(payload)
        assert (result.kind, result.scans) == (Kind.error, ()), payload
        assert result.errors[0].startswith("no tracking events found"), payload
        assert where in result.errors[0], payload


def test_carrier_hint_names_the_scans_and_gives_the_zone() -> None:
    payload = '{"nu": "S1", "list": [{"time": "2024-01-01 10:00:00", "desc": "已签收"}]}'
    result = generic.parse_json(json.loads(payload), Context("zto", None))
    assert result is not None
    assert (result.carrier, result.scans[0].carrier) == ("zto", "zto")
    assert result.scans[0].at.utcoffset() == dt.timedelta(hours=8)  # ZTO writes Shanghai time


def test_timed_notices_are_not_events() -> None:
    payload = '{"messages": [{"timestamp": "2025-01-18T12:00:00Z", "message": "Number unknown"}]}'
    result = parse(payload)
    assert result.kind is not Kind.ok
    assert result.errors == ("Number unknown",)


def test_other_public_api_shapes() -> None:
    """Shapes of APIs anxin has no parser for, written after their public documentation:
    EasyPost's Tracker object (https://docs.easypost.com/docs/trackers) and Royal Mail's Tracking
    API v2 events (https://developer.royalmail.net, "mailPieces.events")."""
    easypost = {
        "object": "Tracker",
        "tracking_code": "EZ1000000001",
        "status": "delivered",
        "tracking_details": [
            {
                "object": "TrackingDetail",
                "message": "Pre-Shipment Info Sent to USPS",
                "status": "pre_transit",
                "datetime": "2024-02-01T10:00:00Z",
                "tracking_location": {"city": None, "state": None, "country": None},
            },
            {
                "object": "TrackingDetail",
                "message": "Delivered, In/At Mailbox",
                "status": "delivered",
                "datetime": "2024-02-03T15:30:00Z",
                "tracking_location": {"city": "CHARLESTON", "state": "SC", "country": "US"},
            },
        ],
    }
    result = parse(json.dumps(easypost))
    assert result.tracking_numbers == ("EZ1000000001",)
    assert [(s.code, s.location) for s in result.scans] == [
        ("pre_transit", ""),
        ("delivered", "CHARLESTON, SC, US"),
    ]
    assert [normalize(s).status for s in result.scans] == [S.info_received, S.delivered]
    royal_mail = {
        "mailPieces": {
            "mailPieceId": "090367574000000FE1E1B",
            "events": [
                {
                    "eventCode": "EVKSP",
                    "eventName": "Delivered",
                    "eventDateTime": "2016-10-20T10:04:00+01:00",
                    "locationName": "Stowmarket DO",
                },
                {
                    "eventCode": "EVGPD",
                    "eventName": "Out for delivery",
                    "eventDateTime": "2016-10-20T07:12:00+01:00",
                    "locationName": "Stowmarket DO",
                },
            ],
        }
    }
    result = parse(json.dumps(royal_mail))
    assert result.tracking_numbers == ("090367574000000FE1E1B",)
    assert [normalize(s).status for s in result.scans] == [S.delivered, S.out_for_delivery]
