"""One place per carrier: each carrier module's ``CARRIER`` is listed once in ``MODULES``, and
that one line gives it its vocabulary (codes, zone, aliases) and its place in detection."""

from __future__ import annotations

import importlib
import pkgutil

from anxin.tracking import carriers
from anxin.tracking.carriers import DEFAULT, MODULES, canonical, vocabulary
from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.parsers import ENTRIES, PARSED_CARRIERS


def _carrier_modules() -> dict[str, Carrier]:
    found: dict[str, Carrier] = {}
    for info in pkgutil.iter_modules(carriers.__path__):
        module = importlib.import_module(f"{carriers.__name__}.{info.name}")
        carrier = getattr(module, "CARRIER", None)
        if isinstance(carrier, Carrier):
            found[info.name] = carrier
    return found


def test_every_carrier_module_is_registered_once() -> None:
    modules = _carrier_modules()
    assert len(modules) == 25
    assert sorted(id(c) for c in modules.values()) == sorted(id(c) for c in MODULES)
    assert len({n for c in MODULES for n in c.names}) == sum(len(c.names) for c in MODULES)


def test_registration_gives_vocabulary_aliases_and_detection() -> None:
    entries = {e.names: e for e in ENTRIES}
    for carrier in MODULES:
        for name in carrier.names:
            vocab = vocabulary(name)
            assert (vocab.name, vocab.zone, vocab.codes) == (name, carrier.zone, carrier.codes)
            assert name in PARSED_CARRIERS
        for alias in carrier.aliases:
            assert canonical(alias) == carrier.names[0]
        entry = entries[carrier.names]
        assert (entry.json, entry.xml) == (carrier.json, carrier.xml)
    assert canonical("fdx") == "fedex"
    assert "usps_international" in DEFAULT
