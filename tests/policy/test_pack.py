"""Policy packs: the built-in book, which version is in force when, and precise load errors."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from anxin.application import rule_schemas
from anxin.guarantees.rules.late_shipment import LateShipmentConfig
from anxin.policy.pack import (
    NoPolicyInForce,
    PolicyBook,
    PolicyError,
    load_book,
    load_pack_file,
    parse_pack,
)

CST = dt.timezone(dt.timedelta(hours=8))
US = dt.timedelta(microseconds=1)

# ---------------------------------------------------------------- the built-in book


def test_builtin_douyin_book_loads() -> None:
    book = load_book("douyin", rule_schemas())
    assert book.name == "douyin"
    assert [v.version for v in book.versions] == ["2025-09-29", "2026-08-10"]
    assert book.latest.version == "2026-08-10"
    for pack in book.versions:
        assert pack.currency == "CNY"
        assert pack.calendar.timezone == "Asia/Shanghai"
        config = pack.rule("late_shipment")
        assert isinstance(config, LateShipmentConfig)
        assert config.lateness_tiers_hours == [0, 48]
        assert [c.up_to_hours for c in config.promise_classes] == [48, 240, None]
        assert pack.rule("no_such_rule") is None


FIRST = dt.datetime(2025, 9, 29, tzinfo=CST)
SECOND = dt.datetime(2026, 8, 10, tzinfo=CST)


@pytest.mark.parametrize(
    ("at", "version"),
    [
        pytest.param(FIRST, "2025-09-29", id="exactly-at-first"),
        pytest.param(SECOND - US, "2025-09-29", id="one-us-before-second"),
        pytest.param(SECOND, "2026-08-10", id="exactly-at-second"),
        pytest.param(SECOND.astimezone(dt.UTC), "2026-08-10", id="second-same-instant-in-utc"),
        pytest.param(
            dt.datetime(2026, 8, 9, 16, 0, tzinfo=dt.UTC) - US, "2025-09-29", id="utc-one-us-before"
        ),
        pytest.param(dt.datetime(2099, 1, 1, tzinfo=CST), "2026-08-10", id="far-future"),
    ],
)
def test_in_force_picks_the_latest_version_started_at_or_before(
    book: PolicyBook, at: dt.datetime, version: str
) -> None:
    assert book.in_force(at).version == version


def test_in_force_before_the_first_version_raises(book: PolicyBook) -> None:
    with pytest.raises(NoPolicyInForce, match="no version in force"):
        book.in_force(FIRST - US)


def test_in_force_refuses_a_naive_instant(book: PolicyBook) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        book.in_force(dt.datetime(2026, 9, 1, 12, 0))  # noqa: DTZ001


def test_version_lookup(book: PolicyBook) -> None:
    assert book.version("2025-09-29").effective_from == FIRST
    with pytest.raises(NoPolicyInForce, match="no version '1999'"):
        book.version("1999")


# ---------------------------------------------------------------- invalid packs

VALID: dict[str, Any] = {
    "pack": "testpack",
    "version": "v1",
    "effective_from": dt.datetime(2026, 1, 1, tzinfo=CST),
    "currency": "CNY",
    "calendar": {
        "timezone": "Asia/Shanghai",
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "working_hours": ["09:00", "18:00"],
    },
    "rules": {
        "late_shipment": {
            "default_promise": "next_day",
            "same_day_cutoff": "16:00",
            "lateness_tiers_hours": [0, 48],
            "promise_classes": [
                {"up_to_hours": 48, "payouts": [None, {"percent": 1, "min": 2, "max": 50}]},
                {
                    "up_to_hours": None,
                    "payouts": [
                        {"percent": 1, "min": 3, "max": 50},
                        {"percent": 5, "min": 5, "max": 50},
                    ],
                },
            ],
        }
    },
}


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def _doc(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    document.update(changes)
    return document


def _ls(document: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = document["rules"]["late_shipment"]
    return section


def _payout(document: dict[str, Any]) -> dict[str, Any]:
    payout: dict[str, Any] = _ls(document)["promise_classes"][0]["payouts"][1]
    return payout


Breaker = Callable[[dict[str, Any]], None]

INVALID: list[Any] = [
    pytest.param(
        lambda d: d.pop("pack"), "pack", "missing required field `pack`", id="missing-pack"
    ),
    pytest.param(lambda d: d.update(pack="Douyin-X"), "pack", "matching regex", id="bad-pack-name"),
    pytest.param(
        lambda d: d.update(effective_from=dt.datetime(2026, 1, 1)),  # noqa: DTZ001
        "effective_from",
        "timezone",
        id="naive-effective-from",
    ),
    pytest.param(
        lambda d: d.update(currency="XYZ"),
        "currency",
        "unknown currency 'XYZ'",
        id="unknown-currency",
    ),
    pytest.param(
        lambda d: d["calendar"].update(timezone="Mars/Olympus"),
        "calendar",
        "unknown IANA timezone 'Mars/Olympus'",
        id="bad-timezone",
    ),
    pytest.param(
        lambda d: d["calendar"].update(working_hours=["18:00", "09:00"]),
        "calendar.working_hours",
        "end must be after start",
        id="working-hours-end-before-start",
    ),
    pytest.param(
        lambda d: d["calendar"].update(working_hours=["09:00", "09:00"]),
        "calendar.working_hours",
        "end must be after start",
        id="working-hours-empty",
    ),
    pytest.param(
        lambda d: d["calendar"].update(working_days=["mon", "funday"]),
        "calendar.working_days[1]",
        "matching regex",
        id="bad-weekday",
    ),
    pytest.param(
        lambda d: d.update(owner="me"),
        "(top level)",
        "unknown field `owner`",
        id="unknown-top-level-key",
    ),
    pytest.param(
        lambda d: d["rules"].update(late_delivery={}),
        "rules.late_delivery",
        "no such rule (known: ",
        id="unknown-rule-section",
    ),
    pytest.param(
        lambda d: _ls(d).update(lateness_tiers_hours=[24, 48]),
        "rules.late_shipment",
        "must start at 0",
        id="tiers-not-starting-at-0",
    ),
    pytest.param(
        lambda d: _ls(d).update(lateness_tiers_hours=[0, 48, 48]),
        "rules.late_shipment",
        "increase strictly",
        id="tiers-repeat",
    ),
    pytest.param(
        lambda d: _ls(d)["promise_classes"][-1].update(up_to_hours=240),
        "rules.late_shipment",
        "must end with a class whose up_to_hours is null",
        id="classes-not-ending-with-null",
    ),
    pytest.param(
        lambda d: _ls(d)["promise_classes"][0]["payouts"].pop(),
        "rules.late_shipment",
        "has 1 payouts for 2 lateness tiers",
        id="payouts-count-differs-from-tiers",
    ),
    pytest.param(
        lambda d: _payout(d).update(percent="one"),
        "rules.late_shipment.promise_classes[0].payouts[1].percent",
        "matching regex",
        id="percent-not-a-number",
    ),
    pytest.param(
        lambda d: _payout(d).update(percent=-1),
        "rules.late_shipment",
        "percent must be >= 0",
        id="percent-negative",
    ),
    pytest.param(
        lambda d: _payout(d).update(cap=3),
        "rules.late_shipment.promise_classes[0].payouts[1]",
        "unknown field `cap`",
        id="unknown-key-in-payout",
    ),
    pytest.param(
        lambda d: _payout(d).update(min=60),
        "rules.late_shipment",
        "max must be >= min",
        id="payout-min-above-max",
    ),
    pytest.param(
        lambda d: _payout(d).update(min="2.005"),
        "rules.late_shipment",
        "more decimals than CNY allows",
        id="payout-min-below-a-fen",
    ),
    pytest.param(
        lambda d: _ls(d).update(default_promise="whenever"),
        "rules.late_shipment.default_promise",
        "Invalid enum value 'whenever'",
        id="bad-default-promise",
    ),
    pytest.param(lambda d: d.clear(), "pack", "missing required field", id="empty-mapping"),
]


def test_the_valid_document_is_valid(tmp_path: Path) -> None:
    pack = load_pack_file(_write(tmp_path / "v1.yaml", _doc()), rule_schemas())
    assert (pack.name, pack.version, pack.file) == ("testpack", "v1", str(tmp_path / "v1.yaml"))
    assert isinstance(pack.rule("late_shipment"), LateShipmentConfig)


@pytest.mark.parametrize(("breaker", "key", "why"), INVALID)
def test_invalid_pack_names_file_key_and_why(
    tmp_path: Path, breaker: Breaker, key: str, why: str
) -> None:
    document = _doc()
    breaker(document)
    path = _write(tmp_path / "broken.yaml", document)
    with pytest.raises(PolicyError) as caught:
        load_pack_file(path, rule_schemas())
    err = caught.value
    assert (err.file, err.key) == (str(path), key)
    assert why in err.why
    assert str(err).startswith(f"{path}: {key}: ")


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        pytest.param("pack: [unclosed\n", "(syntax)", "expected ',' or ']'", id="yaml-syntax"),
        pytest.param(
            "pack: a\n\tversion: b\n", "(syntax)", "cannot start any token", id="yaml-tab"
        ),
        pytest.param("", "(top level)", "must be a mapping", id="empty-file"),
        pytest.param("- a\n- b\n", "(top level)", "must be a mapping", id="a-list"),
    ],
)
def test_unreadable_pack_file(tmp_path: Path, text: str, key: str, why: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(PolicyError) as caught:
        load_pack_file(path, rule_schemas())
    assert caught.value.key == key
    assert why in caught.value.why
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_parse_pack_refuses_a_non_mapping() -> None:
    with pytest.raises(PolicyError, match=r"^mem: \(top level\): a pack file must be a mapping$"):
        parse_pack(["pack"], "mem", rule_schemas())


# ---------------------------------------------------------------- books of versions


def _book_dir(tmp_path: Path, *documents: dict[str, Any]) -> Path:
    folder = tmp_path / "mypack"
    folder.mkdir()
    for i, document in enumerate(documents):
        _write(folder / f"{i:02d}.yaml", document)
    return folder


@pytest.mark.parametrize(
    ("second", "key", "why"),
    [
        pytest.param(
            _doc(version="v2"), "effective_from", "same instant as", id="same-effective-from"
        ),
        pytest.param(
            _doc(version="v2", effective_from=dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)),
            "effective_from",
            "same instant as",
            id="same-instant-other-offset",
        ),
        pytest.param(
            _doc(effective_from=dt.datetime(2026, 6, 1, tzinfo=CST)),
            "version",
            "version 'v1' also in",
            id="same-version-string",
        ),
        pytest.param(
            _doc(
                pack="otherpack", version="v2", effective_from=dt.datetime(2026, 6, 1, tzinfo=CST)
            ),
            "pack",
            "mixed packs in one book",
            id="mixed-packs",
        ),
    ],
)
def test_conflicting_versions_in_one_book(
    tmp_path: Path, second: dict[str, Any], key: str, why: str
) -> None:
    folder = _book_dir(tmp_path, _doc(), second)
    with pytest.raises(PolicyError) as caught:
        load_book(folder, rule_schemas())
    assert caught.value.key == key
    assert why in caught.value.why
    assert str(caught.value).startswith(str(folder))


def test_load_book_from_a_directory_of_versions(tmp_path: Path) -> None:
    later = dt.datetime(2026, 6, 1, tzinfo=CST)
    # file names sort against effective dates: the book orders by effective_from, not by name
    folder = _book_dir(tmp_path, _doc(version="v2", effective_from=later), _doc())
    (folder / "notes.txt").write_text("not a version", "utf-8")
    book = load_book(folder, rule_schemas())
    assert book.name == "testpack"
    assert [v.version for v in book.versions] == ["v1", "v2"]
    assert book.in_force(later - US).version == "v1"
    assert book.in_force(later).version == "v2"
    with pytest.raises(NoPolicyInForce):
        book.in_force(dt.datetime(2026, 1, 1, tzinfo=CST) - US)
    single = load_book(folder / "01.yaml", rule_schemas())
    assert [v.version for v in single.versions] == ["v1"]
    assert load_book(str(folder), rule_schemas()).latest.version == "v2"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        pytest.param(
            lambda p: p / "missing",
            "no such pack or path (built-in: amazon, douyin",
            id="no-such-pack",
        ),
        pytest.param(lambda p: p, "holds no *.yaml version files", id="empty-directory"),
    ],
)
def test_load_book_refuses(tmp_path: Path, make: Callable[[Path], Path], why: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_book(make(tmp_path), rule_schemas())
    assert caught.value.key == "(pack)"
    assert why in caught.value.why


def test_a_book_needs_a_version() -> None:
    with pytest.raises(ValueError, match="at least one version"):
        PolicyBook([])


def test_policy_imports_no_capability() -> None:
    """The loader learns rule schemas from the composition root, never by importing rules."""
    import subprocess
    import sys

    code = (
        "import sys, anxin.policy.pack as p; "
        "print(sorted(m for m in sys.modules if m.startswith(('anxin.guarantees', 'anxin.score',"
        " 'anxin.engine', 'anxin.application'))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"


def test_a_section_without_a_schema_is_refused(tmp_path: Path) -> None:
    """With no schemas handed over, a pack's rule sections are unknown, not silently kept."""
    with pytest.raises(PolicyError, match="no such rule"):
        load_book("douyin", {})
