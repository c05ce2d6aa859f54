"""The Agreement's day-counting conventions, in the one place that may change them.

Art. 13 and 14 say an instrument takes effect "30 days after" the depositary receives it; Art. 15
says a withdrawal notice must come "no later than 6 months before" the withdrawal. The text does not
say how to count, so kelisim fixes these conventions (docs/decisions/0002-day-counting.md):

* "N days after date R" is R + N calendar days: received 1 March 2014 -> in force 31 March 2014.
* "N months after date R" is the same day-of-month N months later, clamped to the last day of that
  month when it has no such day: 31 August + 6 months -> 28 February (29 in a leap year).
* Dates of effect are inclusive: a rule that takes effect on date E holds on E and every day after.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ENTRY_INTO_FORCE_DELAY_DAYS = 30
"""Art. 13 and Art. 14: "30 days after the depositary receives"."""

AUTHORIZED_BODIES_NOTICE_DAYS = 30
"""Art. 8: changes to the list of authorized bodies are notified "within 30 days"."""

WITHDRAWAL_NOTICE_MONTHS = 6
"""Art. 15: notice "no later than 6 months before" withdrawing."""


def days_after(start: date, days: int) -> date:
    """The date `days` calendar days after `start`."""
    return start + timedelta(days=days)


def months_after(start: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to that month's last day."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def days_between(earlier: date, later: date) -> int:
    """Whole calendar days from `earlier` to `later` (negative when `later` comes first)."""
    return (later - earlier).days
