"""The carrier registry: every carrier's vocabulary (codes, text rules, time zone), looked up by
name or alias, plus the aggregator code schemes.

Carriers: ``MODULES`` lists the international carriers, one module each (``carriers.fedex``,
``carriers.usps``, ``carriers.dpd`` …: table, parsers, aliases, detection; see
``carriers.carrier.Carrier``).

Extension point: ``registry(extra)`` returns a registry with more (or overriding) vocabularies,
e.g. ``registry([vocabulary("sf").extended(codes={...})])``; ``normalize`` accepts it. Carrier
tables themselves are data: ``zh_codes`` (with the simulator's codes) for the Chinese carriers,
one module per international carrier (``MODULES``); the text rules are ``zh_text``, ``en_text``
and ``intl_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from anxin.tracking.carriers import (
    asendia,
    australiapost,
    bpost,
    canadapost,
    chronopost,
    dhl_express,
    dhl_parcel_de,
    dhl_poland,
    dhl_universal,
    dpd,
    en_text,
    fedex,
    gls,
    hermes,
    intl_text,
    landmark,
    laposte,
    milestones,
    mydhl,
    parcelone,
    purolator,
    seko,
    sendle,
    smartkargo,
    spring,
    teleship,
    ups,
    usps,
    zh_codes,
    zh_text,
)
from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.rules import CarrierVocabulary, Outcome, codes

CHINA_ZONE = "Asia/Shanghai"

GENERIC_ZH = CarrierVocabulary("generic_zh", codes({}), zh_text.RULES, CHINA_ZONE)
# Latin-script text: English first, then Spanish, Portuguese, French and German.
TEXT_RULES = (*en_text.RULES, *intl_text.RULES)
GENERIC_EN = CarrierVocabulary("generic", codes({}), TEXT_RULES, "UTC")

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese() -> Iterable[CarrierVocabulary]:
    for name in zh_codes.CHINESE:
        table: dict[str, Outcome] = {}
        table.update(zh_codes.SIMULATOR.get(name, {}))
        table.update(zh_codes.CARRIER_CODES.get(name, {}))
        yield CarrierVocabulary(
            name, codes(table), zh_text.RULES, CHINA_ZONE, zh_codes.ALIASES.get(name, ())
        )


# One module per carrier (table, parsers, aliases, detection): a new carrier is one line here.
# The order is the order payloads are tried in when no carrier is named (specific shapes
# first: Landmark's TrackResponse after USPS's, for one).
MODULES: tuple[Carrier, ...] = (
    fedex.CARRIER,
    usps.CARRIER,
    ups.CARRIER,
    dhl_universal.CARRIER,
    mydhl.CARRIER,
    asendia.CARRIER,
    teleship.CARRIER,
    sendle.CARRIER,
    smartkargo.CARRIER,
    australiapost.CARRIER,
    laposte.CARRIER,
    gls.CARRIER,
    hermes.CARRIER,
    parcelone.CARRIER,
    seko.CARRIER,
    spring.CARRIER,
    canadapost.CARRIER,
    dhl_express.CARRIER,
    dhl_parcel_de.CARRIER,
    dhl_poland.CARRIER,
    dpd.CARRIER,
    bpost.CARRIER,
    chronopost.CARRIER,
    landmark.CARRIER,
    purolator.CARRIER,
)


def _international() -> Iterable[CarrierVocabulary]:
    for module in MODULES:
        yield from module.vocabularies()


def key(name: str) -> str:
    """A carrier name as the registry keys it: case-folded, separators unified."""
    return re.sub(r"[\s\-.]+", "_", name.strip().casefold())


Registry = Mapping[str, CarrierVocabulary]


def registry(extra: Iterable[CarrierVocabulary] = ()) -> Registry:
    """Vocabularies by canonical name and by alias; ``extra`` ones override built-in ones."""
    table: dict[str, CarrierVocabulary] = {}
    for vocab in (*_chinese(), *_international(), milestones.VOCABULARY, *extra):
        for name in (vocab.name, *vocab.aliases):
            table[key(name)] = vocab
    return MappingProxyType(table)


DEFAULT: Registry = registry()
SCHEMES: Mapping[str, Mapping[str, Outcome]] = zh_codes.SCHEMES


def canonical(name: str, vocabularies: Registry = DEFAULT) -> str:
    """The registry's name for a carrier (``shunfeng`` → ``sf``); unknown names pass through."""
    hit = vocabularies.get(key(name))
    return hit.name if hit is not None else key(name)


def vocabulary(carrier: str, text: str = "", vocabularies: Registry = DEFAULT) -> CarrierVocabulary:
    """The carrier's vocabulary; an unknown carrier gets generic rules for its text's language."""
    hit = vocabularies.get(key(carrier))
    if hit is not None:
        return hit
    return GENERIC_ZH if _CJK.search(text) else GENERIC_EN


def zone_of(carrier: str | None, default: str = "UTC", vocabularies: Registry = DEFAULT) -> str:
    """The zone a carrier writes offset-less times in; ``default`` for carriers not registered."""
    hit = vocabularies.get(key(carrier)) if carrier else None
    return hit.zone if hit is not None else default
