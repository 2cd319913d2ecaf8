"""One carrier in one place: its code table, zone, aliases, and the parsers that detect and read
its payloads. A new carrier is one module defining a :class:`Carrier` and one line in
``anxin.tracking.carriers.MODULES`` (decision 0015); the vocabulary registry and the parser
dispatch are both built from that list.

Code tables are written from each carrier's published event vocabulary and its sample payloads;
unknown codes fall back to the text rules. Codes whose meaning varies with the event (umbrella
categories) are *coarse*: the text may pick a more precise status. Composite codes are written
``primary/secondary`` by the parsers; lookup tries the most specific part first."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from anxin.tracking.carriers import en_text, intl_text
from anxin.tracking.reading import JsonParser, XmlParser
from anxin.tracking.rules import CarrierVocabulary, Outcome, Rule


@dataclass(frozen=True, slots=True)
class Carrier:
    """``names``: the registry names this module answers for (the first is the default; a
    carrier with several API generations or services sharing one code list has several).
    Each parser returns ``None`` when a payload is not its shape: that is its detection."""

    names: tuple[str, ...]
    codes: Mapping[str, Outcome]
    zone: str = "UTC"  # where offset-less times are written
    aliases: tuple[str, ...] = ()
    json: JsonParser | None = None
    xml: XmlParser | None = None
    rules: Sequence[Rule] = (*en_text.RULES, *intl_text.RULES)

    def vocabularies(self) -> Iterator[CarrierVocabulary]:
        for i, name in enumerate(self.names):
            yield CarrierVocabulary(
                name, self.codes, self.rules, self.zone, self.aliases if i == 0 else ()
            )
