"""Carriers as data: market share, speed, incident rates, tracking-number format, and each
carrier's own raw scan vocabulary (code scheme and free text).

Chinese carriers write Chinese free text and each keeps its own code scheme: SF, STO, JD and EMS
numeric op-codes, ZTO its Chinese scan types, YTO Cainiao-style action names, Yunda pinyin
initials. DHL and FedEx write English with their real event codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Scan stages, in the order a parcel normally meets them.
PICKUP, ARRIVE, DEPART, CUSTOMS, OUT, SIGNED, FAILED, STALL, DAMAGE, RETURN, RETURN_SIGNED = range(
    11
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Code and text template per stage. Placeholders: {city} {hub} {next} {courier}
    {signer} {reason}; ``hub`` turns a city into this carrier's hub name."""

    codes: tuple[str, ...]  # indexed by stage
    texts: tuple[str, ...]  # indexed by stage
    hub: str  # e.g. "{city}转运中心"
    couriers: tuple[str, ...] = ("王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "杨师傅")
    signers: tuple[str, ...] = ("本人", "家门口", "快递柜", "菜鸟驿站代收", "前台", "家人代收")
    stall_reasons: tuple[str, ...] = ("天气原因", "运力紧张", "分拨中心爆仓", "交通管制")
    return_reasons: tuple[str, ...] = ("收件人拒收", "地址错误无法派送", "超区件")


@dataclass(frozen=True, slots=True)
class CarrierSpec:
    name: str
    share: float  # share of domestic merchants choosing it (international: cross-border)
    speed: float  # multiplies lane transit time
    remote_speed: float  # extra factor on remote lanes (EMS reaches remote areas well)
    stall_rate: float
    loss_rate: float
    damage_rate: float
    return_rate: float  # refused or undeliverable: returned to sender
    failed_rate: float  # a failed delivery attempt
    prefix: str  # tracking number: prefix + zero-padded serial of ``digits`` digits
    digits: int
    vocabulary: Vocabulary
    international: bool = False


_ZH_STALL = "快件在【{hub}】滞留，原因：{reason}"

SF = Vocabulary(
    codes=("50", "31", "30", "", "44", "80", "70", "33", "648", "99", "607"),
    texts=(
        "顺丰速运 已收取快件，【{city}】营业点",
        "快件到达 【{hub}】",
        "快件在【{hub}】完成分拣，准备发往 【{next}】",
        "",
        "快件交给{courier}，正在派送途中",
        "快件已签收，签收人：{signer}，感谢使用顺丰",
        "派送不成功，收方客户不在，将再次派送",
        _ZH_STALL,
        "问题件：快件外包装破损，已登记处理",
        "快件已退回，退回原因：{reason}",
        "退回件已签收，签收人：寄件人",
    ),
    hub="{city}中转场",
)
ZTO = Vocabulary(
    codes=(
        "收件",
        "到件",
        "发件",
        "",
        "派件",
        "签收",
        "派件失败",
        "滞留件",
        "问题件",
        "退件",
        "退件签收",
    ),
    texts=(
        "【{city}市】的快递员{courier}已揽收",
        "快件已到达【{hub}】",
        "快件离开【{hub}】已发往【{next}】",
        "",
        "【{city}市】的派件员{courier}正在派件，请保持电话畅通",
        "快件已签收，签收人：{signer}，如有疑问请电联快递员",
        "派件失败：收件人电话无人接听，将再次派送",
        _ZH_STALL,
        "问题件：外包装破损",
        "退回：{reason}，快件正在退回寄件人",
        "退回件已签收",
    ),
    hub="{city}转运中心",
)
YTO = Vocabulary(
    codes=(
        "GOT",
        "ARRIVAL",
        "DEPARTURE",
        "",
        "SENT_SCAN",
        "SIGNED",
        "FAILED",
        "STAY",
        "PROBLEM",
        "TMS_RETURN",
        "RETURN_SIGNED",
    ),
    texts=(
        "【{city}公司】已揽收",
        "您的快件已经到达【{hub}】",
        "您的快件已离开【{hub}】，准备发往【{next}】",
        "",
        "【{city}公司】派件员：{courier} 正在为您派送",
        "您的快件已签收，签收人：{signer}。感谢使用圆通速递",
        "派送失败，收件人不在，快件将再次派送",
        _ZH_STALL,
        "问题件：包裹破损，正在处理",
        "您的快件已退回，退回原因：{reason}",
        "退回件已签收，签收人：寄件人",
    ),
    hub="{city}转运中心",
)
STO = Vocabulary(
    codes=("101", "201", "202", "", "301", "401", "501", "601", "602", "701", "702"),
    texts=(
        "【{city}】{courier} 已揽收",
        "快件已到达【{hub}】",
        "快件已从【{hub}】发出，下一站【{next}】",
        "",
        "【{city}】派件员 {courier} 正在派送",
        "已签收，签收人：{signer}",
        "派送不成功：联系不上收件人",
        _ZH_STALL,
        "问题件：外包装破损",
        "快件退回：{reason}",
        "退回件已签收",
    ),
    hub="{city}分拨中心",
)
YUNDA = Vocabulary(
    codes=("SJ", "DJ", "FJ", "", "PJ", "QS", "PF", "ZL", "WT", "TH", "TQ"),
    texts=(
        "【{city}公司】已揽收",
        "到达【{hub}】",
        "从【{hub}】发出，本次转运目的地：【{next}】",
        "",
        "【{city}公司】进行派件扫描；派送业务员：{courier}",
        "已签收，签收人：{signer}，感谢使用韵达快递",
        "派件失败：收件人不在，已预约再次派送",
        _ZH_STALL,
        "问题件：快件破损",
        "快件已退回：{reason}",
        "退回件已签收",
    ),
    hub="{city}分拨中心",
)
JD = Vocabulary(
    codes=("1500", "1600", "1650", "", "1700", "1800", "1850", "1910", "1900", "1950", "1960"),
    texts=(
        "您的快件已由京东快递揽收，揽收人：{courier}",
        "您的快件已到达【{hub}】",
        "您的快件在【{hub}】分拣完成，发往【{next}】",
        "",
        "配送员【{courier}】正在为您派送，请保持电话畅通",
        "您的快件已签收，签收人：{signer}，感谢您使用京东物流",
        "配送未成功：客户不在，已预约再次配送",
        _ZH_STALL,
        "异常件：外包装破损，已联系客户",
        "您的快件已退回，原因：{reason}",
        "退回件已妥投",
    ),
    hub="{city}分拣中心",
)
EMS = Vocabulary(
    codes=("203", "305", "306", "", "702", "704", "705", "309", "388", "711", "713"),
    texts=(
        "【{city}揽投部】已收寄，揽投员：{courier}",
        "到达【{hub}】处理中心",
        "离开【{hub}】，下一站【{next}】",
        "",
        "【{city}投递部】安排投递，投递员：{courier}",
        "已妥投，签收人：{signer}",
        "未妥投：收件人不在，再次投递",
        _ZH_STALL,
        "问题件：邮件外包装破损",
        "邮件已退回：{reason}",
        "退回邮件已妥投",
    ),
    hub="{city}邮区中心局",
)
_EN_COURIERS = ("courier 1", "courier 7", "courier 12")
_EN_SIGNERS = ("WANG", "CHEN", "front desk", "LI")
_EN_STALL = ("weather", "awaiting clearance", "operational delay")
_EN_RETURN = ("refused by consignee", "incorrect address")
DHL = Vocabulary(
    codes=("PU", "AF", "DF", "CC", "WC", "OK", "NH", "OH", "DA", "RT", "RD"),
    texts=(
        "Shipment picked up",
        "Arrived at DHL Sort Facility {hub}",
        "Departed Facility in {hub}",
        "Clearance processing complete at {hub}",
        "With delivery courier",
        "Delivered - Signed for by: {signer}",
        "Delivery attempted; consignee not available",
        "Shipment on hold at {hub} ({reason})",
        "Shipment damaged in transit",
        "Returned to shipper ({reason})",
        "Returned shipment delivered to shipper",
    ),
    hub="{city}",
    couriers=_EN_COURIERS,
    signers=_EN_SIGNERS,
    stall_reasons=_EN_STALL,
    return_reasons=_EN_RETURN,
)
FEDEX = Vocabulary(
    codes=("PU", "AR", "DP", "IT", "OD", "DL", "DE", "DY", "SE", "RS", "DL"),
    texts=(
        "Picked up",
        "Arrived at FedEx location {hub}",
        "Departed FedEx location {hub}",
        "International shipment release - Import, {hub}",
        "On FedEx vehicle for delivery",
        "Delivered, signed by {signer}",
        "Delivery exception: customer not available or business closed",
        "Delay at {hub}: {reason}",
        "Shipment exception: package damaged",
        "Returning package to shipper: {reason}",
        "Delivered to shipper",
    ),
    hub="{city}",
    couriers=_EN_COURIERS,
    signers=_EN_SIGNERS,
    stall_reasons=_EN_STALL,
    return_reasons=_EN_RETURN,
)

CARRIERS: Mapping[str, CarrierSpec] = {
    c.name: c
    for c in (
        CarrierSpec("SF", 0.12, 0.75, 1.0, 0.02, 0.0008, 0.003, 0.005, 0.02, "SF", 13, SF),
        CarrierSpec("ZTO", 0.25, 1.0, 1.0, 0.05, 0.002, 0.006, 0.008, 0.03, "7", 11, ZTO),
        CarrierSpec("YTO", 0.18, 1.02, 1.0, 0.05, 0.002, 0.006, 0.008, 0.03, "YT", 13, YTO),
        CarrierSpec("STO", 0.12, 1.08, 1.05, 0.07, 0.003, 0.008, 0.01, 0.035, "77", 11, STO),
        CarrierSpec("YUNDA", 0.15, 1.05, 1.05, 0.06, 0.0025, 0.007, 0.009, 0.03, "43", 11, YUNDA),
        CarrierSpec("JD", 0.08, 0.75, 1.0, 0.02, 0.0008, 0.003, 0.005, 0.02, "JDVA", 11, JD),
        CarrierSpec("EMS", 0.10, 1.15, 0.8, 0.04, 0.0015, 0.005, 0.006, 0.025, "98", 11, EMS),
        CarrierSpec("DHL", 0.6, 1.0, 1.0, 0.03, 0.001, 0.004, 0.004, 0.02, "JJD", 11, DHL, True),
        CarrierSpec("FEDEX", 0.4, 1.0, 1.0, 0.03, 0.001, 0.004, 0.004, 0.02, "7", 12, FEDEX, True),
    )
}

# Mean door-to-door hours per lane class (geo.SAME_CITY .. INTERNATIONAL) for a speed-1 carrier.
LANE_HOURS: tuple[float, ...] = (14.0, 22.0, 30.0, 52.0, 100.0, 130.0)
STALL_HOURS_MEDIAN = 60.0  # a stall is a silent gap of this median length (lognormal, σ 0.5)
REMOTE_STALL_FACTOR = 2.0


def tracking_number(spec: CarrierSpec, serial: int) -> str:
    """A carrier-styled number; the serial is scrambled so numbers do not look sequential."""
    modulus = 10**spec.digits
    # An affine map with a multiplier coprime to 10 is a bijection mod 10**digits: unique.
    return f"{spec.prefix}{(serial * 7_368_787 + 1_234_567) % modulus:0{spec.digits}d}"
