"""Chat conversations: a consumer asks, the merchant's agent answers within working hours (or
late, or never), and the consumer sometimes rates the service."""

from __future__ import annotations

import math
from typing import Literal

from anxin.contract.events import (
    ChatMessage,
    ChatMessagePayload,
    ChatRated,
    ChatRatedPayload,
    Event,
)
from anxin.sim.context import Context
from anxin.sim.governance import SERVICE_HOURS
from anxin.sim.merchants import Merchant
from anxin.sim.timeline import DAY, HOUR, OFFSET, at

PRESALE_ASK = ("在吗？今天下单什么时候发货？", "这个有现货吗？", "能开发票吗？", "尺码怎么选？")
PRESALE_ANSWER = ("亲，有现货的，拍下尽快为您发出", "亲，可以的哦", "亲，参考详情页尺码表哦")
PROMISE_ANSWER = "亲，今天拍下24小时内发货哦"
LOGISTICS_ASK = ("什么时候发货啊？", "我的快递怎么还没到？", "物流好几天没更新了")
TROUBLE_ASK = (*LOGISTICS_ASK, "东西有问题怎么办？")
TROUBLE_ANSWER = ("亲，已经帮您催促快递了", "亲，仓库正在加急处理", "亲，给您申请售后哦")
USAGE_ASK = ("这个怎么用？", "可以机洗吗？", "保质期多久？")
USAGE_ANSWER = ("亲，可以参考详情页的说明哦", "亲，有问题随时联系我们")


# Questions the order's facts answer: with anxin's reply tools the answer is ready to send.
SETTLED_ASK = frozenset({*LOGISTICS_ASK, PRESALE_ASK[0]})


def reply_at(ctx: Context, m: Merchant, asked: int, question: str = "") -> int | None:
    """When the agent answers a message sent at ``asked`` (None: never)."""
    rand = ctx.rng.random
    b = m.behaviour
    if rand() < b.chat_miss_rate:
        return None
    minutes = b.reply_minutes
    if ctx.params.reply_tools and question in SETTLED_ASK:
        minutes *= ctx.reactions.reply_tools_factor
    latency = int(minutes * 60 * math.exp(ctx.rng.gauss(0.0, 0.8))) + 5
    open_, close = b.chat_open, b.chat_close
    local = (asked + OFFSET) % DAY
    if open_ * HOUR <= local < close * HOUR:
        return asked + latency
    # Outside working hours: the first answer comes after the next opening.
    midnight = asked - local
    opening = midnight + open_ * HOUR + (DAY if local >= close * HOUR else 0)
    return opening + latency


def line(
    ctx: Context,
    merchant_id: str,
    conv_id: str,
    n: int,
    consumer: str,
    order_id: str | None,
    sender: Literal["consumer", "agent"],
    text: str,
    t: int,
) -> ChatMessage:
    """The conversation's ``n``-th line."""
    return ChatMessage(
        id=f"{conv_id}:{n}",
        occurred_at=at(t),
        source=ctx.source,
        payload=ChatMessagePayload(
            conversation_id=conv_id, message_id=f"{conv_id}:{n}", merchant_id=merchant_id,
            consumer_id=consumer, sender=sender, order_id=order_id, text=text,
        ),
    )  # fmt: skip


def conversation(
    ctx: Context,
    m: Merchant,
    conv_id: str,
    consumer: str,
    order_id: str | None,
    asked: int,
    question: str,
    answer: str,
    out: list[Event],
) -> int | None:
    """Append one exchange (and maybe a rating); return when the agent replied (or None)."""
    mid = m.merchant_id
    out.append(line(ctx, mid, conv_id, 1, consumer, order_id, "consumer", question, asked))
    replied = reply_at(ctx, m, asked, question)
    if replied is not None:
        out.append(line(ctx, mid, conv_id, 2, consumer, order_id, "agent", answer, replied))
    stats = m.stats
    if (
        stats is not None
        and SERVICE_HOURS[0] * HOUR <= (asked + OFFSET) % DAY < SERVICE_HOURS[1] * HOUR
    ):
        stats.sessions += 1
        if replied is None:
            stats.unanswered += 1
        else:
            stats.rounds += 1
            stats.response_seconds += replied - asked
    rand = ctx.rng.random
    if rand() < ctx.om.chat_rating_rate:
        wait = None if replied is None else replied - asked
        if wait is None:
            stars = 1 if rand() < 0.6 else 2
        elif wait <= 180:
            stars = 5 if rand() < 0.8 else 4
        elif wait <= 3600:
            stars = 4 if rand() < 0.6 else 3
        else:
            stars = 3 if rand() < 0.5 else 2
        rated = (replied or asked) + int((0.05 + rand()) * HOUR)
        out.append(
            ChatRated(
                id=f"{conv_id}:rating",
                occurred_at=at(rated),
                source=ctx.source,
                payload=ChatRatedPayload(
                    conversation_id=conv_id,
                    merchant_id=mid,
                    consumer_id=consumer,
                    stars=stars,
                    order_id=order_id,
                ),
            )
        )
    return replied
