"""The UI's three languages: choosing one per request, its catalog, and Babel formatting.

Kazakh, Russian and English (the languages the Parties' officials work in). Catalogs are the
committed `.po` files under `kelisim/locale/`, compiled in memory the first time a language is
used (docs/decisions/0007-ui-translations.md): a fresh `pip install .` needs no build step and no
compiled `.mo` can fall out of step with its source. Dates and numbers go through Babel's CLDR
data in the chosen language, never through `strftime`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
FALLBACK = "ru"
LANGUAGE_NAMES: Mapping[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANG_COOKIE = "kelisim_lang"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (gettext convention)."""
    return message


@cache
def translations(lang: str) -> Translations:
    """The catalog of `lang`, compiled from its .po source (English is the source language)."""
    source = resources.files("kelisim.locale") / lang / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain="messages")


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """`?lang=` first, then the remembered choice, then the browser's Accept-Language."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    for tag in _accept_language(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return FALLBACK


def _accept_language(header: str) -> list[str]:
    """Language tags by descending q (RFC 9110 §12.5.4); malformed weights count as 0."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


class Formatter:
    """Dates and numbers in one language, for templates."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = Locale.parse(lang)

    def date(self, value: date | str | None, style: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, format=style, locale=self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)
