"""The day-counting conventions of Art. 8, 13, 14 and 15, as the issue states them.

"30 days after" is the receipt date plus 30 calendar days; "6 months" is the same day of the
month six months later, clamped to the last day of a shorter month.
"""

from __future__ import annotations

from datetime import date

import pytest

from kelisim.domain import calendar


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(date(2014, 3, 1), 30, date(2014, 3, 31), id="1-march-plus-30-is-31-march"),
        pytest.param(date(2014, 1, 31), 30, date(2014, 3, 2), id="crosses-a-28-day-february"),
        pytest.param(date(2016, 1, 31), 30, date(2016, 3, 1), id="crosses-a-29-day-february"),
        pytest.param(date(2014, 12, 15), 30, date(2015, 1, 14), id="crosses-the-new-year"),
        pytest.param(date(2014, 3, 1), 0, date(2014, 3, 1), id="zero-days-is-the-same-day"),
    ],
)
def test_days_after_counts_calendar_days(start: date, days: int, expected: date) -> None:
    assert calendar.days_after(start, days) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2014, 8, 31), 6, date(2015, 2, 28), id="31-aug-to-28-feb-common-year"),
        pytest.param(date(2015, 8, 31), 6, date(2016, 2, 29), id="31-aug-to-29-feb-leap-year"),
        pytest.param(date(2015, 8, 29), 6, date(2016, 2, 29), id="29-aug-to-29-feb-leap-year"),
        pytest.param(date(2014, 8, 29), 6, date(2015, 2, 28), id="29-aug-to-28-feb-common-year"),
        pytest.param(date(2014, 12, 31), 6, date(2015, 6, 30), id="31-dec-to-30-jun"),
        pytest.param(date(2014, 6, 30), 6, date(2014, 12, 30), id="30-jun-to-30-dec-not-31"),
        pytest.param(date(2014, 7, 31), 6, date(2015, 1, 31), id="31-jul-to-31-jan"),
        pytest.param(date(2014, 3, 31), 6, date(2014, 9, 30), id="31-mar-to-30-sep"),
        pytest.param(date(2016, 2, 29), 6, date(2016, 8, 29), id="29-feb-to-29-aug"),
        pytest.param(date(2014, 5, 15), 6, date(2014, 11, 15), id="mid-month-same-year"),
        pytest.param(date(2014, 7, 1), 6, date(2015, 1, 1), id="crosses-the-new-year"),
        pytest.param(date(2014, 1, 31), 1, date(2014, 2, 28), id="one-month-clamps-too"),
        pytest.param(date(2014, 5, 15), 12, date(2015, 5, 15), id="twelve-months-is-a-year"),
    ],
)
def test_months_after_keeps_the_day_clamped_to_month_end(start: date, months: int,
                                                         expected: date) -> None:
    assert calendar.months_after(start, months) == expected


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        pytest.param(date(2014, 3, 1), date(2014, 3, 31), 30, id="thirty-days"),
        pytest.param(date(2014, 3, 1), date(2014, 3, 1), 0, id="same-day-is-zero"),
        pytest.param(date(2014, 3, 31), date(2014, 3, 1), -30, id="negative-when-reversed"),
        pytest.param(date(2016, 2, 28), date(2016, 3, 1), 2, id="counts-29-february"),
        pytest.param(date(2015, 2, 28), date(2015, 3, 1), 1, id="no-29-february-in-2015"),
    ],
)
def test_days_between_counts_whole_days(earlier: date, later: date, expected: int) -> None:
    assert calendar.days_between(earlier, later) == expected


def test_days_between_inverts_days_after() -> None:
    start = date(2014, 3, 1)
    for days in range(0, 400, 7):
        assert calendar.days_between(start, calendar.days_after(start, days)) == days


def test_the_conventions_are_the_agreements_numbers() -> None:
    assert calendar.ENTRY_INTO_FORCE_DELAY_DAYS == 30
    assert calendar.AUTHORIZED_BODIES_NOTICE_DAYS == 30
    assert calendar.WITHDRAWAL_NOTICE_MONTHS == 6
