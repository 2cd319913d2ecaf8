"""What a merchant reads: each violation and measure in plain Chinese and English (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.domain.wording import Text, days, money, sentences, when
from anxin.enforcement.measures import Imposed
from anxin.enforcement.violations import Found

NAMES: dict[str, Text] = {
    "score": Text("体验分", "experience score"),  # a plan opened by a low score, not a violation
    "malicious_non_delivery": Text("恶意不发货", "malicious non-delivery"),
    "false_inventory": Text("虚假库存（缺货）", "false inventory (out of stock)"),
    "false_promise": Text("虚假发货时效承诺", "false delivery promise"),
    "trajectory_anomaly": Text("物流轨迹异常", "trajectory anomaly"),
    "fraud_shipping": Text("欺诈发货", "fraud shipping"),
    "late_shipment_shop": Text("店铺发货超时", "shop-level late shipment"),
    "negative_service": Text("消极服务", "negative service"),
    "unjustified_refusal": Text("无故拒绝售后", "unjustified after-sales refusal"),
    "overdue_tickets": Text("平台介入工单超时", "overdue platform-intervention tickets"),
    # A listing consumers rejected (screening's post-sale feedback), appealed the same way.
    "listing_feedback": Text("商品售后反馈差", "a listing consumers rejected"),
}

MEASURES: dict[str, Text] = {
    "warning": Text("警告", "a warning"),
    "deposit_deduction": Text("扣除保证金", "a deposit deduction"),
    "settlement_freeze": Text("冻结货款", "a settlement freeze"),
    "stop_settlement": Text("暂停结算", "settlement stopped"),
    "order_cap": Text("限制每日订单量", "a daily order cap"),
    "no_new_listings": Text("禁止发布新商品", "no new listings"),
    "presale_off": Text("关闭预售权限", "presale rights withdrawn"),
    "product_delisting": Text("商品下架", "products delisted"),
    "listing_derank": Text("商品降权", "a listing de-ranked"),
    "sales_restricted": Text("限制售卖", "sales restricted"),
    "alliance_restricted": Text("限制精选联盟", "Selected Alliance restricted"),
    "ad_ban": Text("禁止投流", "no ad spend"),
    "suspension": Text("停业整顿", "business suspension"),
    "expulsion": Text("清退", "expulsion from the marketplace"),
    "score_deduction": Text("扣减体验分", "experience-score deduction"),
}


def _what(found: Found) -> Text:
    f: dict[str, Any] = found.facts
    match found.type:
        case "malicious_non_delivery":
            n = f["unshipped_unadmitted"]
            return Text(f"{n} 笔已付款订单超过承诺时间 {f['after_due_hours']} 小时"
                        "仍未发货且未报缺货",
                        f"{n} paid orders were still unshipped {f['after_due_hours']} hours "
                        "after their due, with no stock-out admitted")  # fmt: skip
        case "false_inventory":
            return Text(f"当日 {f['orders']} 笔订单中 {f['out_of_stock']} 笔缺货"
                        f"（{f['share']:.0%}）",
                        f"{f['out_of_stock']} of the day's {f['orders']} orders were out of "
                        f"stock ({f['share']:.0%})")  # fmt: skip
        case "false_promise":
            return Text(f"{f['orders']} 笔按直播/视频/客服承诺时效的订单中 "
                        f"{f['broken']} 笔未按时发货",
                        f"{f['broken']} of {f['orders']} orders bound by a live-stream, video or "
                        "chat promise were not shipped in time")  # fmt: skip
        case "trajectory_anomaly":
            return Text(f"当日发货 {f['orders']} 笔中 {f['anomalous']} 笔物流轨迹异常",
                        f"{f['anomalous']} of the day's {f['orders']} shipped orders had an "
                        "abnormal trajectory")  # fmt: skip
        case "fraud_shipping":
            return Text(f"当日 {f['fraud_orders']} 笔订单被认定欺诈发货（空包、错发等）",
                        f"{f['fraud_orders']} orders of the day were found to be fraud shipping "
                        "(empty parcel, wrong item …)")  # fmt: skip
        case "late_shipment_shop":
            late = "、".join(str(x) for x in f["late"])
            return Text(
                f"{'、'.join(f['days'])} 发货超时订单 {late} 笔",
                f"late orders on {', '.join(f['days'])}: {', '.join(map(str, f['late']))}",
            )
        case "negative_service":
            return Text(f"平均响应 {f['average_seconds']} 秒（{f['rounds']} 轮），"
                        f"{f['unanswered_sessions']} 个会话无人回复",
                        f"average response {f['average_seconds']} s over {f['rounds']} rounds, "
                        f"{f['unanswered_sessions']} conversations never answered")  # fmt: skip
        case "unjustified_refusal":
            return Text(f"当日 {f['unjustified_refusals']} 次拒绝售后被平台判定无理，拒绝率 "
                        f"{f['refusal_rate']:.0%}（行业 {f['industry_rate']:.1%}）",
                        f"{f['unjustified_refusals']} refusals of the day were overturned by the "
                        f"platform; refusal rate {f['refusal_rate']:.0%} (industry "
                        f"{f['industry_rate']:.1%})")  # fmt: skip
        case "overdue_tickets":
            return Text(f"本周 {f['tickets']} 个平台介入工单中 {f['overdue']} 个超过 "
                        f"{f['response_hours']} 小时未处理",
                        f"{f['overdue']} of the week's {f['tickets']} platform-intervention "
                        f"tickets went unanswered for {f['response_hours']} hours")  # fmt: skip
    return Text(found.type, found.type)


def violation_notice(found: Found, nth: int, period: str, appeal_by: dt.datetime,
                     zone: dt.tzinfo) -> Text:  # fmt: skip
    name = NAMES.get(found.type, Text(found.type, found.type))
    head = Text(f"违规通知：{name.zh}（{period} 第 {nth} 次）。",
                f"Violation notice: {name.en} (no. {nth} in {period}).")  # fmt: skip
    appeal = when(appeal_by, zone)
    tail = Text(f"如有异议，请在 {appeal.zh} 前申诉。", f"You may appeal until {appeal.en}.")
    return sentences(head, _what(found) + Text("。", "."), tail)


def measure_notice(m: Imposed, zone: dt.tzinfo) -> Text:
    name = MEASURES.get(m.kind, Text(m.kind, m.kind))
    parts = [Text(f"处理措施：{name.zh}", f"Measure: {name.en}")]
    if m.amount is not None:
        parts.append(Text(f" {money(m.amount)}", f" of {money(m.amount)}"))
    if m.orders_per_day is not None:
        parts.append(Text(f"（每日最多 {m.orders_per_day} 单）",
                          f" (at most {m.orders_per_day} orders a day)"))  # fmt: skip
    if m.deduction is not None:
        parts.append(Text(f"（{m.deduction}）", f" ({m.deduction})"))
    start = when(m.starts_at, zone)
    if m.ends_at is not None:
        span = days(max(1, round((m.ends_at - m.starts_at) / dt.timedelta(days=1))))
        end = when(m.ends_at, zone)
        parts.append(Text(f"，自 {start.zh} 起 {span.zh}，至 {end.zh} 解除",
                          f", from {start.en} for {span.en}, until {end.en}"))  # fmt: skip
    elif m.lift == "cured":
        parts.append(Text(f"，自 {start.zh} 起，整改完成（超时订单全部揽收）后次日解除",
                          f", from {start.en}, lifted the day after it is cured (the overdue "
                          "orders picked up, or the rectification plan completed)"))  # fmt: skip
    elif m.lift == "never":
        parts.append(Text("，永久", ", for good"))
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out + Text("。", ".")
