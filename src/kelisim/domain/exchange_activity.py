"""What arrived in the exchange, counted over time (issue 16, item 10: "counts over time by
direction, threat class and producer Party").

An object counts once, in the period its first version the reader may see was added: a new
version of an object already counted is not a new object, and an object whose first versions
the reader may not see counts when the first one it may see arrives (what the reader could not
see is not there for it, Art. 6). The database groups by day (`DAY_MICROS`); this module folds
the days into the periods asked for, splits the Art. 3 directions an object carries (an object
in two directions counts in each: the bars of `direction` add up to more than the objects), and
keeps every period of the window, empty ones too, so that a gap shows as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kelisim.domain.errors import InvalidInput

DAY_MICROS = 86_400_000_000
EPOCH = date(1970, 1, 1)


class Facet(StrEnum):
    """What the counts are split by."""

    DIRECTION = "direction"  # Art. 3, directions 1-19
    THREAT_CLASS = "threat_class"  # Art. 2
    PRODUCER = "producer"  # the producing Party (alpha-3)


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, from Monday
    MONTH = "month"


DEFAULT_SPAN = {Period.DAY: 30, Period.WEEK: 26, Period.MONTH: 12}
MAX_SPAN = {Period.DAY: 366, Period.WEEK: 260, Period.MONTH: 120}
UNSET = "-"
"""The key of objects with no value for the facet (no direction, no threat class)."""


def facet_of(text: str) -> Facet:
    try:
        return Facet(text)
    except ValueError:
        raise InvalidInput(f"by is one of {', '.join(f.value for f in Facet)}.",
                           parameter="by") from None


def period_of(text: str) -> Period:
    try:
        return Period(text)
    except ValueError:
        raise InvalidInput(f"period is one of {', '.join(p.value for p in Period)}.",
                           parameter="period") from None


def span_of(period: Period, span: int | None) -> int:
    """How many periods the window holds: the default for the period, or 1 up to a limit."""
    if span is None:
        return DEFAULT_SPAN[period]
    if not 1 <= span <= MAX_SPAN[period]:
        raise InvalidInput(f"span is from 1 to {MAX_SPAN[period]} {period.value}s.",
                           parameter="span")
    return span


def period_start(day: date, period: Period) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def window(today: date, period: Period, span: int) -> list[date]:
    """The first days of the `span` periods ending with the one holding `today`, oldest first."""
    starts = [period_start(today, period)]
    while len(starts) < span:
        last = starts[-1]
        if period is Period.MONTH:
            starts.append((last - timedelta(days=1)).replace(day=1))
        else:
            starts.append(last - timedelta(days=1 if period is Period.DAY else 7))
    return starts[::-1]


def day_number(day: date) -> int:
    """The day as the database groups it: whole days since 1970-01-01 (UTC)."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Activity:
    """Counts a period and a key; `periods` oldest first, `keys` by total, largest first."""

    facet: Facet
    period: Period
    periods: list[date]
    keys: list[str]
    counts: dict[str, list[int]]  # key -> one count a period, in the order of `periods`
    objects: int  # objects counted (each once, whatever the facet)

    def total(self, key: str) -> int:
        return sum(self.counts[key])

    def period_totals(self) -> list[int]:
        return [sum(self.counts[k][i] for k in self.keys) for i in range(len(self.periods))]


def fold(rows: Iterable[tuple[int, str | None, int]], facet: Facet, period: Period,
         periods: list[date]) -> Activity:
    """The counts of `rows` (day number, the facet's stored value, objects) into `periods`.

    The stored value of `direction` is the exchange's `|1|3|` form; rows before the window's
    first day are not counted (the database is asked from that day)."""
    index = {start: i for i, start in enumerate(periods)}
    counts: dict[str, list[int]] = {}
    objects = 0
    for day, stored, number in rows:
        start = period_start(EPOCH + timedelta(days=int(day)), period)
        slot = index.get(start)
        if slot is None:
            continue
        objects += number
        for key in _keys(facet, stored):
            counts.setdefault(key, [0] * len(periods))[slot] += number
    keys = sorted(counts, key=lambda k: (k == UNSET, -sum(counts[k]), _order(facet, k)))
    return Activity(facet, period, periods, keys, counts, objects)


def _keys(facet: Facet, stored: str | None) -> list[str]:
    if facet is Facet.DIRECTION:
        directions = [d for d in (stored or "").split("|") if d]
        return directions or [UNSET]
    return [stored or UNSET]


def _order(facet: Facet, key: str) -> tuple[int, str]:
    return (int(key), "") if facet is Facet.DIRECTION and key.isdigit() else (0, key)
