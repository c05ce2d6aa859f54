"""Reading the fields of a signed statement received from another node, refusing what is
malformed with a FederationError naming the field (never a KeyError or TypeError)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from kelisim.domain.errors import FederationError

T = TypeVar("T")
PARTY_CODE = re.compile(r"[A-Z]{3}")


def mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FederationError(f"{what} must be a JSON object (issue 14)")
    return value


def field(data: Mapping[str, Any], name: str, kind: type[T], what: str, *,
          optional: bool = False) -> T:
    if name not in data:
        raise FederationError(f"{what} has no {name!r} (issue 14)")
    value = data[name]
    if value is None and optional:
        return value  # type: ignore[return-value]
    # bool is an int in Python, never in these statements
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FederationError(f"{what}: {name!r} must be {_kind_name(kind)}"
                              f"{' or null' if optional else ''} (issue 14)")
    return value


def expect_type(data: Mapping[str, Any], expected: str, what: str) -> None:
    if data.get("type") != expected:
        raise FederationError(f"{what} must be a statement of type {expected!r}, not "
                              f"{data.get('type')!r} (issue 14)")


def iso_date(value: date) -> str:
    return value.isoformat()


def iso_instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise FederationError("a federation instant must be timezone-aware (UTC)")
    return value.astimezone(UTC).isoformat()


def parse_date(text: str, what: str) -> date:
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.isoformat() != text:
        raise FederationError(f"{what} must be a date YYYY-MM-DD, not {text!r} (issue 14)")
    return parsed


def parse_instant(text: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or iso_instant(parsed) != text:
        raise FederationError(f"{what} must be a UTC instant in ISO 8601 form, not {text!r} "
                              f"(issue 14)")
    return parsed


def check_party(party: object, what: str) -> None:
    if party is not None and (not isinstance(party, str) or not PARTY_CODE.fullmatch(party)):
        raise FederationError(f"{what}: a Party is its ISO 3166 alpha-3 code, not {party!r} "
                              f"(Art. 2; issue 14)")


def _kind_name(kind: type) -> str:
    names: dict[type, str] = {str: "a string", int: "an integer", list: "a list",
                              dict: "an object"}
    return names.get(kind, kind.__name__)
