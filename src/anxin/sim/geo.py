"""Geography: provinces, cities, lanes between them and the hubs a parcel passes.

Lane classes follow the platform's trajectory-stall tiers (platform-rules §3.1): same province
or the 江浙沪皖 / 京津冀 clusters (48 h), across provinces (72 h), remote ends (120 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from anxin.sim.dist import Choice


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    cities: tuple[str, ...]  # capital first
    consumer_weight: float  # share of buyers
    merchant_weight: float  # share of sellers (manufacturing provinces dominate)
    capital_en: str


PROVINCES: tuple[Province, ...] = (
    Province("广东", ("广州", "深圳", "东莞", "佛山"), 11.0, 20.0, "GUANGZHOU"),
    Province("浙江", ("杭州", "宁波", "温州", "金华"), 8.0, 18.0, "HANGZHOU"),
    Province("江苏", ("南京", "苏州", "无锡", "南通"), 8.0, 10.0, "NANJING"),
    Province("上海", ("上海",), 4.5, 7.0, "SHANGHAI"),
    Province("北京", ("北京",), 3.5, 4.0, "BEIJING"),
    Province("天津", ("天津",), 1.5, 1.0, "TIANJIN"),
    Province("河北", ("石家庄", "保定", "唐山"), 4.0, 3.0, "SHIJIAZHUANG"),
    Province("山东", ("济南", "青岛", "临沂", "烟台"), 6.5, 6.0, "JINAN"),
    Province("河南", ("郑州", "洛阳", "南阳"), 5.5, 2.5, "ZHENGZHOU"),
    Province("四川", ("成都", "绵阳", "南充"), 5.0, 3.0, "CHENGDU"),
    Province("湖北", ("武汉", "宜昌", "襄阳"), 3.8, 2.0, "WUHAN"),
    Province("湖南", ("长沙", "株洲", "衡阳"), 3.6, 1.5, "CHANGSHA"),
    Province("安徽", ("合肥", "芜湖", "阜阳"), 3.5, 2.0, "HEFEI"),
    Province("福建", ("福州", "厦门", "泉州"), 3.5, 6.0, "FUZHOU"),
    Province("江西", ("南昌", "赣州", "九江"), 2.4, 1.0, "NANCHANG"),
    Province("陕西", ("西安", "咸阳", "宝鸡"), 2.4, 1.0, "XIAN"),
    Province("重庆", ("重庆",), 2.2, 1.0, "CHONGQING"),
    Province("广西", ("南宁", "柳州", "桂林"), 2.4, 1.0, "NANNING"),
    Province("辽宁", ("沈阳", "大连", "鞍山"), 2.6, 1.0, "SHENYANG"),
    Province("吉林", ("长春", "吉林"), 1.3, 0.4, "CHANGCHUN"),
    Province("黑龙江", ("哈尔滨", "大庆", "齐齐哈尔"), 1.6, 0.4, "HARBIN"),
    Province("山西", ("太原", "大同", "运城"), 1.8, 0.5, "TAIYUAN"),
    Province("贵州", ("贵阳", "遵义"), 1.5, 0.4, "GUIYANG"),
    Province("云南", ("昆明", "曲靖", "大理"), 2.0, 0.8, "KUNMING"),
    Province("甘肃", ("兰州", "天水"), 0.9, 0.2, "LANZHOU"),
    Province("海南", ("海口", "三亚"), 0.7, 0.3, "HAIKOU"),
    Province("内蒙古", ("呼和浩特", "包头", "鄂尔多斯"), 1.0, 0.3, "HOHHOT"),
    Province("新疆", ("乌鲁木齐", "喀什", "伊犁"), 1.0, 0.3, "URUMQI"),
    Province("宁夏", ("银川",), 0.3, 0.1, "YINCHUAN"),
    Province("青海", ("西宁",), 0.3, 0.1, "XINING"),
    Province("西藏", ("拉萨",), 0.15, 0.05, "LHASA"),
)
BY_NAME = {p.name: p for p in PROVINCES}
REMOTE: frozenset[str] = frozenset(
    {"新疆", "西藏", "内蒙古", "青海", "宁夏", "云南", "甘肃", "海南"}
)
CLUSTERS: tuple[frozenset[str], ...] = (
    frozenset({"江苏", "浙江", "上海", "安徽"}),
    frozenset({"北京", "天津", "河北"}),
)
# Trunk lines into remote provinces pass a gateway hub first.
GATEWAYS = {
    "新疆": "兰州",
    "西藏": "成都",
    "青海": "兰州",
    "宁夏": "西安",
    "甘肃": "西安",
    "内蒙古": "北京",
    "云南": "成都",
    "海南": "湛江",
}
CITY_PROVINCE = {c: p.name for p in PROVINCES for c in p.cities}

# Lane classes, in increasing distance.
SAME_CITY, SAME_PROVINCE, CLUSTER, CROSS, REMOTE_LANE, INTERNATIONAL = range(6)
LANE_NAMES = ("same_city", "same_province", "cluster", "cross", "remote", "international")

CONSUMER_PROVINCES: Choice[str] = Choice(
    tuple(p.name for p in PROVINCES), tuple(p.consumer_weight for p in PROVINCES)
)
MERCHANT_PROVINCES: Choice[str] = Choice(
    tuple(p.name for p in PROVINCES), tuple(p.merchant_weight for p in PROVINCES)
)

# Cross-border sellers: (country, gateway city in the carrier's English style).
ABROAD: tuple[tuple[str, str], ...] = (
    ("US", "LOS ANGELES GATEWAY - USA"),
    ("JP", "TOKYO - JAPAN"),
    ("DE", "LEIPZIG - GERMANY"),
    ("KR", "INCHEON - KOREA, REPUBLIC OF"),
    ("HK", "HONG KONG - HONG KONG SAR, CHINA"),
    ("AU", "SYDNEY - AUSTRALIA"),
)


def lane_of(origin_city: str, dest_city: str) -> int:
    if origin_city == dest_city:
        return SAME_CITY
    a, b = CITY_PROVINCE[origin_city], CITY_PROVINCE[dest_city]
    if a in REMOTE or b in REMOTE:
        return SAME_PROVINCE if a == b else REMOTE_LANE
    if a == b:
        return SAME_PROVINCE
    if any(a in c and b in c for c in CLUSTERS):
        return CLUSTER
    return CROSS


@lru_cache(maxsize=8192)
def route(origin_city: str, dest_city: str) -> tuple[int, tuple[str, ...]]:
    """The lane class and the hub cities a domestic parcel passes, in order."""
    lane = lane_of(origin_city, dest_city)
    a, b = BY_NAME[CITY_PROVINCE[origin_city]], BY_NAME[CITY_PROVINCE[dest_city]]
    hubs = [origin_city]
    if lane >= CLUSTER:
        hubs.append(a.cities[0])
        if lane == REMOTE_LANE:
            remote_end = b if b.name in REMOTE else a
            gateway = GATEWAYS[remote_end.name]
            # Outbound from a remote province the gateway comes after its capital.
            hubs.append(gateway)
        hubs.append(b.cities[0])
    hubs.append(dest_city)
    path: list[str] = []
    for city in hubs:
        if not path or path[-1] != city:
            path.append(city)
    return lane, tuple(path)
