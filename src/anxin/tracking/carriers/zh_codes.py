"""Code tables of the Chinese carriers and aggregators, as data.

Each carrier keeps its own code scheme; arrival codes are *coarse* because the same code is used
for a hub and for a branch outlet, and the text tells which. The simulator's codes
(``anxin.sim.carriers``) are listed per carrier in ``SIMULATOR``: that table is the extension
point for new feeds (add a section, the registry merges it).

Aggregators (Kuaidi100, KDNiao) speak for any carrier, so their codes form *schemes* of their own
(a scan names its scheme; the carrier still supplies the text rules and time zone).
"""

from __future__ import annotations

from collections.abc import Mapping

from anxin.tracking.rules import Outcome, code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# Cainiao logistics action names, also used by YTO.
CAINIAO_ACTIONS: Mapping[str, Outcome] = codes(
    {
        "CREATE": code(S.info_received),
        "CONSIGN": code(S.info_received),
        "ACCEPT": code(S.picked_up),
        "GOT": code(S.picked_up),
        "DEPARTURE": code(S.in_transit),
        "ARRIVAL": code(S.at_hub, coarse=True),
        "TRANSPORT": code(S.in_transit),
        "SENT_SCAN": code(S.out_for_delivery),
        "STA_INBOUND": code(S.ready_for_pickup),
        "STA_SIGN": code(S.delivered),
        "SIGNED": code(S.delivered),
        "FAILED": code(S.delivery_failed),
        "REJECT": code(S.returning, R.refused),
        "TMS_RETURN": code(S.returning),
        "RETURN_SIGNED": code(S.returned),
        "STAY": code(S.exception, R.held),
        "PROBLEM": code(S.exception, coarse=True),
    }
)

# Codes as the anxin simulator emits them, per carrier, in stage order: pickup, hub arrival,
# departure, out for delivery, signed, failed attempt, stall, problem (damage), return, returned.
_STAGES = (
    code(S.picked_up),
    code(S.at_hub, coarse=True),
    code(S.in_transit),
    code(S.out_for_delivery),
    code(S.delivered),
    code(S.delivery_failed),
    code(S.exception, R.held),
    code(S.exception, coarse=True),
    code(S.returning),
    code(S.returned),
)
_SIM_CODES: Mapping[str, tuple[str, ...]] = {
    "sf": ("50", "31", "30", "44", "80", "70", "33", "648", "99", "607"),
    "zto": (
        "收件",
        "到件",
        "发件",
        "派件",
        "签收",
        "派件失败",
        "滞留件",
        "问题件",
        "退件",
        "退件签收",
    ),
    "sto": ("101", "201", "202", "301", "401", "501", "601", "602", "701", "702"),
    "yunda": ("SJ", "DJ", "FJ", "PJ", "QS", "PF", "ZL", "WT", "TH", "TQ"),
    "jd": ("1500", "1600", "1650", "1700", "1800", "1850", "1910", "1900", "1950", "1960"),
    "ems": ("203", "305", "306", "702", "704", "705", "309", "388", "711", "713"),
}
SIMULATOR: Mapping[str, Mapping[str, Outcome]] = {
    name: codes(dict(zip(table, _STAGES, strict=True))) for name, table in _SIM_CODES.items()
}

# Carrier codes beyond the simulator's.
CARRIER_CODES: Mapping[str, Mapping[str, Outcome]] = {
    "sf": codes(
        {
            "54": code(S.picked_up),  # 上门收件
            "123": code(S.in_transit),  # 到达目的城市
            "130": code(S.in_transit),  # 到达目的网点，即将派件
            "631": code(S.returning),  # 快件已退回
        }
    ),
    "zto": codes({"第三方代派": code(S.out_for_delivery)}),
    "yto": CAINIAO_ACTIONS,
    "cainiao": CAINIAO_ACTIONS,
}

# Kuaidi100: ``state`` / ``statusCode`` numbers and the names its ``data[].status`` carries.
# The one-digit states are umbrellas (在途 covers a locker hand-in), the three- and four-digit
# sub-states (resultv2) are precise.
KUAIDI100: Mapping[str, Outcome] = codes(
    {
        "0": code(S.in_transit, coarse=True),
        "在途": code(S.in_transit, coarse=True),
        "1001": code(S.in_transit),
        "到达派件城市": code(S.in_transit),
        "1002": code(S.in_transit),
        "干线": code(S.in_transit),
        "1003": code(S.in_transit),
        "转递": code(S.in_transit),
        "1": code(S.picked_up, coarse=True),
        "揽收": code(S.picked_up, coarse=True),
        "101": code(S.info_received),
        "已下单": code(S.info_received),
        "102": code(S.info_received),
        "待揽收": code(S.info_received),
        "103": code(S.picked_up),
        "已揽收": code(S.picked_up),
        "5": code(S.out_for_delivery, coarse=True),
        "派件": code(S.out_for_delivery, coarse=True),
        "501": code(S.ready_for_pickup),
        "投柜或驿站": code(S.ready_for_pickup),
        "3": code(S.delivered),
        "签收": code(S.delivered),
        "301": code(S.delivered),
        "本人签收": code(S.delivered),
        "302": code(S.delivered),
        "派件异常后签收": code(S.delivered),
        "303": code(S.delivered),
        "代签": code(S.delivered),
        "304": code(S.delivered),
        "投柜或站签收": code(S.delivered),
        "6": code(S.returning),
        "退回": code(S.returning),
        "4": code(S.returned),
        "退签": code(S.returned),
        "401": code(S.exception, R.cancelled),
        "已销单": code(S.exception, R.cancelled),
        "14": code(S.returning, R.refused),
        "拒签": code(S.returning, R.refused),
        "7": code(S.in_transit),
        "转投": code(S.in_transit),
        "2": code(S.exception, coarse=True),
        "疑难": code(S.exception, coarse=True),
        "201": code(S.exception, R.delayed),
        "超时未签收": code(S.exception, R.delayed),
        "202": code(S.exception, R.delayed),
        "超时未更新": code(S.exception, R.delayed),
        "203": code(S.returning, R.refused),
        "拒收": code(S.returning, R.refused),
        "204": code(S.delivery_failed),
        "派件异常": code(S.delivery_failed),
        "205": code(S.ready_for_pickup),
        "柜或驿站超时未取": code(S.ready_for_pickup),
        "206": code(S.delivery_failed, R.not_home),
        "无法联系": code(S.delivery_failed, R.not_home),
        "207": code(S.exception, R.out_of_area),
        "超区": code(S.exception, R.out_of_area),
        "208": code(S.exception, R.held),
        "滞留": code(S.exception, R.held),
        "209": code(S.exception, R.damaged),
        "破损": code(S.exception, R.damaged),
        "210": code(S.exception, R.cancelled),
        "销单": code(S.exception, R.cancelled),
        "8": code(S.in_transit, coarse=True),
        "清关": code(S.in_transit, coarse=True),
        "10": code(S.in_transit),
        "待清关": code(S.in_transit),
        "11": code(S.in_transit),
        "清关中": code(S.in_transit),
        "12": code(S.in_transit),
        "已清关": code(S.in_transit),
        "13": code(S.exception, R.customs),
        "清关异常": code(S.exception, R.customs),
    }
)

# KDNiao (快递鸟) ``State`` / ``StateEx`` / ``Traces[].Action``. Unlike Kuaidi100, 10 is 待揽件.
KDNIAO: Mapping[str, Outcome] = codes(
    {
        "1": code(S.picked_up),
        "2": code(S.in_transit, coarse=True),
        "201": code(S.in_transit),  # 到达派件城市
        "204": code(S.at_hub),  # 到达转运中心
        "205": code(S.in_transit),  # 到达派件网点
        "206": code(S.in_transit),  # 寄件网点发件
        "202": code(S.out_for_delivery),
        "211": code(S.ready_for_pickup),  # 已放入快递柜或驿站
        "3": code(S.delivered),
        "301": code(S.delivered),
        "302": code(S.delivered),
        "304": code(S.delivered),
        "311": code(S.delivered),
        "4": code(S.exception, coarse=True),
        "401": code(S.exception),  # 发货无信息
        "402": code(S.exception, R.delayed),
        "403": code(S.exception, R.delayed),
        "404": code(S.returning, R.refused),
        "405": code(S.delivery_failed),
        "406": code(S.returned),
        "407": code(S.returning),
        "412": code(S.ready_for_pickup),
        "413": code(S.exception, R.cancelled),
        "414": code(S.exception, R.damaged),
        "415": code(S.exception, R.cancelled),
        "416": code(S.delivery_failed, R.not_home),
        "417": code(S.exception, R.delayed),
        "418": code(S.delivered),  # 快件取出
        "419": code(S.out_for_delivery),
        "420": code(S.exception, R.address_problem),
        "421": code(S.exception, R.address_problem),
        "422": code(S.exception, R.missorted),
        "423": code(S.exception, R.out_of_area),
        "5": code(S.in_transit),  # 转寄
        "6": code(S.in_transit, coarse=True),
        "601": code(S.in_transit),
        "602": code(S.in_transit),
        "603": code(S.in_transit),
        "604": code(S.exception, R.customs),
        "10": code(S.info_received),
    }
)

SCHEMES: Mapping[str, Mapping[str, Outcome]] = {
    "kuaidi100": KUAIDI100,
    "kdniao": KDNIAO,
    "cainiao": CAINIAO_ACTIONS,
}

CHINESE = ("sf", "zto", "yto", "sto", "yunda", "jd", "ems", "cainiao")

# Other names for the same carriers: Kuaidi100 ``com`` codes, KDNiao ``ShipperCode``s, Chinese.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "sf": ("shunfeng", "sfexpress", "顺丰", "顺丰速运"),
    "zto": ("zhongtong", "中通", "中通快递"),
    "yto": ("yuantong", "圆通", "圆通速递"),
    "sto": ("shentong", "申通", "申通快递"),
    "yunda": ("yd", "韵达", "韵达快递"),
    "jd": ("jingdong", "jdl", "京东", "京东快递", "京东物流"),
    "ems": ("中国邮政ems", "邮政ems"),
    "cainiao": ("菜鸟",),
}
