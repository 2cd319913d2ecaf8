"""Code tables of the European, Australian and cross-border parcel carriers, as data (written from
each carrier's published event vocabulary and the sample payloads; unknown codes fall back to
the text rules). See ``intl_express`` for the conventions."""

from __future__ import annotations

from collections.abc import Mapping

from anxin.tracking.rules import Outcome, code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# DPD ParcelLifeCycle ``status`` names.
DPD = codes(
    {
        "ACCEPTED": code(S.picked_up),
        "PickedUp": code(S.picked_up),
        "BetweenDepots": code(S.in_transit, coarse=True),
        "AT_SENDING_DEPOT": code(S.at_hub),
        "ON_THE_ROAD": code(S.in_transit),
        "Depot": code(S.at_hub),
        "AT_DELIVERY_DEPOT": code(S.at_hub),
        "Courier": code(S.out_for_delivery),
        "ParcelShop": code(S.ready_for_pickup),
        "Delivered": code(S.delivered),
        "DELIVERED": code(S.delivered),
        "DeliveryFailure": code(S.delivery_failed),
        # Back at the depot after a failed attempt: the attempt failed.
        "ReturningFromDelivery": code(S.delivery_failed),
    }
)

GLS = codes(
    {
        "INTIAL.PREADVICE": code(S.info_received),  # sic: GLS spells it so
        "INITIAL.PREADVICE": code(S.info_received),
        "INTIAL.NORMAL": code(S.picked_up),  # handed over to GLS
        "INITIAL.NORMAL": code(S.picked_up),
        "PREADVICE": code(S.info_received),
        "INTRANSIT": code(S.in_transit, coarse=True),
        "INWAREHOUSE": code(S.at_hub),
        "INDELIVERY": code(S.out_for_delivery),
        "DELIVEREDPS": code(S.ready_for_pickup),  # delivered to a ParcelShop
        "DELIVERED": code(S.delivered),
        "NOTDELIVERED": code(S.delivery_failed),
        "CANCELED": code(S.exception, R.cancelled),
    }
)

HERMES = codes(
    {
        "0000": code(S.info_received),  # notified electronically
        "2000": code(S.at_hub),  # at a Hermes distribution centre
        "3000": code(S.out_for_delivery),
        "3500": code(S.delivered),
    }
)

# La Poste / Colissimo tracking event codes.
LAPOSTE = codes(
    {
        "DR1": code(S.info_received),  # declared, being prepared by the sender
        "PC1": code(S.picked_up),  # taken in charge
        "PC2": code(S.picked_up),
        "ET1": code(S.in_transit),
        "ET2": code(S.in_transit),
        "ET3": code(S.in_transit),
        "ET4": code(S.in_transit),
        "EP1": code(S.in_transit),  # awaiting presentation
        "DO1": code(S.in_transit),  # into customs
        "DO2": code(S.in_transit),  # out of customs
        "DO3": code(S.exception, R.customs),  # held by customs
        "PB1": code(S.exception),
        "PB2": code(S.in_transit),  # problem solved
        "MD2": code(S.out_for_delivery),
        "AG1": code(S.ready_for_pickup),
        "ND1": code(S.delivery_failed),
        "RE1": code(S.returning),
        "DI1": code(S.delivered),
        "DI2": code(S.returned),  # delivered to the sender
    }
)

CHRONOPOST = codes(
    {
        "DC": code(S.info_received),
        "DB": code(S.picked_up),  # handed over by the shipper
        "DY": code(S.picked_up),  # registered by the post office
        "SC": code(S.at_hub),  # sorted at departure
        "TS": code(S.in_transit),
        "SD": code(S.at_hub),  # sorted at delivery location
        "TA": code(S.out_for_delivery),
        "D": code(S.delivered),
    }
)

BPOST = codes(
    {
        "T00": code(S.at_hub),  # sorted
        "L00": code(S.out_for_delivery),  # bound to round
        "U01": code(S.delivered),
    }
)

ASENDIA = codes(
    {
        "PU": code(S.picked_up),
        "IT": code(S.in_transit),
        "DL": code(S.delivered),
    }
)

# Landmark Global event codes: 50-100 are order data, 125-275 movement, 300+ the last mile.
LANDMARK = codes(
    {
        "50": code(S.info_received),
        "60": code(S.info_received),
        "75": code(S.info_received),
        "80": code(S.info_received),
        "100": code(S.info_received),
        "125": code(S.in_transit),  # customs transmission / cleared
        "150": code(S.in_transit),  # crossing the border
        "155": code(S.at_hub, coarse=True),
        "200": code(S.in_transit, coarse=True),
        "225": code(S.at_hub, coarse=True),  # facility scans, incoming or outgoing
        "250": code(S.in_transit),  # customs clearance in progress
        "275": code(S.in_transit, coarse=True),
        "300": code(S.out_for_delivery),
        "400": code(S.delivery_failed),  # attempted delivery
        "500": code(S.delivered),
        "900": code(S.delivery_failed),
    }
)

PARCELONE = codes(
    {
        "CREATED": code(S.info_received),
        "REGISTERED": code(S.info_received),
        "IN_TRANSIT": code(S.in_transit),
        "ARRIVED": code(S.at_hub),
        "OUT_FOR_DELIVERY": code(S.out_for_delivery),
        "DELIVERED": code(S.delivered),
    }
)

# SEKO Omni ``OmniCode``.
SEKO = codes(
    {
        "OP-1": code(S.info_received),
        "OP-8": code(S.info_received),
        "OP-3": code(S.at_hub),  # export hub
        "OP-4": code(S.in_transit, coarse=True),  # handed over / international transit
        "OP-50": code(S.at_hub),
        "OP-79": code(S.in_transit),
        "OP-21": code(S.out_for_delivery),
        "OP-72": code(S.delivered),
    }
)

# Sendle ``event_type``.
SENDLE = codes(
    {
        "Pickup Attempted": code(S.exception, R.not_ready),
        "Pickup": code(S.picked_up),
        "Drop Off": code(S.picked_up),
        "Dropped Off": code(S.picked_up),
        "In Transit": code(S.in_transit, coarse=True),
        "Out for Delivery": code(S.out_for_delivery),
        "Local Delivery": code(S.out_for_delivery),
        "Delivery Attempted": code(S.delivery_failed),
        "Card Left": code(S.delivery_failed, R.not_home),
        "Left with Agent": code(S.ready_for_pickup),
        "Unable to Deliver": code(S.delivery_failed),
        "Damaged": code(S.exception, R.damaged),
        "Delivered": code(S.delivered),
    }
)

# SmartKargo air-cargo status codes (Cargo-IMP style).
SMARTKARGO = codes(
    {
        "BKD": code(S.info_received),  # booked
        "RCS": code(S.picked_up),  # received from shipper
        "MAN": code(S.in_transit),  # manifested
        "DEP": code(S.in_transit),
        "ARR": code(S.in_transit),  # flight arrived
        "RCF": code(S.at_hub),  # received from flight
        "TFD": code(S.in_transit),  # transferred
        "CCD": code(S.in_transit),  # customs cleared
        "NFD": code(S.ready_for_pickup),  # consignee notified for delivery
        "DLV": code(S.delivered),
        "DDL": code(S.delivered),
        "DIS": code(S.exception),  # discrepancy
        "PND": code(S.in_transit, coarse=True),
    }
)

SPRING = codes(
    {
        "0": code(S.info_received),
        "20": code(S.picked_up),  # accepted
        "21": code(S.in_transit),
        "91": code(S.delivery_failed),
        "92": code(S.ready_for_pickup),
        "100": code(S.delivered),
        "111": code(S.exception, R.lost),
        "124": code(S.returning),
        "125": code(S.returned),
    }
)

# Teleship has a dedicated out_for_delivery code, so its ``in_transit`` is taken at its word.
TELESHIP = codes(
    {
        "created": code(S.info_received),
        "label_created": code(S.info_received),
        "pending": code(S.info_received),
        "collected": code(S.picked_up),
        "in_hub": code(S.at_hub),
        "in_transit": code(S.in_transit),
        "customs_cleared": code(S.in_transit),
        "out_for_delivery": code(S.out_for_delivery),
        "delivered": code(S.delivered),
        "delivery_failed": code(S.delivery_failed),
        "returned": code(S.returning),
        "cancelled": code(S.exception, R.cancelled),
    }
)

TABLES: tuple[tuple[str, str, Mapping[str, Outcome], tuple[str, ...]], ...] = (
    ("dpd", "Europe/Berlin", DPD, ()),
    ("gls", "Europe/Berlin", GLS, ()),
    ("hermes", "Europe/Berlin", HERMES, ("evri",)),
    ("laposte", "Europe/Paris", LAPOSTE, ("colissimo", "la_poste")),
    ("chronopost", "Europe/Paris", CHRONOPOST, ()),
    ("bpost", "Europe/Brussels", BPOST, ()),
    ("australiapost", "Australia/Sydney", codes({}), ("auspost", "australia_post")),
    ("asendia", "UTC", ASENDIA, ()),
    ("landmark", "UTC", LANDMARK, ("landmark_global",)),
    ("parcelone", "Europe/Berlin", PARCELONE, ()),
    ("seko", "Europe/London", SEKO, ("omniparcel",)),
    ("sendle", "Australia/Sydney", SENDLE, ()),
    ("smartkargo", "UTC", SMARTKARGO, ()),
    ("spring", "Europe/Amsterdam", SPRING, ("spring_gds",)),
    ("teleship", "UTC", TELESHIP, ()),
)
