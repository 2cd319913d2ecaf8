"""Pure parts: the retry schedule, topics, envelope, message schemas (docs not stale)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from anxin.delivery import messages
from anxin.delivery.backoff import (
    SECOND_US,
    DeliveryConfig,
    RetrySchedule,
    cap_us,
    retry_delay_us,
)
from anxin.delivery.envelope import check_secret, envelope_bytes, new_secret, signed_headers
from anxin.delivery.topics import TOPICS, UnknownTopic, parse_types, wants
from tests.delivery.helpers import T0

DOCS = Path(__file__).resolve().parents[2] / "docs" / "messages"
S = SECOND_US
DEFAULT = RetrySchedule()


@pytest.mark.parametrize(
    ("attempts", "low_s", "high_s"),
    [
        (1, 1, 30),  # after the first failure: up to 30 s (full jitter, 1 s floor)
        (2, 1, 120),
        (3, 1, 480),
        (4, 1, 1_920),
        (5, 1, 7_680),
        (6, 1, 30_720),
        (7, 1, 43_200),  # capped at 12 h; also the last retry (see the window test)
    ],
)
def test_default_schedule_table(attempts: int, low_s: int, high_s: int) -> None:
    late = 30 * 3600 * S  # past the window, so only the jitter range shows
    assert retry_delay_us(DEFAULT, attempts, late, 0.0) == low_s * S
    assert retry_delay_us(DEFAULT, attempts, late, 0.999999) == pytest.approx(high_s * S, rel=1e-5)
    assert cap_us(DEFAULT, attempts) == high_s * S


def test_last_attempt_waits_for_the_window_then_gives_up() -> None:
    # the 8th attempt comes no earlier than 24 h after the first, whatever the draws
    assert retry_delay_us(DEFAULT, 7, 3600 * S, 0.0) == 23 * 3600 * S
    assert retry_delay_us(DEFAULT, 8, 0, 0.5) is None
    assert retry_delay_us(RetrySchedule(max_attempts=1), 1, 0, 0.5) is None


@given(
    st.integers(1, 40),
    st.floats(0, 1, exclude_max=True),
    st.floats(0.1, 100),
    st.floats(1, 10),
    st.integers(0, 10**12),
)
def test_delays_never_negative_caps_monotone(
    attempts: int, rand: float, first: float, factor: float, elapsed: int
) -> None:
    s = RetrySchedule(max_attempts=50, first_delay_s=first, factor=factor, max_delay_s=first * 1e4)
    delay = retry_delay_us(s, attempts, elapsed, rand)
    assert delay is not None
    assert int(s.min_delay_s * S) <= delay <= max(cap_us(s, attempts), int(s.min_delay_s * S))
    assert cap_us(s, attempts) <= cap_us(s, attempts + 1) <= int(s.max_delay_s * S) + S


def test_bad_configs_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetrySchedule(max_attempts=0)
    with pytest.raises(ValueError, match="lease_s"):
        DeliveryConfig(lease_s=5, timeout_s=10)
    with pytest.raises(ValueError, match="rand"):
        retry_delay_us(DEFAULT, 1, 0, 1.0)


def test_topics_declared_once_and_checked() -> None:
    assert parse_types(["merchant.task,carrier.task", "merchant.task"]) == [
        "merchant.task",
        "carrier.task",
    ]
    assert parse_types([]) == []
    with pytest.raises(UnknownTopic, match="nope"):
        parse_types(["nope"])
    assert wants([], "anything")
    assert not wants(["merchant.task"], "carrier.task")
    assert messages.BODIES.keys() == TOPICS.keys()


def test_envelope_signature_verifies() -> None:
    secret = new_secret()
    assert check_secret(secret) == secret
    for bad in ("abc", "whsec_!!", "whsec_" + "QUJD"):
        with pytest.raises(ValueError, match=r"secret|base64"):
            check_secret(bad)
    body = envelope_bytes("m:1", "merchant.task", "order:O1", 0, 3, '{"order_id":"O1"}')
    doc = json.loads(body)
    assert doc["data"] == {"order_id": "O1"}
    assert doc["schema"] == "merchant.task/v1"
    assert doc["sequence"] == 3
    signer = Webhook(secret)
    headers = signed_headers(signer, "m:1", T0, body)
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-timestamp"] == str(int(T0.timestamp()))
    with pytest.raises(Exception, match="timestamp"):  # T0 is not now: too old for a receiver
        signer.verify(body, headers)


def test_message_schema_docs_are_current() -> None:
    """Regenerate with ``python -m anxin.delivery.messages docs/messages``."""
    expected = messages.render()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.json")}
    assert on_disk == expected
    assert set(messages.message_schemas()) == {f"{t}/v1" for t in TOPICS} | {"envelope/v1"}
