"""The counts over time, as rules: windows of periods, folding days into them, directions split,
the legend's order, and the picture's bars (issue 16, item 10)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.exchange_activity import (
    UNSET,
    Facet,
    Period,
    day_number,
    facet_of,
    fold,
    period_of,
    span_of,
    window,
)
from kelisim.web.ui import activity_chart


@pytest.mark.parametrize(("today", "period", "span", "first", "last"), [
    (date(2026, 12, 4), Period.DAY, 3, date(2026, 12, 2), date(2026, 12, 4)),
    (date(2026, 12, 4), Period.WEEK, 2, date(2026, 11, 23), date(2026, 11, 30)),  # Mondays
    (date(2026, 12, 4), Period.MONTH, 12, date(2026, 1, 1), date(2026, 12, 1)),
    (date(2026, 3, 31), Period.MONTH, 2, date(2026, 2, 1), date(2026, 3, 1)),
    (date(2027, 1, 1), Period.MONTH, 2, date(2026, 12, 1), date(2027, 1, 1)),
    (date(2024, 3, 1), Period.DAY, 2, date(2024, 2, 29), date(2024, 3, 1)),  # a leap day
])
def test_windows_end_with_the_period_holding_today(today: date, period: Period, span: int,
                                                   first: date, last: date) -> None:
    starts = window(today, period, span)
    assert (len(starts), starts[0], starts[-1]) == (span, first, last)
    assert starts == sorted(set(starts))


@pytest.mark.parametrize(("text", "parse", "parameter"), [
    ("party", facet_of, "by"), ("year", period_of, "period")])
def test_unknown_facets_and_periods_are_named(text: str, parse: object, parameter: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(text)  # type: ignore[operator]
    assert refused.value.details["parameter"] == parameter


@pytest.mark.parametrize(("period", "span", "ok"), [
    (Period.DAY, 366, True), (Period.DAY, 367, False), (Period.MONTH, 0, False),
    (Period.WEEK, 260, True), (Period.MONTH, 121, False)])
def test_spans_are_bounded(period: Period, span: int, ok: bool) -> None:
    if ok:
        assert span_of(period, span) == span
    else:
        with pytest.raises(InvalidInput):
            span_of(period, span)
    assert span_of(period, None) == {"day": 30, "week": 26, "month": 12}[period.value]


def test_days_fold_into_months_and_directions_split() -> None:
    months = window(date(2026, 12, 4), Period.MONTH, 3)  # October, November, December
    rows = [(day_number(date(2026, 10, 31)), "|3|9|", 2),  # two objects, each in two directions
            (day_number(date(2026, 11, 1)), "|9|", 1),
            (day_number(date(2026, 12, 4)), None, 4),  # no direction
            (day_number(date(2026, 9, 30)), "|1|", 7)]  # before the window: not counted
    found = fold(rows, Facet.DIRECTION, Period.MONTH, months)
    assert found.objects == 7
    assert found.counts == {"3": [2, 0, 0], "9": [2, 1, 0], UNSET: [0, 0, 4]}
    assert found.keys == ["9", "3", UNSET]  # largest total first, "none" last
    assert found.period_totals() == [4, 1, 4]  # per direction: more than the objects


def test_producers_are_keyed_as_stored_and_ties_ordered() -> None:
    days = window(date(2026, 12, 4), Period.DAY, 2)
    rows = [(day_number(date(2026, 12, 3)), "RUS", 1), (day_number(date(2026, 12, 4)), "KAZ", 1),
            (day_number(date(2026, 12, 4)), None, 5)]
    found = fold(rows, Facet.PRODUCER, Period.DAY, days)
    assert found.keys == ["KAZ", "RUS", UNSET]
    assert found.counts["RUS"] == [1, 0] and found.total(UNSET) == 5


def test_the_picture_stacks_the_largest_series_and_the_rest() -> None:
    months = window(date(2026, 12, 4), Period.MONTH, 2)
    rows = [(day_number(date(2026, 12, 1)), f"|{d}|", d) for d in range(1, 12)]
    found = fold(rows, Facet.DIRECTION, Period.MONTH, months)
    svg = str(activity_chart.draw(found, {k: f"direction {k}" for k in found.keys},
                                  {"title": "What arrived", "rest": "the others"}))
    segments = re.findall(r"<rect [^>]*><title>([^<]*)</title></rect>", svg)
    assert len(segments) == activity_chart.SHOWN + 1  # 8 series and the rest, December only
    assert "direction 11, 2026-12: 11" in segments
    assert "the others, 2026-12: 6" in segments  # directions 1, 2, 3: 1 + 2 + 3
    assert "style=" not in svg and "<script" not in svg
    bars = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)" fill="#', svg)
            if float(h) > 12]
    assert sum(bars) == pytest.approx(activity_chart.PLOT_H, abs=0.5)  # the tallest bar fills


def test_the_grid_has_at_most_five_round_steps() -> None:
    for top in (1, 4, 7, 12, 99, 1234, 100_000):
        ticks = activity_chart._ticks(top)
        assert ticks[0] == 0 and len(ticks) <= 6 and ticks[-1] <= top
        assert str(ticks[1] if len(ticks) > 1 else 1)[0] in "125"
