"""``summarize``: overall status, has_left / has_arrived, first pickup and hub times, ordering,
offsets kept as given."""

from __future__ import annotations

import datetime as dt

from anxin.tracking import RawScan, Reason, Status, TrackingEvent, normalize, summarize
from anxin.tracking.vocabulary import fault_of

S = Status
CN = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, tz: dt.tzinfo = CN) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, 0, tzinfo=tz)


def ev(status: Status, when: dt.datetime, reason: Reason | None = None) -> TrackingEvent:
    return TrackingEvent(when, status, reason, fault_of(reason), "", "", status.value, "sf")


def test_happy_path_in_any_order() -> None:
    events = [
        ev(S.delivered, at(3, 11)),
        ev(S.info_received, at(1, 9)),
        ev(S.at_hub, at(1, 20)),
        ev(S.picked_up, at(1, 15)),
        ev(S.out_for_delivery, at(3, 8)),
        ev(S.in_transit, at(2, 2)),
        ev(S.at_hub, at(2, 18)),
    ]
    s = summarize(events)
    assert (s.status, s.reason, s.has_left, s.has_arrived) == (S.delivered, None, True, True)
    assert s.first_pickup_at == at(1, 15)
    assert s.first_hub_at == at(1, 20)
    assert s.last_event_at == at(3, 11)
    assert [e.at for e in s.events] == sorted(e.at for e in events)
    assert s.first_pickup_at is not None
    assert s.first_pickup_at.isoformat() == "2026-10-01T15:00:00+08:00"  # offset kept


def test_through_normalize_with_chinese_scans() -> None:
    scans = [
        RawScan("zto", "7300", at(1, 9), "", "【杭州市】的快递员李师傅已揽收"),
        RawScan("zto", "7300", at(1, 23), "", "快件已到达【杭州转运中心】"),
        RawScan("zto", "7300", at(2, 4), "", "快件离开【杭州转运中心】已发往【上海转运中心】"),
        RawScan("zto", "7300", at(2, 16), "", "快件在【上海转运中心】滞留，原因：天气原因"),
    ]
    s = summarize(normalize(x) for x in scans)
    assert (s.status, s.reason, s.has_left, s.has_arrived) == (
        S.exception,
        Reason.weather,
        True,
        False,
    )
    assert (s.first_pickup_at, s.first_hub_at, s.last_event_at) == (at(1, 9), at(1, 23), at(2, 16))


def test_delivered_sticks_and_unknown_says_nothing() -> None:
    s = summarize(
        [
            ev(S.picked_up, at(1, 9)),
            ev(S.delivered, at(2, 9)),
            ev(S.in_transit, at(2, 10)),
            ev(S.unknown, at(2, 11)),
        ]
    )
    assert s.status is S.delivered
    assert s.last_event_at == at(2, 11)


def test_a_return_after_delivery_counts() -> None:
    s = summarize([ev(S.delivered, at(2, 9)), ev(S.returning, at(4, 9), Reason.refused)])
    assert (s.status, s.reason, s.has_arrived) == (S.returning, Reason.refused, True)


def test_late_electronic_notice_does_not_undo_pickup() -> None:
    s = summarize([ev(S.picked_up, at(1, 9)), ev(S.info_received, at(1, 10))])
    assert (s.status, s.has_left) == (S.picked_up, True)


def test_incident_then_progress() -> None:
    hold = ev(S.exception, at(2, 9), Reason.held)
    assert summarize([ev(S.at_hub, at(1, 9)), hold]).status is S.exception
    resumed = summarize([ev(S.at_hub, at(1, 9)), hold, ev(S.in_transit, at(3, 9))])
    assert (resumed.status, resumed.reason) == (S.in_transit, None)


def test_nothing_yet() -> None:
    empty = summarize([])
    assert (empty.status, empty.has_left, empty.has_arrived) == (S.pending, False, False)
    assert (empty.first_pickup_at, empty.first_hub_at, empty.last_event_at) == (None, None, None)
    label = summarize([ev(S.info_received, at(1, 9))])
    assert (label.status, label.has_left, label.first_pickup_at) == (S.info_received, False, None)


def test_failed_pickup_is_not_leaving() -> None:
    s = summarize([ev(S.exception, at(1, 9), Reason.not_ready)])
    assert (s.status, s.has_left) == (S.exception, False)
    later = summarize([ev(S.exception, at(1, 9), Reason.not_ready), ev(S.picked_up, at(2, 9))])
    assert (later.status, later.has_left, later.first_pickup_at) == (S.picked_up, True, at(2, 9))


def test_first_pickup_without_a_pickup_scan_is_the_first_movement() -> None:
    s = summarize([ev(S.info_received, at(1, 8)), ev(S.at_hub, at(1, 20))])
    assert (s.first_pickup_at, s.first_hub_at) == (at(1, 20), at(1, 20))


def test_locker_is_not_arrival() -> None:
    s = summarize([ev(S.out_for_delivery, at(2, 8)), ev(S.ready_for_pickup, at(2, 11))])
    assert (s.status, s.has_arrived, s.has_left) == (S.ready_for_pickup, False, True)


def test_mixed_offsets_sort_by_instant_and_keep_their_offsets() -> None:
    utc_scan = ev(S.at_hub, dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC))  # 11:00 in China
    cn_scan = ev(S.picked_up, at(1, 10))  # 02:00 UTC: earlier
    s = summarize([utc_scan, cn_scan])
    assert [e.status for e in s.events] == [S.picked_up, S.at_hub]
    assert [e.at.isoformat() for e in s.events] == [
        "2026-10-01T10:00:00+08:00",
        "2026-10-01T03:00:00+00:00",
    ]
    assert s.last_event_at is utc_scan.at
