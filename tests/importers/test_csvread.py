"""CSV reading and cell parsing for exports: dates in a zone, exact money, tolerant files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from anxin.importers.csvread import (
    Accounts,
    ExportError,
    FieldError,
    end_of_local_day,
    parse_local,
    parse_minor,
    read_csv,
)

SP = ZoneInfo("America/Sao_Paulo")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        pytest.param("2018-06-04 10:15:00", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="iso"),
        pytest.param("2018-06-04 10:15", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="no-sec"),
        pytest.param("2018-06-04T10:15:07", dt.datetime(2018, 6, 4, 13, 15, 7, tzinfo=UTC), id="T"),
        pytest.param("2000-01-01 00:00:00", dt.datetime(2000, 1, 1, 2, 0, tzinfo=UTC), id="y2k"),
        pytest.param("2018-06-04", dt.datetime(2018, 6, 4, 3, 0, tzinfo=UTC), id="date-only"),
        pytest.param("6/4/2018 10:15", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="m-d-y"),
        pytest.param("06/04/2018 9:05:30", dt.datetime(2018, 6, 4, 12, 5, 30, tzinfo=UTC),
                     id="m-d-y-s"),
        pytest.param("12/31/2017", dt.datetime(2017, 12, 31, 2, 0, tzinfo=UTC), id="m-d-y-date"),
        # Brazilian summer time (UTC-2) until 2018-02-18 and from 2017-10-15.
        pytest.param("2017-02-10 10:19:10", dt.datetime(2017, 2, 10, 12, 19, 10, tzinfo=UTC),
                     id="dst"),
        # The repeated hour at the end of DST and the skipped one at its start: fold=0, stably.
        pytest.param("2018-02-17 23:30:00", dt.datetime(2018, 2, 18, 1, 30, tzinfo=UTC),
                     id="repeated"),
        pytest.param("2017-10-15 00:30:00", dt.datetime(2017, 10, 15, 3, 30, tzinfo=UTC),
                     id="skipped"),
    ],
)  # fmt: skip
def test_local_times_become_aware_instants(text: str, utc: dt.datetime) -> None:
    at = parse_local(text, SP)
    assert at.tzinfo is not None
    assert at == utc


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("31/12/2017 10:00", "unparseable_date", id="day-first"),
        pytest.param("2017-02-30 10:00:00", "unparseable_date", id="no-such-day"),
        pytest.param("2017-10-31 25:00:00", "unparseable_date", id="hour-25"),
        pytest.param("yesterday", "unparseable_date", id="words"),
        pytest.param("20171031", "unparseable_date", id="basic-iso"),
        pytest.param("2017-10-31 10:00:00+00:00", "unparseable_date", id="offset"),
        pytest.param("1999-12-31 20:59:59", "absurd_date", id="before-2000"),
        pytest.param("2100-01-01 00:00:00", "absurd_date", id="after-2099"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_local(text, SP)
    assert caught.value.reason == reason
    assert repr(text) in str(caught.value)


def test_a_date_only_promise_lasts_to_the_end_of_its_local_day() -> None:
    midnight = parse_local("2018-06-20 00:00:00", SP)
    assert end_of_local_day(midnight, SP) == dt.datetime(2018, 6, 21, 2, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "centavos"),
    [("179.49", 17949), ("0", 0), ("12", 1200), ("12.5", 1250), ("8.150", 815), (".99", 99)],
)
def test_amounts_are_exact_centavos(text: str, centavos: int) -> None:
    assert parse_minor(text, "price_not_a_number") == centavos


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12,50", "not a decimal number"),
        ("R$ 5", "not a decimal number"),
        ("1e3", "not a decimal number"),
        ("NaN", "not a decimal number"),
        ("", "not a decimal number"),
        ("-1.00", "negative"),
        ("0.001", "fractions of a minor unit"),
    ],
)
def test_bad_amounts_are_refused(text: str, why: str) -> None:
    with pytest.raises(FieldError, match=why) as caught:
        parse_minor(text, "price_not_a_number")
    assert caught.value.reason == "price_not_a_number"


def test_reader_tolerates_bom_crlf_quotes_blank_lines_and_latin1(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b"\xef\xbb\xbfId ,Text,Extra\r\n"
        b'1,"two\r\nlines",x\r\n'
        b"\r\n"
        b"2,n\xe3o,y\r\n"  # Latin-1 on one line of a UTF-8 file
        b"3,n\xc3\xa3o,z\r\n"
        b"4,too,many,cells\r\n"
        b"5,short\r\n"
    )
    table = read_csv(path, ["id"], ["text", "absent"])
    assert [(r.line, r.get("id"), r.get("text"), r.get("absent")) for r in table.rows] == [
        (2, "1", "two\r\nlines", ""),
        (5, "2", "não", ""),
        (6, "3", "não", ""),
    ]
    assert table.malformed == [
        (7, "4 fields, the header has 3"),
        (8, "2 fields, the header has 3"),
    ]
    assert (table.read, table.latin1_lines) == (5, 1)


def test_reader_accepts_aliases_and_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sellers.csv"
    path.write_text("seller_id,seler_city\ns1,Campinas\n", "utf-8")
    table = read_csv(path, ["seller_id"], ["seller_city"], {"seller_city": ["seler_city"]})
    assert table.rows[0].get("seller_city") == "Campinas"
    with pytest.raises(ExportError, match=r"^sellers.csv: missing column `seller_state` \("):
        read_csv(path, ["seller_id", "seller_state"])


def test_reader_reports_bad_quoting_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,2\n3,"x"y\n4,5\n6,"open\n7,8\n', "utf-8")
    table = read_csv(path, ["a"])
    assert [(r.line, r.get("a")) for r in table.rows] == [(2, "1"), (4, "4")]
    assert [line for line, _ in table.malformed] == [3, 5]
    assert all("bad CSV quoting" in why for _, why in table.malformed)


def test_accounts_refuse_to_lose_or_double_count_a_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n2\n", "utf-8")
    table = read_csv(path, ["a"])
    accounts = Accounts()
    accounts.add_table(table)
    accounts.use(table.rows[0])
    with pytest.raises(AssertionError, match="1 used and 0 skipped"):
        accounts.check()
    with pytest.raises(AssertionError, match="accounted twice"):
        accounts.skip(table.rows[0], "again")
    accounts.skip(table.rows[1], "why", "detail")
    accounts.check()
    assert accounts.skipped_by_reason() == {"why": 1}
