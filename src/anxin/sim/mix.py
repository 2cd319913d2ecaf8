"""The behaviour mixes: how merchants, consumers and orders are drawn, and how merchants react.

Plain data; every distribution is a frozen value, so one shared default is safe. A merchant's
latent behaviour is drawn once from :class:`MerchantMix` (see ``anxin.sim.merchants.Behaviour``);
everything an order does is drawn from :class:`OrderMix` and the merchant's and consumer's own
traits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from anxin.enforcement.config import VIOLATION_TYPES  # planted in the rules' own order
from anxin.sim.dist import Beta, Choice, LogNormal, choice


@dataclass(frozen=True, slots=True)
class MerchantMix:
    shop_type: Choice[str] = field(
        default=choice(
            [
                ("flagship", 0.15),
                ("specialty", 0.15),
                ("franchise", 0.1),
                ("personal", 0.15),
                ("other", 0.45),
            ]
        )
    )
    # relative order volume (normalised to mean 1)
    size: LogNormal = field(default=LogNormal(1.0, 1.0))
    late_ship_rate: Beta = field(default=Beta(0.06, 5))
    late_hours: LogNormal = field(default=LogNormal(14.0, 0.7))  # mean hours late, when late
    # how far into the ship window on-time parcels are picked up
    ship_fraction: Beta = field(default=Beta(0.45, 6))
    out_of_stock_rate: Beta = field(default=Beta(0.01, 8))
    # An honest merchant out of stock cancels the order itself (the platform's rules make an
    # unadmitted stock-out a non-delivery); a few are left for the consumer to refund.
    oos_cancel_share: float = 0.9
    # A minority of bad actors fake shipments, tracking and parcels, and list misleadingly.
    bad_actor_share: float = 0.06
    false_ship_rate: Beta = field(default=Beta(0.06, 8))
    fake_tracking_rate: Beta = field(default=Beta(0.04, 8))
    fraud_ship_rate: Beta = field(default=Beta(0.01, 20))
    bad_listing_rate: Beta = field(default=Beta(0.03, 10))
    bad_actor_listing_rate: Beta = field(default=Beta(0.35, 5))
    # The background stays under the enforcement lines (a shop 30 % late, a bad actor shipping
    # three empty parcels a day): breaking them is what the planted violators are for
    # (``ViolatorMix``), so the tails of these draws are cut. Bad actors still fake shipments,
    # tracking and parcels for the guarantees to find.
    background_caps: tuple[tuple[str, float], ...] = (
        ("late_ship_rate", 0.12),
        ("late_hours", 24.0),
        ("out_of_stock_rate", 0.06),
        ("false_ship_rate", 0.05),
        ("fake_tracking_rate", 0.03),
        ("fraud_ship_rate", 0.005),
        ("refusal_rate", 0.12),
    )
    quality: Beta = field(default=Beta(0.82, 12))
    flagship_late_factor: float = 0.6
    flagship_quality_bonus: float = 0.05
    # Douyin and Tmall require agents 08:00-23:00 (platform-rules.md: DY-消极服务, 旺旺3分钟
    # 人工响应率): honest shops staff at least those hours.
    chat_hours: Choice[tuple[int, int]] = field(default=choice([((0, 24), 0.3), ((8, 23), 0.7)]))
    # median reply latency inside working hours (the platforms expect well under a minute)
    reply_minutes: LogNormal = field(default=LogNormal(0.33, 0.4))
    chat_miss_rate: Beta = field(default=Beta(0.003, 400))
    # median time to answer an after-sale request
    aftersale_hours: LogNormal = field(default=LogNormal(5.0, 0.9))
    refusal_rate: Beta = field(default=Beta(0.04, 8))  # unjustified refusals of valid requests
    presale_user_share: float = 0.2
    presale_rate: Beta = field(default=Beta(0.3, 4))
    live_user_share: float = 0.4
    live_rate: Beta = field(default=Beta(0.35, 4))
    video_user_share: float = 0.3  # merchants selling through a short video with a ship promise
    video_rate: Beta = field(default=Beta(0.15, 6))
    video_promise_hours: Choice[int] = field(default=choice([(24, 0.6), (48, 0.4)]))
    promise_hours: Choice[int] = field(
        default=choice([(24, 0.25), (48, 0.5), (72, 0.1), (0, 0.15)])
    )  # listing ship-by promise; 0 = none (the pack's default applies)
    listings: tuple[int, int] = (3, 12)
    cross_border_share: float = 0.04  # ships from abroad with an international carrier


@dataclass(frozen=True, slots=True)
class ConsumerMix:
    """Who buys. Honest consumers are the large majority; abusers (2 % together, the share the
    simulator always had) mostly buy normally and abuse a minority of their orders."""

    frequency: LogNormal = field(default=LogNormal(1.0, 0.9))
    review_rate: Beta = field(default=Beta(0.35, 4))
    complaint_rate: Beta = field(default=Beta(0.05, 3))
    # Account age at the run's start: most buyers have had their account for years.
    account_age_days: LogNormal = field(default=LogNormal(700.0, 0.9))
    # Honest buyers who open their account shortly before or during the run: new is not abuse.
    new_account_share: float = 0.05
    # Honest buyers who share a delivery address with family: a shared door is not abuse.
    household_share: float = 0.12
    # Fashion buyers who order several sizes and send the rest back, goods always returned.
    heavy_returner_share: float = 0.03
    heavy_return_factor: float = 8.0  # x their no-reason return rate
    # Serial returners who wear and return (wardrobing), late in the no-reason window.
    wardrober_share: float = 0.006
    # Returners who send back an empty box or a cheaper, different item.
    empty_box_share: float = 0.004
    # Consumers who claim "not received" on parcels the tracking shows signed for.
    not_received_share: float = 0.005
    # New accounts in small rings sharing one delivery address, burnt within weeks.
    ring_share: float = 0.005
    ring_size: tuple[int, int] = (3, 6)
    ring_spread_days: float = 3.0  # a ring's accounts are opened within a few days
    ring_life_days: LogNormal = field(default=LogNormal(12.0, 0.4))  # then abandoned
    ring_frequency_factor: float = 4.0  # they buy in bursts while the accounts live
    # Share of an abuser's delivered orders they abuse: a minority, most orders are normal.
    abuse_rate: Beta = field(default=Beta(0.2, 8))
    ring_abuse_rate: Beta = field(default=Beta(0.45, 8))  # burner accounts abuse more often
    # Abusers with a clean history first: they turn abusive part-way through the run.
    late_abuser_share: float = 0.3

    @property
    def abuser_share(self) -> float:
        return (
            self.wardrober_share
            + self.empty_box_share
            + self.not_received_share
            + (self.ring_share)
        )


@dataclass(frozen=True, slots=True)
class OrderMix:
    items: Choice[int] = field(default=choice([(1, 0.75), (2, 0.18), (3, 0.07)]))
    quantity: Choice[int] = field(default=choice([(1, 0.86), (2, 0.11), (3, 0.03)]))
    coupon_rate: float = 0.3
    coupon_percent: Choice[int] = field(
        default=choice([(5, 0.4), (10, 0.35), (15, 0.15), (20, 0.1)])
    )
    pay_seconds: LogNormal = field(default=LogNormal(40.0, 1.2))
    unpaid_rate: float = 0.03
    unpaid_cancel_minutes: int = 30
    consumer_cancel_rate: float = 0.02  # refund before shipment (changed mind)
    presale_days: tuple[int, int] = (5, 15)
    presale_season_factor: float = 2.0
    live_promise: Literal["same_day", "next_day"] = "same_day"
    pre_chat_rate: float = 0.06
    chat_promise_rate: float = 0.5
    chat_promise_hours: int = 24
    post_chat_rate: float = 0.04
    trouble_chat_rate: float = 0.35  # late, stalled, lost or never-shipped orders
    chat_rating_rate: float = 0.3
    review_hours: LogNormal = field(default=LogNormal(30.0, 1.0))
    click_to_pickup_hours: LogNormal = field(default=LogNormal(2.0, 0.6))
    false_ship_never_share: float = 0.4  # false shipments never picked up at all
    false_ship_pickup_hours: tuple[float, float] = (30.0, 120.0)
    reused_share: float = 0.4  # fake tracking: a reused number (else a trace before payment)
    no_reason_rate: float = 0.03  # 7-day no-reason returns (scaled by industry)
    quality_rate: float = 0.15  # x (1 - quality): quality returns
    not_described_rate: float = 0.15  # orders of a misleading listing
    damage_claim_rate: float = 0.7
    not_received_claim_rate: float = 0.85
    exchange_share: float = 0.3  # apparel no-reason requests that ask for another size
    # Legitimate "not received" on a signed parcel (a locker, a neighbour, a careless courier).
    signed_missing_rate: float = 0.002
    # Merchants refuse "not received" on a signed parcel: they see the signature, not the truth.
    abuse_refusal_rate: float = 0.6
    wrong_item_share: float = 0.35  # of swap returns: a different item (else an empty box)
    ring_empty_box_share: float = 0.4  # ring abuse: an empty box (else "not received")
    worn_noticed_rate: float = 0.7  # merchants who see worn goods report them at reception
    swap_noticed_rate: float = 0.95  # an empty box or a wrong item is nearly always seen
    return_damage_rate: float = 0.03  # honest returns damaged in transit back
    damaged_dispute_rate: float = 0.3  # merchants who dispute an honest return that came damaged
    # When an honest consumer asks for a no-reason return after delivery (within 7 days).
    no_reason_request_hours: LogNormal = field(default=LogNormal(30.0, 0.9))
    wardrobe_request_days: tuple[float, float] = (4.5, 6.9)  # worn first, returned late
    ring_request_hours: tuple[float, float] = (0.5, 12.0)  # burner accounts claim fast
    escalate_rate: float = 0.6
    # Once escalated, the merchant uploads its evidence for the platform (a proposal) this
    # many hours later (median); a planted "overdue tickets" merchant never does.
    escalation_reply_hours: LogNormal = field(default=LogNormal(3.0, 0.8))
    platform_accuracy: float = 0.9
    system_timeout_hours: float = 48.0  # no merchant answer: the request is auto-approved
    return_ship_hours: LogNormal = field(default=LogNormal(20.0, 0.7))
    return_transit_hours: LogNormal = field(default=LogNormal(60.0, 0.4))
    complaint_trouble_factor: float = 3.0
    # A complaint's ticket (issue 14): the merchant answers it in chat within ``complaint_
    # answer_hours`` with this share of its ``escalation_reply_rate``; of the rest, half answer
    # late (``complaint_late_hours``) and half never. Drawn per complaint from a generator of
    # its own, so the rest of the world does not move.
    complaint_answer_rate: float = 0.9
    complaint_answer_hours: tuple[float, float] = (0.5, 20.0)
    complaint_late_hours: tuple[float, float] = (26.0, 72.0)


@dataclass(frozen=True, slots=True)
class Reactions:
    """How a merchant changes while a governance measure is in force."""

    penalty_late_factor: float = 0.25
    penalty_late_hours_factor: float = 0.5
    penalty_out_of_stock_factor: float = 0.5
    payout_late_factor: float = 0.85
    # A rectification plan (整改): the excess of each planned trait over the typical merchant's
    # is cut to this share while the plan runs (0: it does as well as a typical merchant, so a
    # plan can be completed), and to ``rectified_factor`` ** plans after it (merchants relapse
    # in part; anxin's choice, no published figure).
    rectify_factor: float = 0.0
    rectified_factor: float = 0.3
    # Pre-identification (issue 14): a consumer reached by the platform before they would have
    # asked for logistics help does not ask with this probability, and a reached consumer's
    # review of a late or stalled order loses this much less (stars). anxin's assumptions: the
    # platform publishes only the result (help requests halved).
    proactive_deflect: float = 0.8
    proactive_star_lift: float = 0.5
    # Reply tools (issue 14): an agent with the suggested reply ready answers a logistics
    # question in this share of its usual time (assumption; Douyin reports -16.8 % overall).
    reply_tools_factor: float = 0.5
    # Content with a hollow claim (issue 15): the consumers who bought on it review the order
    # this many stars lower (an assumption; it moves no other draw, so the world is the same).
    misled_star_penalty: float = 1.5


Span = tuple[float, float]  # a uniform draw between the two bounds


@dataclass(frozen=True, slots=True)
class ViolatorMix:
    """Merchants planted to break one enforcement rule each, otherwise drawn like the others.

    ``counts`` says how many of each type a world gets (at most ``max_merchant_share`` of its
    merchants, shared round-robin so every type gets one before any gets two). ``orders_per_day``
    is a planted shop's volume on an ordinary day (at most ``max_volume_share`` of the world's
    volume together); the other merchants keep their relative sizes and are rescaled so the
    world's total volume does not change. Intensities are drawn per merchant from the spans.
    """

    counts: tuple[tuple[str, int], ...] = tuple(
        (t, 2 if t == "late_shipment_shop" else 3) for t in VIOLATION_TYPES
    )
    max_merchant_share: float = 0.5
    max_volume_share: float = 0.45
    orders_per_day: tuple[tuple[str, float], ...] = (
        ("malicious_non_delivery", 12.0),  # a small scam shop
        ("false_inventory", 80.0),
        ("false_promise", 20.0),
        ("trajectory_anomaly", 60.0),
        ("fraud_shipping", 15.0),
        ("late_shipment_shop", 170.0),  # one of the marketplace's biggest shops
        ("negative_service", 30.0),
        ("unjustified_refusal", 130.0),  # enough requests for ≥ 5 overturned refusals a day
        ("overdue_tickets", 25.0),
    )
    # malicious non-delivery: paid orders never shipped nor cancelled; the consumer chases,
    # then asks a refund this many hours after the due
    non_delivery_rate: Span = (0.4, 0.6)
    non_delivery_refund_hours: Span = (24.0, 144.0)
    # false inventory: sells stock it does not have, then cancels as out of stock itself
    false_inventory_rate: Span = (0.35, 0.55)
    false_inventory_cancel_hours: float = 20.0  # cancelled within this many hours of payment
    # false promise: a selling video promising 24 h while the shop ships at its listing's 72 h
    false_promise_video_rate: Span = (0.5, 0.7)
    false_promise_ship_fraction: Span = (0.5, 0.65)
    # trajectory anomaly: numbers uploaded with no parcel behind them, or a bought trace
    false_ship_rate: Span = (0.18, 0.28)
    fake_tracking_rate: Span = (0.1, 0.18)
    # fraud shipping: empty parcels
    fraud_ship_rate: Span = (0.25, 0.35)
    # late-shipment shop: a sales surge (a viral hit) the warehouse cannot handle: parcels due
    # on the meltdown days are mostly late
    surge_factor: Span = (2.2, 2.8)
    meltdown_days: tuple[int, int] = (3, 5)
    meltdown_late_rate: Span = (0.6, 0.75)
    # negative service: one slow agent for a shop whose goods raise many questions
    reply_minutes: Span = (4.0, 10.0)
    chat_miss_rate: Span = (0.35, 0.5)
    chat_factor: Span = (3.5, 4.5)
    # unjustified refusal: poor goods, and most return or refund requests refused
    refusal_rate: Span = (0.8, 0.95)
    refuser_quality: Span = (0.35, 0.5)
    # overdue tickets: refuses more than most and never answers the platform's escalations
    overdue_refusal_rate: Span = (0.25, 0.35)

    def count(self, violation: str) -> int:
        return dict(self.counts).get(violation, 0)

    def volume(self, violation: str) -> float:
        return dict(self.orders_per_day)[violation]


@dataclass(frozen=True, slots=True)
class Mix:
    merchants: MerchantMix = field(default=MerchantMix())
    consumers: ConsumerMix = field(default=ConsumerMix())
    orders: OrderMix = field(default=OrderMix())
    reactions: Reactions = field(default=Reactions())
    violators: ViolatorMix = field(default=ViolatorMix())


DEFAULT_MIX = Mix()
