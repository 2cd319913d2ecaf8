"""FedEx Web Services ``TrackReply`` XML, USPS Web Tools ``TrackResponse`` XML and Kuaidi100's
success answer, read as themselves (they used to be read as Landmark with no events, or refused).

Sources of the payload shapes (values trimmed; element names, nesting and formats as published):

- FedEx: FedEx Web Services Developer Guide, Track Service (``TrackService_v14.wsdl``), sample
  ``TrackReply`` for sandbox number 794887075005 ("Track By Number_v14"), and the severity /
  notification codes it documents (9040 not found, 9080 unable to process). The request side is
  what python-fedex-devs/python-fedex ``fedex/services/track_service.py`` sends.
- USPS: USPS Web Tools User Guide, Track/Confirm API
  (https://www.usps.com/business/web-tools-apis/track-and-confirm-api.htm). The field form and
  the year-less sentence form are the guide's samples as kept by gaffneyc/usps
  ``spec/data/tracking_field_lookup.xml`` and ``spec/data/tracking_lookup_1.xml``; the Revision 1
  form with ``EventCode`` is mithereal/ex_usps ``test/usps_ex_test.exs``; the ``Error`` element
  (-2147219302) is the guide's unknown-number answer.
- Kuaidi100: the query API's documented answer (``message``, ``status``, ``state``, ``data[]``
  of ``time`` / ``ftime`` / ``context``), https://api.kuaidi100.com/document/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.tracking import Kind, Status, normalize, parse

S = Status

FEDEX_V14 = """<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
<SOAP-ENV:Header/><SOAP-ENV:Body>
<TrackReply xmlns="http://fedex.com/ws/track/v14">
  <HighestSeverity>SUCCESS</HighestSeverity>
  <Notifications><Severity>SUCCESS</Severity><Source>trck</Source><Code>0</Code>
    <Message>Request was successfully processed.</Message></Notifications>
  <TransactionDetail><CustomerTransactionId>Track By Number_v14</CustomerTransactionId>
  </TransactionDetail>
  <Version><ServiceId>trck</ServiceId><Major>14</Major><Intermediate>0</Intermediate>
    <Minor>0</Minor></Version>
  <CompletedTrackDetails>
    <HighestSeverity>SUCCESS</HighestSeverity>
    <DuplicateWaybill>false</DuplicateWaybill><MoreData>false</MoreData>
    <TrackDetails>
      <Notification><Severity>SUCCESS</Severity><Code>0</Code>
        <Message>Request was successfully processed.</Message></Notification>
      <TrackingNumber>794887075005</TrackingNumber>
      <StatusDetail><CreationTime>2016-11-17T00:00:00</CreationTime><Code>DL</Code>
        <Description>Delivered</Description></StatusDetail>
      <CarrierCode>FDXE</CarrierCode>
      <Events>
        <Timestamp>2016-11-18T10:12:00-07:00</Timestamp><EventType>DL</EventType>
        <EventDescription>Delivered</EventDescription>
        <Address><City>DENVER</City><StateOrProvinceCode>CO</StateOrProvinceCode>
          <CountryCode>US</CountryCode><Residential>false</Residential></Address>
      </Events>
      <Events>
        <Timestamp>2016-11-18T08:05:00-07:00</Timestamp><EventType>OD</EventType>
        <EventDescription>On FedEx vehicle for delivery</EventDescription>
        <Address><City>DENVER</City><StateOrProvinceCode>CO</StateOrProvinceCode></Address>
      </Events>
      <Events>
        <Timestamp>2016-11-17T03:13:01-06:00</Timestamp><EventType>OC</EventType>
        <EventDescription>Shipment information sent to FedEx</EventDescription>
        <Address><Residential>false</Residential></Address>
        <ArrivalLocation>CUSTOMER</ArrivalLocation>
      </Events>
    </TrackDetails>
  </CompletedTrackDetails>
</TrackReply></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def test_fedex_trackreply_is_fedex_with_its_events() -> None:
    result = parse(FEDEX_V14)
    assert (result.kind, result.carrier, result.errors) == (Kind.ok, "fedex", ())
    assert result.tracking_numbers == ("794887075005",)
    events = [normalize(s) for s in result.scans]
    assert [(e.code, e.status) for e in events] == [
        ("DL", S.delivered),
        ("OD", S.out_for_delivery),
        ("OC", S.info_received),
    ]
    assert result.scans[0].at == dt.datetime(2016, 11, 18, 17, 12, tzinfo=dt.UTC)
    assert result.scans[0].location == "DENVER, CO, US"


def test_fedex_trackreply_bare_and_older_generation() -> None:
    # Before v10 the parcels sat directly under TrackReply, and some clients unwrap SOAP.
    body = FEDEX_V14.split("<SOAP-ENV:Body>")[1].split("</SOAP-ENV:Body>")[0]
    older = body.replace("<CompletedTrackDetails>", "").replace("</CompletedTrackDetails>", "")
    for payload in (body, older.replace("/track/v14", "/track/v5")):
        result = parse(payload)
        assert (result.kind, result.carrier, len(result.scans)) == (Kind.ok, "fedex", 3)


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        (
            "9040",
            "This tracking number cannot be found. Please check the number or contact the sender.",
            Kind.not_found,
        ),
        ("9080", "Sorry, we are unable to process your tracking request.", Kind.error),
    ],
)
def test_fedex_failing_notification(code: str, text: str, kind: Kind) -> None:
    payload = (
        '<TrackReply xmlns="http://fedex.com/ws/track/v12"><HighestSeverity>SUCCESS'
        "</HighestSeverity><CompletedTrackDetails><HighestSeverity>SUCCESS</HighestSeverity>"
        "<TrackDetails><Notification><Severity>FAILURE</Severity><Source>trck</Source>"
        f"<Code>{code}</Code><Message>{text}</Message></Notification>"
        "<TrackingNumber>741234208628</TrackingNumber></TrackDetails></CompletedTrackDetails>"
        "</TrackReply>"
    )
    result = parse(payload)
    assert (result.kind, result.carrier, result.scans) == (kind, "fedex", ())
    assert result.errors == (f"{code}: {text}",)


USPS_FIELDS = """<?xml version="1.0"?>
<TrackResponse>
  <TrackInfo ID="01805213907042762274">
    <TrackSummary>
      <EventTime>12:12 pm</EventTime><EventDate>May 21, 2001</EventDate>
      <Event>DELIVERED</Event><EventCity>NEWTON</EventCity><EventState>IA</EventState>
      <EventZIPCode>50208</EventZIPCode><EventCountry/><FirmName></FirmName><Name></Name>
    </TrackSummary>
    <TrackDetail>
      <EventTime>9:24 pm</EventTime><EventDate>March 28, 2001</EventDate>
      <Event>ENROUTE</Event><EventCity>DES MOINES</EventCity><EventState>IA</EventState>
      <EventZIPCode>50395</EventZIPCode><EventCountry/>
    </TrackDetail>
    <TrackDetail>
      <EventTime>10:00 pm</EventTime><EventDate>March 27, 2001</EventDate>
      <Event>ACCEPTANCE</Event><EventCity>BLAINE</EventCity><EventState>WA</EventState>
      <EventZIPCode>98231</EventZIPCode><EventCountry/>
    </TrackDetail>
  </TrackInfo>
</TrackResponse>"""

USPS_REVISION_1 = """<?xml version="1.0" encoding="UTF-8"?>
<TrackResponse><TrackInfo ID="123456"><ClassOfMailCode>PM</ClassOfMailCode>
<ExpectedDeliveryDate>March 9, 2020</ExpectedDeliveryDate>
<Status>Arrived at USPS Regional Origin Facility</Status><StatusCategory>In Transit</StatusCategory>
<TrackSummary><EventTime>2:19 am</EventTime><EventDate>March 6, 2020</EventDate>
<Event>Arrived at USPS Regional Origin Facility</Event>
<EventCity>SAN DIEGO CA NETWORK DISTRIBUTION CENTER</EventCity><EventState/><EventZIPCode/>
<AuthorizedAgent>false</AuthorizedAgent><EventCode>10</EventCode></TrackSummary>
<TrackDetail><EventTime>1:19 am</EventTime><EventDate>March 6, 2020</EventDate>
<Event>Accepted at USPS Regional Facility</Event><EventCity>SAN DIEGO</EventCity>
<EventCode>UA</EventCode></TrackDetail>
<TrackDetail><EventTime>11:50 pm</EventTime><EventDate>March 5, 2020</EventDate>
<Event>Shipping Label Created, USPS Awaiting Item</Event><EventCity>SAN DIEGO</EventCity>
<EventState>CA</EventState><EventZIPCode>92101</EventZIPCode><EventCode>GX</EventCode>
</TrackDetail></TrackInfo></TrackResponse>"""


def test_usps_field_form() -> None:
    result = parse(USPS_FIELDS)
    assert (result.kind, result.carrier) == (Kind.ok, "usps")
    assert result.tracking_numbers == ("01805213907042762274",)
    events = [normalize(s) for s in result.scans]
    assert [(e.text, e.status) for e in events] == [
        ("DELIVERED", S.delivered),
        ("ENROUTE", S.in_transit),
        ("ACCEPTANCE", S.picked_up),
    ]
    # Offset-less local times in USPS's registered zone (Eastern).
    assert result.scans[0].at == dt.datetime(2001, 5, 21, 16, 12, tzinfo=dt.UTC)
    assert result.scans[0].location == "NEWTON, IA, 50208"


def test_usps_revision_1_codes_decide() -> None:
    result = parse(USPS_REVISION_1, tz="America/Los_Angeles")
    events = [normalize(s) for s in result.scans]
    assert [(e.code, e.status) for e in events] == [
        ("10", S.at_hub),
        ("UA", S.picked_up),  # not in the table: the text decides ("Accepted at …")
        ("GX", S.info_received),
    ]
    assert result.scans[2].at == dt.datetime(2020, 3, 6, 7, 50, tzinfo=dt.UTC)


def test_usps_sentence_form() -> None:
    payload = (
        '<TrackResponse><TrackInfo ID="9205590000000000000001"><TrackSummary>Your item was '
        "delivered in or at the mailbox at 2:58 pm on July 14, 2020 in JERICHO, NY 11753."
        "</TrackSummary><TrackDetail>Out for Delivery, 07/14/2020, 7:10 am, JERICHO, NY 11753"
        "</TrackDetail><TrackDetail>Arrived at Post Office, July 14, 2020, 5:05 am, HICKSVILLE, "
        "NY 11801</TrackDetail></TrackInfo></TrackResponse>"
    )
    result = parse(payload)
    events = [normalize(s) for s in result.scans]
    assert [(e.status, e.location) for e in events] == [
        (S.delivered, "JERICHO, NY 11753"),
        (S.out_for_delivery, "JERICHO, NY 11753"),
        (S.in_transit, "HICKSVILLE, NY 11801"),
    ]
    assert result.scans[1].at.hour == 7


def test_usps_sentences_without_a_year_are_not_dated_by_a_guess() -> None:
    payload = (
        '<?xml version="1.0"?><TrackResponse><TrackInfo ID="EJ958083578US"><TrackSummary>Your '
        "item was delivered at 8:10 am on June 1 in Wilmington DE 19801.</TrackSummary>"
        "<TrackDetail>May 30 11:07 am NOTICE LEFT WILMINGTON DE 19801.</TrackDetail>"
        "<TrackDetail>May 30 10:08 am ARRIVAL AT UNIT WILMINGTON DE 19850.</TrackDetail>"
        "<TrackDetail>May 29 9:55 am ACCEPT OR PICKUP EDGEWATER NJ 07020.</TrackDetail>"
        "</TrackInfo></TrackResponse>"
    )
    result = parse(payload)
    assert (result.kind, result.carrier, result.scans) == (Kind.error, "usps", ())
    assert result.errors == ("4 event(s) without a readable date and time left out",)


def test_usps_unknown_number_and_request_error() -> None:
    not_found = parse(
        '<TrackResponse><TrackInfo ID="9400110200793563795219"><Error><Number>-2147219302'
        "</Number><Description>The tracking number may be incorrect or the status update is not "
        "yet available. Please verify your tracking number and try again later.</Description>"
        "<HelpFile/><HelpContext/></Error></TrackInfo></TrackResponse>"
    )
    assert (not_found.kind, not_found.carrier) == (Kind.not_found, "usps")
    assert not_found.errors[0].startswith("-2147219302: The tracking number may be incorrect")
    refused = parse(
        "<Error><Number>80040B1A</Number><Description>Authorization failure.  Perhaps username "
        "and/or password is incorrect.</Description><Source>USPSCOM::DoAuth</Source></Error>"
    )
    assert (refused.kind, refused.carrier) == (Kind.auth_error, "usps")


def test_landmark_keeps_its_trackresponse() -> None:
    payload = (
        "<TrackResponse><Result><Success>true</Success></Result><Packages><Package>"
        "<TrackingNumber>LTN1</TrackingNumber><Events><Event><DateTime>2024-01-02 10:00:00"
        "</DateTime><EventCode>500</EventCode><Status>Item successfully delivered</Status>"
        "</Event></Events></Package></Packages></TrackResponse>"
    )
    result = parse(payload)
    assert (result.kind, result.carrier, len(result.scans)) == (Kind.ok, "landmark", 1)


KUAIDI100_OK = """{"message": "ok", "status": "200", "state": "3", "ischeck": "1",
"data": [
  {"time": "2020-04-21 14:21:09", "ftime": "2020-04-21 14:21:09",
   "context": "已签收，签收人是【本人】", "location": ""},
  {"time": "2020-04-21 08:01:00", "ftime": "2020-04-21 08:01:00",
   "context": "快件正在派送中，派送员：王师傅", "location": ""}
]}"""


def test_kuaidi100_ok_200_is_success() -> None:
    result = parse(KUAIDI100_OK)
    assert (result.kind, result.carrier, result.errors) == (Kind.ok, "kuaidi100", ())
    assert [normalize(s).status for s in result.scans] == [S.delivered, S.out_for_delivery]
    assert result.scans[0].at.utcoffset() == dt.timedelta(hours=8)  # Chinese feeds: Shanghai


def test_kuaidi100_with_nu_and_com_and_failure_unchanged() -> None:
    full = parse(KUAIDI100_OK.replace('"state"', '"nu": "YT9", "com": "yuantong", "state"'))
    assert (full.kind, full.carrier, full.tracking_numbers) == (Kind.ok, "yto", ("YT9",))
    failed = parse('{"message": "单号不存在", "status": "400", "state": "0", "data": []}')
    assert (failed.kind, failed.scans) == (Kind.not_found, ())
