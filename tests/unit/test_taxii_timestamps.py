"""Versions are kept as fixed-width timestamps: the text route of `version_key` must give exactly
the string of the arithmetic route (parse, then format), and refuse what it refuses."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kelisim.domain.taxii import format_timestamp, parse_timestamp, version_key


def arithmetic(text: str) -> str:
    return format_timestamp(parse_timestamp(text))


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
       st.integers(min_value=0, max_value=9))
def test_the_text_route_gives_the_arithmetic_string(moment: datetime, digits: int) -> None:
    fraction = f"{moment.microsecond:06d}{moment.microsecond % 1000:03d}"[:digits]
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + "Z"
    assert version_key(text) == arithmetic(text)


@pytest.mark.parametrize("text", [
    "2016-12-31T23:59:60Z",          # a leap second: the arithmetic route
    "2016-12-31T23:59:60.5Z",
    "2025-01-01T00:00:00.1234567Z",  # more than microseconds: cut, as the arithmetic route does
    "0999-05-01T10:00:00.000Z",      # a year below 1000: the arithmetic route
])
def test_the_other_forms_take_the_arithmetic_route(text: str) -> None:
    assert version_key(text) == arithmetic(text)


@pytest.mark.parametrize("text", [
    "2025-02-30T00:00:00.000Z", "2025-13-01T00:00:00Z", "2025-01-01T24:00:00Z",
    "2025-01-01T00:60:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00", "x",
    "2025-01-01T00:00:00Z\n", "2025-01-01T00:00:00.000Z\n",
    "\uff12\uff10\uff12\uff16-01-01T00:00:00Z",  # full-width digits are no STIX timestamp
])
def test_what_is_not_a_timestamp_is_refused_by_both(text: str) -> None:
    with pytest.raises(ValueError):
        version_key(text)
    with pytest.raises(ValueError):
        arithmetic(text)


def test_a_version_sorts_as_its_instant() -> None:
    early, late = "2025-01-01T00:00:00.9Z", "2025-01-01T00:00:01Z"
    assert version_key(early) < version_key(late)
    assert parse_timestamp(late) - parse_timestamp(early) == 100_000


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_a_timestamp_is_formatted_as_rfc_3339_with_four_digit_years(moment: datetime) -> None:
    text = format_timestamp(parse_timestamp(
        f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"))
    assert text == f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"


def test_a_version_before_the_year_1000_keeps_its_place_in_the_order() -> None:
    assert version_key("0999-05-01T10:00:00Z") == "0999-05-01T10:00:00.000000Z"
    assert version_key("0999-05-01T10:00:00Z") < version_key("1000-01-01T00:00:00Z")
