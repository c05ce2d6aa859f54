"""A calendar date in a query parameter: `YYYY-MM-DD` in ASCII digits, nothing else.

Why: pydantic also reads a number as seconds since 1970, so `on=-2e-256` asked for the status on
1970-01-01 instead of being refused; the treaty's dates are ISO 8601 calendar dates (and what the
API documents), so anything else is a malformed request (400).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD (ISO 8601), e.g. 2016-01-01")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
