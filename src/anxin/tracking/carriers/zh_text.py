"""Chinese free-text rules shared by SF, ZTO, YTO, STO, Yunda, JD, EMS, Cainiao and aggregator
feeds. Data only: ordered (pattern → status / reason) pairs, tried first to last.

Decisions worth knowing:

- A locker or station taking the parcel in (``代收``, ``已放入快递柜``, ``请凭取件码取件``) is
  ``ready_for_pickup``, not ``delivered``: the consumer does not have the parcel yet, and Kuaidi100
  files it under 派件 (501 投柜或驿站) too. Once the carrier writes 签收 / 妥投 (even "签收人：
  驿站代收") or the consumer takes it out (``已取出``), it is ``delivered``.
- ``at_hub`` needs a hub word (转运/中转/分拨/集散/分拣/处理中心…): arriving at a branch outlet
  (营业部, 网点) is ordinary transit, so "first hub" means what Douyin's dispatch rule means.
- A departure (离开/发出/发往/下一站) is ``in_transit`` even when the text names a hub.
- Routine customs clearance is ``in_transit`` with no reason; only holds, inspections and
  anomalies carry ``customs``.
- 拒收 / 拒签 is ``returning`` with reason ``refused``: a refused parcel goes back.
"""

from __future__ import annotations

from anxin.tracking.rules import Rule, rule
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

HUB = (
    r"(转运中心|转运场|转运站|中转场|中转站|中转中心|中转部|分拨中心|分拨|集散中心|集散|"
    r"分拣中心|分拣场|处理中心|中心局|邮件处理|枢纽|航空部|集包|速运中心|陆运中心)"
)
LOCKER = r"(快递柜|丰巢|智能柜|自提柜|自提点|驿站|代收点|服务站|收发室|门卫|快递超市|便利店)"
_NOT_HOME = (
    r"联系不上|无法联系|联系不到|无人接听|电话关机|电话停机|空号|家中无人|无人签收|无人收件|"
    r"(收件人|客户|收方客户|收方|收货人)(不在|外出|出差)"
)

# First matching reason wins, so specific causes come before generic delay / hold.
REASONS: tuple[Rule, ...] = (
    rule(r"拒收|拒签|拒绝签收|拒付", reason=R.refused),
    rule(r"丢失|遗失|丢件|下落不明", reason=R.lost),
    rule(r"破损|损坏|破包|受损|湿损|外包装.{0,4}(破|变形)", reason=R.damaged),
    rule(r"错发|发错|漏发|少件|内件不符|货不对版", reason=R.wrong_item),
    rule(r"安检|违禁|禁寄|禁运", reason=R.security),
    rule(r"待缴税|税费未缴|缴纳关税|补缴税", reason=R.duties_unpaid),
    rule(r"海关查验|查验|扣关|海关扣|清关异常|清关失败|海关退运|申报不符", reason=R.customs),
    rule(r"天气|暴雨|大雨|暴雪|大雪|台风|大雾|冰冻|雨雪|洪水|洪涝|高温", reason=R.weather),
    rule(r"地震|疫情|管控|交通管制|封控|封路|不可抗力|重大活动", reason=R.force_majeure),
    rule(
        r"地址不详|地址错误|地址有误|地址不全|地址不正确|地址不清|查无此人|无此地址|错误地址|"
        r"电话错误|电话有误|号码错误",
        reason=R.address_problem,
    ),
    rule(r"超区|超范围|不在派送范围|不在配送范围", reason=R.out_of_area),
    rule(_NOT_HOME, reason=R.not_home),
    rule(r"单位放假|公司放假|单位下班|公司下班|门店关闭|单位无人", reason=R.business_closed),
    rule(r"小区不让进|禁止进入|无法进入|门禁", reason=R.access_restricted),
    rule(r"揽收失败|取件失败|未备货|商家未交寄|寄件人未交寄", reason=R.not_ready),
    # The sender stops its own parcel (快递拦截, 召回): 私自召回 unless the consumer asked.
    rule(
        r"拦截|召回|(寄件人|发件人|寄件方|商家|卖家)(申请|要求)?(撤回|退回|改退)|"
        r"应(寄件人|发件人|寄件方|商家|卖家)(的)?要求",
        reason=R.recalled,
    ),
    rule(r"取消|撤销|销单|撤单", reason=R.cancelled),
    rule(r"错分|分错|误分|错转", reason=R.missorted),
    rule(r"延误|延迟|延后|晚点|推迟|运力紧张|爆仓|积压|超时|延期", reason=R.delayed),
    rule(r"滞留|扣留|暂停|停发|停运|留仓", reason=R.held),
)

# First matching status wins.
STATUSES: tuple[Rule, ...] = (
    rule(
        r"(退回|退件|退货|返回)(件|邮件|快件)?.{0,12}(签收|妥投)|退件签收|退签|"
        r"(已退回|退还)(给|至)?(寄件人|发件人|商家|卖家)|(寄件人|发件人)已?签收",
        S.returned,
    ),
    rule(
        r"拒收|拒签|拒绝签收|退回|退件|退货|返回(寄件人|发件人|商家|卖家|原寄)|原路返回|返程件",
        S.returning,
    ),
    rule(
        r"未妥投|未能妥投|(派送|派件|配送|投递)(不成功|失败|未成功|异常)|"
        r"(无法|未能)(派送|派件|投递|配送)|(再次|二次|重新)(派送|投递|配送)|改约|" + _NOT_HOME,
        S.delivery_failed,
    ),
    rule(
        r"已签收|签收人|签收成功|本人签收|已代签|代签收|(?<!未)妥投|已被.{0,20}领取|已领取|"
        r"已取出|被取出|" + LOCKER + r".{0,20}(出库|取出|取走)",
        S.delivered,
    ),
    rule(
        r"代收|请及时取件|请尽快取件|凭取件码|取件码|取货码|待取件|待领取|已投柜|已入柜|已上架|"
        r"已到达.{0,30}" + LOCKER + r"|(放|存|投|送)(入|至|到|在|于|进).{0,30}" + LOCKER,
        S.ready_for_pickup,
    ),
    rule(r"已送达|送达成功|已交付|投递成功|派送成功|配送成功|完成配送|已完成派送", S.delivered),
    rule(
        r"丢失|遗失|丢件|下落不明|破损|损坏|破包|受损|湿损|错发|漏发|少件|内件不符|安检|违禁|"
        r"禁寄|禁运|查验|扣关|清关异常|清关失败|取消|撤销|销单|撤单|拦截|揽收失败|取件失败|"
        r"问题件|异常件|疑难件|(快件|包裹|物流|运输|邮件)异常|(暂停|暂缓|停止|延迟|延后|推迟)(派送|派件|配送|投递)",
        S.exception,
    ),
    rule(r"派件城市|目的城市|目的地城市", S.in_transit),
    rule(
        r"派送中|派件中|正在派|为您派|派送途中|安排投递|投递中|正在投递|开始派送|出库派送|"
        r"出站派送|进行派件|派件扫描|派送员|派件员|配送员|投递员|快递员.{0,10}(派送|配送|派件)|"
        r"正在配送|配送中|开始配送|待派送|准备派送|派送|派件",
        S.out_for_delivery,
    ),
    rule(r"滞留|延误|延迟|延后|晚点|推迟|暂停|停发|停运|积压|爆仓|扣留|留仓", S.exception),
    rule(r"天气|暴雨|暴雪|台风|大雾|冰冻|地震|疫情|管控|管制|封控|不可抗力", S.exception),
    rule(r"地址不详|地址错误|地址有误|地址不全|查无此人|超区", S.exception),
    rule(
        r"已下单|下单成功|待揽收|待揽件|等待揽收|等待揽件|通知快递(公司|员)?(揽件|揽收|取件)|"
        r"已接单|接单成功|已打印|电子面单|运单已生成|商家(已|正在)?发货|卖家已发货|已发货|"
        r"订单.{0,4}出库|仓库.{0,6}(出库|处理|打包|拣货)",
        S.info_received,
    ),
    rule(
        r"清关完成|已清关|清关成功|海关放行|清关中|正在清关|待清关|报关|清关|海关|入境|出境",
        S.in_transit,
    ),
    rule(
        r"已揽收|已揽件|揽件|揽收|已收件|收件(?!人|地址|方|信息|电话)|已收取|收取快件|已收寄|"
        r"收寄|已取件|上门取件|快递员.{0,6}取走|交寄|已寄出|寄件成功",
        S.picked_up,
    ),
    rule(
        r"(到达|到件|抵达|进入|已收入|已到|到站|入站|已接收|卸车|入库).{0,30}"
        + HUB
        + "|"
        + HUB
        + r"[】\]]?.{0,10}(已?到达|到件|已收入|入库|已接收)",
        S.at_hub,
    ),
    rule(
        r"离开|已发出|发出|发往|运往|下一站|已装车|装车|封车|发车|启程|已出发|转运中|运输中|"
        r"运送中|在途|途中|干线|航班|起飞|已转出|转寄|转投",
        S.in_transit,
    ),
    rule(r"到达|到件|抵达|已收入|进入|已到|到站|入站", S.in_transit),
    rule(HUB, S.at_hub),
)

RULES: tuple[Rule, ...] = REASONS + STATUSES
