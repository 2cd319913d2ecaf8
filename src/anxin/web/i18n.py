"""One glossary for both languages: every word a page shows, keyed, in Chinese and English.

The glossary lives in ``glossary/*.yaml`` (one file per set of pages, one namespace: a key
defined twice is an error, as is an entry missing a language). Pages pick the language from
``?lang=``, then the ``anxin_lang`` cookie, then the browser's ``Accept-Language``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT = "en"
GLOSSARY = Path(__file__).parent / "glossary"


class GlossaryError(ValueError):
    pass


@cache
def glossary() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(GLOSSARY.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, entry in doc.items():
            if key in out:
                raise GlossaryError(f"{path.name}: {key!r} is already defined")
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise GlossaryError(f"{path.name}: {key!r} needs exactly zh and en")
            out[str(key)] = {lang: str(entry[lang]) for lang in LANGS}
    return out


def term(key: str, lang: str) -> str:
    """The word for ``key`` (KeyError for a key the glossary lacks: a page never shows a key)."""
    return glossary()[key][lang]


def pick(query: str | None, cookie: str | None, accept: str | None) -> str:
    for choice in (query, cookie):
        if choice in LANGS:
            return str(choice)
    return "zh" if accept and accept.lower().lstrip().startswith("zh") else DEFAULT
