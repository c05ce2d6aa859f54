"""Numbers and text as people type them, checked before they reach storage.

`str.isdigit()` holds for superscripts and other scripts' digits: `int("²")` then fails and
`int("٣")` reads 3, so a number typed here is ASCII digits only, within what a column holds.
PostgreSQL refuses a NUL character in text that SQLite stores, so text with one is refused
before any query, the same on both databases (issue 17).
"""

from __future__ import annotations

from kelisim.domain.errors import InvalidInput

INT4_MAX = 2**31 - 1
"""The largest id an INTEGER column holds on PostgreSQL."""


def ascii_number(text: str, *, maximum: int = INT4_MAX) -> int | None:
    """The number `text` spells in ASCII digits, or None (also above `maximum`)."""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def storable(text: str | None) -> bool:
    """Whether text can be stored and looked up on every database (no NUL character)."""
    return text is None or "\x00" not in text


def stored_text(value: str, field: str) -> str:
    """`value` unchanged, or InvalidInput naming `field` if no database could store it."""
    if not storable(value):
        raise InvalidInput(f"{field} may not contain a NUL character (U+0000).", field=field)
    return value
