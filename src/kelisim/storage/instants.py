"""Instants read back from either store: SQLite returns naive datetimes, and every instant
kelisim stores is UTC, so a naive one is made aware as UTC here, once for every repository."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def aware(value: Any) -> Any:
    """`value` itself, unless it is a naive datetime: then the same instant in UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
