"""Industries and the listings merchants publish (a share of them inferior or misleading)."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from anxin.sim.dist import Choice, LogNormal


@dataclass(frozen=True, slots=True)
class Industry:
    name: str
    weight: float  # share of merchants
    price: LogNormal  # unit price in minor units (fen)
    quality_offset: float  # added to the merchant's drawn quality
    no_reason_factor: float  # scales 7-day no-reason returns (apparel is returned most)
    deposit: int  # base deposit in minor units
    categories: tuple[str, ...]
    products: tuple[str, ...]


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "3c_digital",
        0.14,
        LogNormal(19_900, 1.1),
        0.0,
        0.8,
        5_000_000,
        ("手机配件", "耳机", "充电器", "智能手表"),
        ("蓝牙耳机", "快充充电器", "手机壳", "数据线", "智能手表", "移动电源"),
    ),
    Industry(
        "beauty",
        0.16,
        LogNormal(9_900, 0.8),
        -0.02,
        0.7,
        2_000_000,
        ("护肤", "彩妆", "香水"),
        ("补水面膜", "精华液", "口红", "粉底液", "防晒霜", "洗面奶"),
    ),
    Industry(
        "apparel",
        0.22,
        LogNormal(12_900, 0.7),
        -0.04,
        2.5,
        2_000_000,
        ("女装", "男装", "童装", "鞋靴"),
        ("纯棉T恤", "牛仔裤", "羽绒服", "运动鞋", "连衣裙", "卫衣"),
    ),
    Industry(
        "food",
        0.16,
        LogNormal(4_900, 0.6),
        0.0,
        0.3,
        1_000_000,
        ("零食", "生鲜", "茶饮"),
        ("坚果礼盒", "牛肉干", "新鲜水果", "绿茶", "螺蛳粉", "月饼"),
    ),
    Industry(
        "furniture",
        0.06,
        LogNormal(59_900, 0.9),
        -0.03,
        0.6,
        5_000_000,
        ("家具", "家纺"),
        ("实木餐桌", "懒人沙发", "床垫", "书架", "四件套"),
    ),
    Industry(
        "pets",
        0.07,
        LogNormal(7_900, 0.8),
        0.0,
        0.6,
        1_000_000,
        ("宠物食品", "宠物用品"),
        ("猫粮", "狗粮", "猫砂", "宠物玩具", "牵引绳"),
    ),
    Industry(
        "home",
        0.12,
        LogNormal(3_900, 0.8),
        0.0,
        0.8,
        1_000_000,
        ("日用百货", "厨具", "收纳"),
        ("收纳箱", "不粘锅", "保温杯", "拖把", "垃圾袋"),
    ),
    Industry(
        "mother_baby",
        0.05,
        LogNormal(8_900, 0.8),
        0.02,
        0.6,
        2_000_000,
        ("奶粉", "纸尿裤", "玩具"),
        ("婴儿奶粉", "纸尿裤", "儿童积木", "婴儿湿巾"),
    ),
    Industry(
        "jewelry",
        0.04,
        LogNormal(29_900, 1.2),
        -0.05,
        0.9,
        10_000_000,
        ("黄金", "饰品"),
        ("黄金手链", "银项链", "珍珠耳环", "翡翠吊坠"),
    ),
)
BY_NAME = {i.name: i for i in INDUSTRIES}
INDUSTRY_CHOICE: Choice[Industry] = Choice(INDUSTRIES, tuple(i.weight for i in INDUSTRIES))
SHOP_DEPOSIT_FACTOR = {"flagship": 2.0, "specialty": 1.5, "franchise": 1.5}
# Hollow claims that make a listing misleading, and marks of an inferior one.
MISLEADING_CLAIMS = ("官方正品 假一赔十", "全网最低价", "三天见效", "100%纯棉", "进口原装")
INFERIOR_MARKS = ("高仿", "尾货清仓", "瑕疵处理", "无品牌")
BAD_WHY: Choice[str] = Choice(("misleading", "inferior", "prohibited"), (0.6, 0.35, 0.05))
PROHIBITED = ("电子烟", "仿真枪玩具")


@dataclass(frozen=True, slots=True)
class Listing:
    listing_id: str
    title: str
    category: str
    price: int  # minor units
    promise_hours: int  # 0: no listing promise
    presale: bool
    bad: str  # "" or misleading / inferior / prohibited
    material: str = ""  # apparel: what the goods are made of (the listing's attribute)
    industry: str = ""


def make_listings(
    rng: random.Random,
    merchant_id: str,
    industry: Industry,
    count: int,
    bad_rate: float,
    promise_hours: int,
    presale: bool,
) -> list[Listing]:
    out: list[Listing] = []
    for j in range(count):
        product = rng.choice(industry.products)
        category = rng.choice(industry.categories)
        bad = BAD_WHY.sample(rng) if rng.random() < bad_rate else ""
        title = f"{product} {category}"
        if bad == "misleading":
            title = f"{rng.choice(MISLEADING_CLAIMS)} {title}"
        elif bad == "inferior":
            title = f"{title} {rng.choice(INFERIOR_MARKS)}"
        elif bad == "prohibited":
            title = f"{rng.choice(PROHIBITED)} {title}"
        price = max(100, round(industry.price.sample(rng) / 100) * 100 - 10)  # ¥x9.90 pricing
        # Presale merchants sell some listings on presale; the rest are spot goods.
        out.append(
            Listing(
                listing_id=f"L{merchant_id[1:]}-{j:03d}",
                title=title,
                category=category,
                price=price,
                promise_hours=promise_hours,
                presale=presale and j % 2 == 0,
                bad=bad,
                material=_material(industry.name, product, merchant_id, j),
                industry=industry.name,
            )
        )
    return out


def attributes(industry: str, material: str) -> dict[str, str]:
    """What a listing states about its goods: apparel its material, food what the platforms
    require of it (production date, shelf life, origin). Fixed, no draw."""
    if material:
        return {"material": material}
    if industry == "food":
        return {"production_date": "2026-09-15", "shelf_life": "180天", "origin": "中国"}
    return {}


def _material(industry: str, product: str, merchant_id: str, j: int) -> str:
    """Apparel's material, fixed by the listing (no draw: the world's generator is untouched)."""
    if industry != "apparel":
        return ""
    if product.startswith("纯棉"):
        return "纯棉"
    return ("涤纶", "混纺", "棉")[zlib.crc32(f"{merchant_id}:{j}".encode()) % 3]
