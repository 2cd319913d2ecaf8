"""Chinese free-text classification: real-looking scans of SF, ZTO, YTO, STO, Yunda, JD, EMS and
Cainiao, classified from the text alone (no code), through each carrier's vocabulary."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.tracking import Fault, RawScan, Reason, Status, normalize
from anxin.tracking.vocabulary import INCIDENTS

S, R = Status, Reason
AT = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

ROWS: list[tuple[str, str, Status, Reason | None]] = [
    # SF
    ("sf", "【杭州市】顺丰速运 已收取快件", S.picked_up, None),
    ("sf", "顺丰速运 已收取快件，【杭州西湖】营业点", S.picked_up, None),
    ("sf", "快件到达【广州白云转运中心】", S.at_hub, None),
    ("sf", "快件在【深圳华南中转场】完成分拣，准备发往 【北京顺义中转场】", S.in_transit, None),
    ("sf", "快件到达 【杭州西湖文三路营业点】", S.in_transit, None),  # an outlet, not a hub
    ("sf", "快件交给王师傅，正在派送途中（联系电话：138****0000）", S.out_for_delivery, None),
    ("sf", "快件已签收，签收人：本人，感谢使用顺丰，期待再次为您服务", S.delivered, None),
    ("sf", "派送不成功，收方客户不在，将再次派送", S.delivery_failed, R.not_home),
    ("sf", "快件已退回，退回原因：收件人拒收", S.returning, R.refused),
    ("sf", "【上海市】快件已由【丰巢智能快递柜】代收", S.ready_for_pickup, None),
    ("sf", "您的快件已签收，签收人：本人", S.delivered, None),
    # ZTO
    ("zto", "【上海市】的快递员李师傅已揽收", S.picked_up, None),
    ("zto", "快件已到达【上海转运中心】", S.at_hub, None),
    ("zto", "快件离开【上海转运中心】已发往【杭州转运中心】", S.in_transit, None),
    ("zto", "【苏州市】【常熟天下淘宝四】的王翔正在第1次派件，请保持电话畅通", S.out_for_delivery,
     None),
    ("zto", "【苏州市】快件已被【丰巢的西门丰巢柜2号柜(丰巢智能快递柜)】代收，如有问题请电联",
     S.ready_for_pickup, None),
    ("zto", "【苏州市】您的快递已签收，签收人在【丰巢智能快递柜】领取", S.delivered, None),
    ("zto", "派件失败：收件人电话无人接听，将再次派送", S.delivery_failed, R.not_home),
    ("zto", "问题件：地址不详", S.exception, R.address_problem),
    ("zto", "快件转寄，新地址：浙江省杭州市西湖区", S.in_transit, None),
    # YTO
    ("yto", "【浙江省杭州市余杭区公司】已揽收", S.picked_up, None),
    ("yto", "您的快件已经到达【杭州转运中心】", S.at_hub, None),
    ("yto", "您的快件已离开【杭州转运中心】，准备发往【成都转运中心】", S.in_transit, None),
    ("yto", "【山东省济南市孙村公司】 已收入", S.in_transit, None),
    ("yto", "【四川省成都市高新区中和一部公司】派件员：王师傅 正在为您派送", S.out_for_delivery,
     None),
    ("yto", "快件已由成都双流区红树湾二期店菜鸟驿站代收，请及时取件", S.ready_for_pickup, None),
    ("yto", "客户签收人: 已签收，签收人凭取货码签收。感谢使用圆通速递", S.delivered, None),
    ("yto", "退回件已签收，签收人：寄件人", S.returned, None),
    # STO
    ("sto", "【广州市】张师傅 已揽收", S.picked_up, None),
    ("sto", "快件已从【广州分拨中心】发出，下一站【长沙分拨中心】", S.in_transit, None),
    ("sto", "派送不成功：联系不上收件人", S.delivery_failed, R.not_home),
    ("sto", "问题件：地址不详，请联系寄件人", S.exception, R.address_problem),
    ("sto", "快件退回：超区件", S.returning, R.out_of_area),
    ("sto", "快件已到达【杭州下沙驿站】，请及时取件", S.ready_for_pickup, None),
    # Yunda
    ("yunda", "【义乌公司】已揽件", S.picked_up, None),
    ("yunda", "到达【浙江金华分拨中心】", S.at_hub, None),
    ("yunda", "从【浙江金华分拨中心】发出，本次转运目的地：【广东广州分拨中心】", S.in_transit,
     None),
    ("yunda", "【广州天河公司】进行派件扫描；派送业务员：陈师傅", S.out_for_delivery, None),
    ("yunda", "快件在【广州分拨中心】滞留，原因：天气原因", S.exception, R.weather),
    # JD
    ("jd", "您的订单已由京东快递揽收，揽收人：刘师傅", S.picked_up, None),
    ("jd", "您的快件已到达【北京亚洲一号分拣中心】", S.at_hub, None),
    ("jd", "配送员【杨师傅】正在为您派送，请保持电话畅通", S.out_for_delivery, None),
    ("jd", "您的快件已签收，签收人：家人代收，感谢您使用京东物流", S.delivered, None),
    ("jd", "异常件：外包装破损，已联系客户", S.exception, R.damaged),
    # EMS
    ("ems", "【北京揽投部】已收寄，揽投员：王师傅", S.picked_up, None),
    ("ems", "到达【北京邮区中心局】处理中心", S.at_hub, None),
    ("ems", "离开【北京邮区中心局】，下一站【上海邮区中心局】", S.in_transit, None),
    ("ems", "【上海投递部】安排投递，投递员：李师傅", S.out_for_delivery, None),
    ("ems", "已妥投，签收人：前台", S.delivered, None),
    ("ems", "未妥投：收件人不在，再次投递", S.delivery_failed, R.not_home),
    ("ems", "邮件已退回，退回邮件已妥投", S.returned, None),
    # Cainiao / marketplace wording
    ("cainiao", "商家正通知快递公司揽件", S.info_received, None),
    ("cainiao", "您的订单已下单，待揽收", S.info_received, None),
    ("cainiao", "您的包裹已存放至【菜鸟驿站】，请凭取件码取件", S.ready_for_pickup, None),
    ("cainiao", "您的包裹已从菜鸟驿站取出，感谢使用菜鸟驿站", S.delivered, None),
    ("cainiao", "因天气原因延误", S.exception, R.weather),
    ("cainiao", "受台风影响，您的快件将延迟发出", S.exception, R.weather),
    ("cainiao", "快件遗失，我们正在全力核实", S.exception, R.lost),
    ("cainiao", "收件人拒收", S.returning, R.refused),
    ("cainiao", "快件已退回", S.returning, None),
    ("cainiao", "海关查验中，请耐心等待", S.exception, R.customs),
    ("cainiao", "已清关，准备发往国内转运中心", S.in_transit, None),
    ("cainiao", "快件在【杭州转运中心】滞留，原因：交通管制", S.exception, R.force_majeure),
    ("cainiao", "快件在【杭州转运中心】滞留，原因：分拨中心爆仓", S.exception, R.delayed),
    ("cainiao", "订单已取消", S.exception, R.cancelled),
    ("cainiao", "快件已被快递员取走", S.picked_up, None),
    ("cainiao", "您的快件因收件人要求延迟派送", S.exception, R.delayed),
    ("cainiao", "您的快件已被【门卫】代签收", S.delivered, None),
    ("cainiao", "您的快件已被拦截，将退回寄件人", S.returning, R.recalled),
]  # fmt: skip


@pytest.mark.parametrize(("carrier", "text", "status", "reason"), ROWS)
def test_chinese_free_text(carrier: str, text: str, status: Status, reason: Reason | None) -> None:
    event = normalize(RawScan(carrier, "T1", AT, "", text))
    if reason is None and status in INCIDENTS:
        reason = Reason.unknown  # an incident always carries a reason
    assert (event.status, event.reason) == (status, reason)
    assert event.text == text
    assert event.at == AT


def test_table_is_big_enough() -> None:
    assert len(ROWS) >= 40
    assert {c for c, *_ in ROWS} == {"sf", "zto", "yto", "sto", "yunda", "jd", "ems", "cainiao"}


def test_reasons_carry_their_default_fault() -> None:
    def fault(text: str) -> Fault | None:
        return normalize(RawScan("zto", "T1", AT, "", text)).fault

    assert fault("快件在【X转运中心】滞留，原因：天气原因") is Fault.force_majeure
    assert fault("问题件：外包装破损") is Fault.carrier
    assert fault("派件失败：收件人电话无人接听") is Fault.consumer
    assert fault("快件退回：超区件") is Fault.merchant
    assert fault("海关查验中") is Fault.customs
    assert fault("快件到达【杭州转运中心】") is None


def test_unreadable_text_is_unknown_and_kept() -> None:
    event = normalize(RawScan("sf", "T1", AT, "ZZ9", "温馨提示：请注意防范诈骗电话"))
    assert event.status is Status.unknown
    assert (event.code, event.text, event.reason) == ("ZZ9", "温馨提示：请注意防范诈骗电话", None)


def test_unknown_chinese_carrier_uses_the_chinese_rules() -> None:
    event = normalize(RawScan("debangwuliu", "T1", AT, "", "快件已到达【广州转运中心】"))
    assert (event.status, event.carrier) == (Status.at_hub, "debangwuliu")
