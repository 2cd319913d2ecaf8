"""Each negative-service finding with its evidence, in Chinese and English, at its boundary
(douyin 2026-08-10 phrases and thresholds)."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.application import load_policy
from anxin.service.conversations import Conversation
from anxin.service.findings import ServiceFindings, canned, in_conversation
from anxin.service.sla import Line, ServiceSla, service_calendar

PACK = load_policy("douyin").latest
RULES: ServiceFindings = PACK.rule("service_findings")
SLA: ServiceSla = PACK.rule("service_sla")
HOURS = service_calendar(SLA, PACK.calendar)
CST = PACK.calendar.zone


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 3) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, ss, tzinfo=CST)


def conv(*lines: tuple[dt.datetime, str, str], cid: str = "K1") -> Conversation:
    made = [Line(t, s, x, f"{cid}:{i}") for i, (t, s, x) in enumerate(lines)]
    return Conversation(cid, "M1", "C1", None, made)


def kinds(c: Conversation, now: dt.datetime) -> list[str]:
    return [f.kind for f in in_conversation(c, RULES, HOURS, now)]


@pytest.mark.parametrize(
    ("next_agent", "now", "found"),
    [
        (at(10, 11), at(12), False),  # 10 minutes of silence: the limit itself
        (at(10, 11, 1), at(12), True),  # one second more
        (None, at(10, 11), False),  # still waiting, not yet over
        (None, at(10, 11, 1), True),
    ],
)
def test_please_wait_then_silence(next_agent: dt.datetime | None, now: dt.datetime,
                                  found: bool) -> None:  # fmt: skip
    lines = [
        (at(10), "consumer", "我的快递到哪了？"),
        (at(10, 1), "agent", "亲，请稍候，我帮您查一下"),
    ]
    if next_agent is not None:
        lines.append((next_agent, "agent", "已经到您所在城市了"))
    got = [
        f
        for f in in_conversation(conv(*lines), RULES, HOURS, now)
        if f.kind == "please_wait_silence"
    ]
    assert bool(got) == found
    if found:
        (f,) = got
        assert f.why == "请稍候"
        assert f.evidence[0].text == "亲，请稍候，我帮您查一下"
        assert f.facts["silent_service_seconds"] == 601
        assert f.rule_id == "service_findings.please_wait_silence"


def test_a_wait_over_the_night_counts_service_time_only() -> None:
    c = conv(
        (at(22, 50), "consumer", "where is my parcel?"),
        (at(22, 55), "agent", "One moment please"),
        (at(8, 4, day=4), "agent", "It is in your city"),
    )
    assert kinds(c, at(12, day=4)) == []  # 5 min before 23:00 + 4 after 08:00 = 9 min


def test_a_wait_with_no_question_open_is_not_a_finding() -> None:
    assert kinds(conv((at(10), "agent", "请稍等，新品马上上架")), at(12)) == []


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("不行", True),
        ("不支持退款", True),
        ("因为已过七天，不支持无理由退货", False),  # gives its reason
        ("亲，这个情况我们真的不支持哦，请您理解一下谢谢", False),  # long: explains itself
        ("No refund.", True),
        ("We can't refund it because the seal is broken", False),
    ],
)
def test_flat_refusals(text: str, flat: bool) -> None:
    c = conv((at(10), "consumer", "我要退款"), (at(10, 1), "agent", text))
    assert ("flat_refusal" in kinds(c, at(12))) == flat


@pytest.mark.parametrize(
    ("sender", "text", "kind"),
    [
        ("agent", "爱买不买", "mocking"),
        ("agent", "Are you stupid?", "mocking"),
        ("system", "您已被拉黑", "blocking"),
        ("system", "You have been blocked by the seller", "blocking"),
        ("consumer", "你是不是傻", None),  # the consumer's words are not the merchant's
    ],
)
def test_mocking_and_blocking(sender: str, text: str, kind: str | None) -> None:
    c = conv((at(10), "consumer", "在吗"), (at(10, 1), sender, text))
    assert kinds(c, at(12)) == ([] if kind is None else [kind])


def test_one_canned_text_for_five_different_questions_in_a_day() -> None:
    questions = ["快递到哪了", "能便宜点吗", "有发票吗", "尺码偏大吗", "什么时候发货"]
    convs = [
        conv(
            (at(10 + i), "consumer", q),
            (at(10 + i, 1), "agent", "亲，详情请看商品页哦"),
            cid=f"K{i}",
        )
        for i, q in enumerate(questions)
    ]
    (f,) = canned(convs, RULES, CST)
    assert (f.kind, f.why, f.facts["questions"]) == ("canned_reply", "亲，详情请看商品页哦", 5)
    assert f.conversation_ids == ("K0", "K1", "K2", "K3", "K4")
    assert len(f.evidence) == 10  # each question and its answer
    assert canned(convs[:4], RULES, CST) == []  # four: not yet
    same_question = [
        conv(
            (at(10 + i), "consumer", "快递到哪了"),
            (at(10 + i, 1), "agent", "亲，详情请看商品页哦"),
            cid=f"S{i}",
        )
        for i in range(6)
    ]
    assert canned(same_question, RULES, CST) == []  # one question asked six times: a fair answer


@pytest.mark.parametrize(
    ("question", "answer", "found"),
    [
        (
            "我的快递怎么还没到？",
            "亲，给您申请售后哦",
            True,
        ),  # a parcel question, an after-sales answer
        ("我的快递怎么还没到？", "亲，已经帮您催促快递了", False),
        ("Where is my parcel?", "Thanks for shopping with us!", True),
        ("Where is my parcel?", "The carrier scanned it in Hangzhou this morning", False),
        ("我要退款", "亲，稍等", False),  # a wait is judged as a wait, not as off-topic
        ("这个怎么用？", "亲，有问题随时联系我们", False),  # not a concrete question the rule knows
        ("我要退款", "亲，已为您提交退款申请", False),
    ],
)
def test_off_topic_answers_to_a_concrete_question(question: str, answer: str, found: bool) -> None:
    c = conv((at(10), "consumer", question), (at(10, 1), "agent", answer))
    got = [f for f in in_conversation(c, RULES, HOURS, at(12)) if f.kind == "off_topic"]
    assert bool(got) == found
    if got:
        assert [x.text for x in got[0].evidence] == [question, answer]


def _day(*seconds: int | None, merchant: str = "M1") -> list[Conversation]:
    """One conversation per round, asked from 10:00 a minute apart; None: never answered."""
    out = []
    for i, s in enumerate(seconds):
        asked = at(10, i)
        lines = [(asked, "consumer", f"question {i}")]
        if s is not None:
            lines.append((asked + dt.timedelta(seconds=s), "agent", f"answer {i}"))
        out.append(conv(*lines, cid=f"K{i}"))
    return out


@pytest.mark.parametrize(
    ("seconds", "found"),
    [
        ([90] * 10, False),  # exactly the line: not over it
        ([90] * 9 + [100], True),  # 91 s on average over 10 rounds
        ([200] * 9, False),  # too few rounds to judge
    ],
)
def test_slow_average_per_merchant_day(seconds: list[int], found: bool) -> None:
    from anxin.service.findings_daily import daily

    got = [f for f in daily(_day(*seconds), RULES, SLA, HOURS, at(20)) if f.kind == "slow_average"]
    assert bool(got) == found
    if got:
        assert got[0].facts["rounds"] == 10
        assert got[0].evidence[0].text == "question 9"  # the slowest first


@pytest.mark.parametrize(("silent", "found"), [(4, False), (5, True)])
def test_unanswered_sessions_per_merchant_day(silent: int, found: bool) -> None:
    from anxin.service.findings_daily import daily

    day = _day(*([None] * silent), 30, 30)
    got = [f for f in daily(day, RULES, SLA, HOURS, at(20)) if f.kind == "unanswered_sessions"]
    assert bool(got) == found
    if got:
        assert got[0].facts["sessions"] == silent
        assert len(got[0].conversation_ids) == silent
