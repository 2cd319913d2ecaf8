"""Every screening rule at its boundary: a hit (with its span), a near miss, and where the
rule allows it (douyin 2026-08-10 words)."""

from __future__ import annotations

import pytest

from anxin.application import load_policy
from anxin.screening.listing import Listing
from anxin.screening.screen import screen, screen_all

PACK = load_policy("douyin").latest


def one(title: str, category: str = "服饰", **kw: object) -> tuple[str, list[tuple[str, str]]]:
    got = screen(Listing(listing_id="L", title=title, category=category, **kw), PACK)  # type: ignore[arg-type]
    return got.verdict, [(h.rule_id, h.text) for h in got.hits]


@pytest.mark.parametrize(
    ("title", "category", "verdict", "hits"),
    [
        # prohibited items: intercept; English as whole words only
        ("高仿手表", "饰品", "intercept", [("prohibited_item", "高仿")]),
        ("Replica watch", "Watches", "intercept", [("prohibited_item", "Replica")]),
        ("Gunmetal grey kurta", "Clothing", "pass", []),  # "gun" is not a word here
        ("Ivory colour saree", "Clothing", "pass", []),  # a colour, not elephant ivory
        ("莆田 运动鞋", "鞋靴", "intercept", [("prohibited_item", "莆田")]),  # a counterfeit's word
        ("Knockoff hoodie", "Clothing", "intercept", [("prohibited_item", "Knockoff")]),
        ("Replica jersey, home kit", "Clothing", "pass", []),  # a licensed fan shirt
        ("Disposable vape pen", "Beauty", "intercept", [("prohibited_item", "vape")]),
        ("Vapour rub", "Beauty", "pass", []),  # "vape" is not a word here
        # efficacy claims: intercept outside the categories that allow them
        ("草本茶 治疗失眠", "饮品", "intercept", [("medical_claim", "治疗")]),
        ("Herbal tea that cures colds", "Food", "intercept", [("medical_claim", "cures")]),
        ("退烧药 治疗发热", "药品", "pass", []),  # medicines may say what they treat
        ("Secure fit shorts", "Clothing", "pass", []),  # "cure" inside a word
        ("鱼油 降血脂", "保健", "intercept", [("medical_claim", "降血脂")]),
        ("Epoxy glue, 24 hour cure time", "Home Improvement", "pass", []),  # curing, not a cure
        ("Glucometer for diabetes", "Health Care", "pass", []),  # a medical device may say so
        # absolute claims: needs changes; "100% cotton" is a composition, not a claim
        ("全网最低价 纯棉T恤", "服饰", "needs_changes", [("absolute_claim", "全网最低")]),
        ("The best kurta", "Clothing", "needs_changes", [("absolute_claim", "best")]),
        ("100%棉 T恤", "服饰", "pass", []),
        ("100% cotton shirt", "Clothing", "pass", []),
        ("100% pure silk shirt", "Clothing", "needs_changes", [("absolute_claim", "100%")]),
        ("最近上新 T恤", "服饰", "pass", []),
        # brands need the merchant's authorisation; "for Apple iPad" is compatibility
        ("耐克运动鞋", "鞋靴", "needs_changes", [("brand_unauthorised", "耐克")]),
        ("Back Cover for Apple iPad Air", "Mobiles & Accessories", "pass", []),
        ("Apple iPad Air", "Computers", "needs_changes", [("brand_unauthorised", "Apple")]),
        # a title naming another category's goods and none of its own
        ("Silver necklace", "Clothing", "needs_changes", [("category_mismatch", "necklace")]),
        ("Necklace print T-shirt", "Clothing", "pass", []),  # its own word too
        ("Silver necklace", "Jewellery", "pass", []),
        ("Silver necklace", "Home Decor", "pass", []),  # a category with no word list
    ],
)
def test_rules(title: str, category: str, verdict: str, hits: list[tuple[str, str]]) -> None:
    assert one(title, category) == (verdict, hits)


def test_a_brand_the_merchant_may_sell_is_no_hit() -> None:
    assert one("Nike running shoes", "Footwear", brand_authorizations=["nike"]) == ("pass", [])


@pytest.mark.parametrize(
    ("attributes", "hits"),
    [
        ({}, [("missing_attribute", "production_date"), ("missing_attribute", "shelf_life")]),
        ({"production_date": "2026-11-01"}, [("missing_attribute", "shelf_life")]),
        ({"production_date": "2026-11-01", "shelf_life": "180 天"}, []),
        (
            {"production_date": "2026-11-01", "shelf_life": " "},
            [("missing_attribute", "shelf_life")],
        ),
    ],
)
def test_mandatory_attributes_per_category(attributes: dict[str, str], hits: list[object]) -> None:
    verdict, got = one("坚果礼盒", "食品", attributes=attributes)
    assert got == hits
    assert verdict == ("needs_changes" if hits else "pass")
    assert one("T恤", "服饰")[1] == []  # apparel needs none of these


def _batch(price: int, n: int = 20) -> list[Listing]:
    same = [
        Listing(listing_id=f"L{i}", title="T恤", category="服饰", price=10_000) for i in range(n)
    ]
    return [*same, Listing(listing_id="X", title="T恤", category="服饰", price=price)]


@pytest.mark.parametrize(
    ("price", "flagged"),
    [(1_000, False), (999, True), (100_000, False), (100_001, True)],  # 0.1x and 10x the median
)
def test_price_far_outside_the_category(price: int, flagged: bool) -> None:
    got = {s.listing_id: s for s in screen_all(_batch(price), PACK)}
    assert [h.rule_id for h in got["X"].hits] == (["price_outlier"] if flagged else [])


def test_too_few_prices_to_judge_by() -> None:
    got = screen_all(_batch(1, n=18), PACK)  # 19 prices: fewer than the 20 the pack needs
    assert all(not s.hits for s in got)


def test_every_hit_names_its_rule_span_and_pack() -> None:
    got = screen(Listing(listing_id="L", title="正品 高仿 劳力士", category="饰品"), PACK)
    d = got.to_dict()
    assert d["verdict"] == "intercept"
    spans = {h["rule_id"]: h["span"] for h in d["hits"]}
    assert spans == {"screening.prohibited_item": [3, 5], "screening.brand_unauthorised": [6, 9]}
    assert (d["pack"], d["version"]) == (PACK.name, PACK.version)


def _content(text: str, *listings: Listing) -> tuple[str, list[tuple[str, str]]]:
    from anxin.screening.content import Content, screen_content

    got = screen_content(Content(content_id="V1", text=text, listings=list(listings)), PACK)
    assert all(h.field == "text" for h in got.hits)
    return got.verdict, [(h.rule_id, h.text) for h in got.hits]


TEE = Listing(listing_id="L1", title="T恤", category="服饰", attributes={"material": "涤纶"})
COTTON = Listing(listing_id="L2", title="T恤", category="服饰", attributes={"material": "纯棉"})
PILLS = Listing(listing_id="L3", title="退烧药", category="药品")


@pytest.mark.parametrize(
    ("text", "listings", "verdict", "hits"),
    [
        ("直播间下单，当天发货！", (TEE,), "pass", []),
        ("全网最低价，买到就是赚到", (TEE,), "needs_changes", [("absolute_claim", "全网最低")]),
        ("纯棉面料，透气舒服", (TEE,), "intercept", [("content_contradiction", "纯棉")]),
        ("纯棉面料，透气舒服", (COTTON,), "pass", []),  # the listing says so too
        ("纯棉面料", (Listing(listing_id="L4", title="T恤", category="服饰"),), "pass", []),
        ("喝了能治疗失眠", (TEE,), "intercept", [("medical_claim", "治疗")]),
        ("按说明书治疗发热", (PILLS,), "pass", []),  # medicine may say what it treats
    ],
)
def test_selling_content(
    text: str, listings: tuple[Listing, ...], verdict: str, hits: list[tuple[str, str]]
) -> None:
    assert _content(text, *listings) == (verdict, hits)
