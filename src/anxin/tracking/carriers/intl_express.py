"""Code tables of the express and North American carriers, as data (written from each carrier's
published event vocabulary and the sample payloads; unknown codes fall back to the text rules).

Codes whose meaning varies with the event (umbrella categories) are *coarse*: the text may pick
a more precise status. Composite codes are written ``primary/secondary`` by the parsers; lookup
tries the most specific part first.
"""

from __future__ import annotations

from collections.abc import Mapping

from anxin.tracking.rules import Outcome, code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# UPS activity ``status.type``: one letter per category, so every one but D is coarse.
UPS = codes(
    {
        "M": code(S.info_received),  # manifest / billing information received
        "MV": code(S.exception, R.cancelled),  # billing information voided
        "P": code(S.picked_up, coarse=True),
        "I": code(S.in_transit, coarse=True),
        "W": code(S.in_transit, coarse=True),  # warehousing
        "O": code(S.out_for_delivery, coarse=True),
        "D": code(S.delivered),
        "X": code(S.exception, coarse=True),
        "RS": code(S.returning, coarse=True),
    }
)


# DHL Express checkpoint codes (XML Tracking and MyDHL API).
DHL_EXPRESS = codes(
    {
        "SA": code(S.picked_up),  # shipment acceptance
        "PU": code(S.picked_up),
        "PL": code(S.at_hub),  # processed at location
        "AF": code(S.at_hub),  # arrived at facility
        "AR": code(S.at_hub),  # arrived at delivery facility
        "PO": code(S.in_transit, coarse=True),  # processed at / departing origin
        "DF": code(S.in_transit),
        "TP": code(S.in_transit),  # forwarded to a third party
        "IC": code(S.in_transit),  # in clearance processing
        "CR": code(S.in_transit),  # clearance release
        "CC": code(S.in_transit, coarse=True),
        "WC": code(S.out_for_delivery),
        "OK": code(S.delivered),
        "NH": code(S.delivery_failed, R.not_home),
        "CA": code(S.delivery_failed, R.business_closed),  # closed on arrival
        "BA": code(S.delivery_failed, R.address_problem),
        "CM": code(S.delivery_failed, R.address_problem),  # consignee moved
        "MD": code(S.exception, R.delayed),  # missed delivery cycle
        "TD": code(S.exception, R.delayed),  # transport delay
        "MS": code(S.exception, R.missorted),
        "CD": code(S.exception, R.customs),  # controllable clearance delay
        "UD": code(S.exception, R.customs),  # uncontrollable clearance delay
        "HP": code(S.exception, R.duties_unpaid),  # held for payment
        "OH": code(S.exception, R.held),
        "SS": code(S.exception, R.held),  # shipment stopped
        "DA": code(S.exception, coarse=True),
        "RD": code(S.returning, R.refused, coarse=True),  # refused delivery
        "RT": code(S.returning, coarse=True),  # returned to consignor
    }
)

# The Unified Shipment Tracking API's ``statusCode`` is a five-value umbrella.
DHL_UNIVERSAL = codes(
    {
        "pre-transit": code(S.info_received, coarse=True),
        "transit": code(S.in_transit, coarse=True),
        "delivered": code(S.delivered),
        "failure": code(S.exception, coarse=True),
    }
)

# DHL Parcel Germany: ``standard-event-code`` and the ``ice`` event codes.
DHL_PARCEL_DE = codes(
    {
        "ES": code(S.picked_up),  # posted by the sender (Einlieferung)
        "AE": code(S.picked_up),  # picked up (Abholung erfolgreich)
        "AA": code(S.at_hub, coarse=True),  # origin parcel centre (or leaving a Packstation)
        "EE": code(S.at_hub),  # destination parcel centre
        "PO": code(S.out_for_delivery),  # loaded onto the delivery vehicle
        "ZU": code(S.delivered),
        "SHRCU": code(S.picked_up),
        "PCKDU": code(S.picked_up),
        "LDTMV": code(S.in_transit, coarse=True),
        "ULFMV": code(S.at_hub, coarse=True),
        "SRTED": code(S.at_hub, coarse=True),
        "DLVRD": code(S.delivered),
    }
)

# Canada Post ``event-identifier`` (20: signature image recorded, informational, left unmapped).
CANADA_POST = codes(
    {
        "0100": code(S.at_hub),
        "0173": code(S.exception, R.address_problem),
        "0174": code(S.out_for_delivery),
        "1496": code(S.delivered),
    }
)

# Purolator ``ScanType`` ("Other" is left to the text).
PUROLATOR = codes(
    {
        "ProofOfPickUp": code(S.picked_up),
        "OnDelivery": code(S.out_for_delivery),
        "Delivery": code(S.delivered),
        "Undeliverable": code(S.delivery_failed),
    }
)

# (name, zone for offset-less times, codes, aliases). Multi-zone carriers default to UTC.
TABLES: tuple[tuple[str, str, Mapping[str, Outcome], tuple[str, ...]], ...] = (
    ("ups", "UTC", UPS, ()),
    ("dhl_express", "UTC", DHL_EXPRESS, ("dhl",)),
    ("mydhl", "UTC", DHL_EXPRESS, ()),
    ("dhl_universal", "UTC", DHL_UNIVERSAL, ()),
    ("dhl_parcel_de", "Europe/Berlin", DHL_PARCEL_DE, ("dhl_de", "deutschepost")),
    ("dhl_poland", "Europe/Warsaw", codes({}), ()),
    ("canadapost", "America/Toronto", CANADA_POST, ("canada_post",)),
    ("purolator", "America/Toronto", PUROLATOR, ()),
)
