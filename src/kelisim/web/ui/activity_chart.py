"""The exchange's counts over time drawn on the server as stacked bars in SVG: no library, no
script, any browser (issue 16, item 10), like the status timeline and the relationship graph.

One bar a period, oldest on the left; each bar stacks the `SHOWN` largest series and one for the
rest, in the legend's order. Every segment carries its series, period and count as a tooltip
(`<title>`); the page also gives the numbers as a table. Only presentation attributes are used
(no inline style), so the Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape

from markupsafe import Markup

from kelisim.domain.exchange_activity import Activity, Period

WIDTH = 960
PLOT_H = 220
TOP = 30
LEFT = 48
RIGHT = 10
AXIS_H = 34
LEGEND_ROW = 18
SHOWN = 8
PALETTE = ("#1f4e9c", "#b26b00", "#1d7a46", "#a33a3a", "#6a3d9a", "#0b6e75", "#8a4b08",
           "#5b6b7c")
REST = "#b8b8b8"
REST_KEY = "\x00rest"


def period_label(start: date, period: Period) -> str:
    return start.strftime("%Y-%m") if period is Period.MONTH else start.strftime("%m-%d")


def stacked(found: Activity) -> list[tuple[str, list[int]]]:
    """The series drawn: the `SHOWN` largest, then the rest summed under `REST_KEY`."""
    series = [(k, found.counts[k]) for k in found.keys[:SHOWN]]
    rest = found.keys[SHOWN:]
    if rest:
        series.append((REST_KEY, [sum(found.counts[k][i] for k in rest)
                                  for i in range(len(found.periods))]))
    return series


def draw(found: Activity, labels: Mapping[str, str], texts: Mapping[str, str]) -> Markup:
    """The picture; `labels`: a series key -> its name in the reader's language; `texts`:
    translated `title` and `rest` (the other series)."""
    series = stacked(found)
    totals = found.period_totals()
    top = max(totals, default=0) or 1
    slots = len(found.periods)
    slot_w = (WIDTH - LEFT - RIGHT) / max(slots, 1)
    bar_w = max(slot_w * 0.7, 1.0)
    legend_rows = (len(series) + 3) // 4
    height = TOP + PLOT_H + AXIS_H + legend_rows * LEGEND_ROW + 8
    base = TOP + PLOT_H
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="activity" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'aria-labelledby="activity-title"><title id="activity-title">'
             f'{escape(texts["title"])}</title>']
    for tick in _ticks(top):
        y = base - tick / top * PLOT_H
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#e3e3e3" stroke-width="1"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'font-size="11" fill="#555" text-anchor="end">{tick}</text>')
    every = max(1, -(-slots // 16))  # at most 16 period labels under the axis
    for i, start in enumerate(found.periods):
        x = LEFT + i * slot_w + (slot_w - bar_w) / 2
        y = float(base)
        label = period_label(start, found.period)
        for color, (key, counts) in zip(_colors(series), series, strict=True):
            if not counts[i]:
                continue
            h = counts[i] / top * PLOT_H
            y -= h
            name = texts["rest"] if key == REST_KEY else labels.get(key, key)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{color}"><title>{escape(name)}, {escape(label)}: '
                         f'{counts[i]}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base + 16}" font-size="11" '
                         f'fill="#333" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" '
                 'stroke="#777" stroke-width="1"/>')
    for n, (color, (key, _)) in enumerate(zip(_colors(series), series, strict=True)):
        x = LEFT + (n % 4) * ((WIDTH - LEFT) / 4)
        y = base + AXIS_H + (n // 4) * LEGEND_ROW
        name = texts["rest"] if key == REST_KEY else labels.get(key, key)
        parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 18:.1f}" y="{y}" font-size="12" fill="#333">'
                     f'{escape(name[:40])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _colors(series: list[tuple[str, list[int]]]) -> list[str]:
    return [REST if key == REST_KEY else PALETTE[i % len(PALETTE)]
            for i, (key, _) in enumerate(series)]


def _ticks(top: int) -> list[int]:
    """Up to five round values from 0 to `top` for the grid lines."""
    step = 1
    while top / step > 5:
        for factor in (2, 5, 10):
            if top / (step * factor) <= 5:
                step *= factor
                break
        else:
            step *= 10
    return list(range(0, top + 1, step))
