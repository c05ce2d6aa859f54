"""The status timeline, drawn on the server as SVG: no chart library, no script, any browser.

One row per Party with something recorded: signature (circle), notification or accession
received (diamond), the wait until its date of effect (dashed), in force (solid bar, Art. 13/14),
withdrawal notice pending and the date of withdrawal (Art. 15); a vertical line marks the
Agreement's entry into force (Art. 13) and another the date being looked at. Only presentation
attributes are used (no inline style), so the page's Content-Security-Policy holds.

The grid, the markers, the vertical lines and the legend are shared with the stage timeline of
a workspace project (`stage_timeline.py`), so both pictures read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

Scale = Callable[[date], float]

LABEL_WIDTH = 200
CHART_WIDTH = 720
ROW = 24
TOP = 34
COLORS = {"signature": "#5b6b7c", "received": "#b26b00", "pending": "#b26b00",
          "in_force": "#1d7a46", "withdrawing": "#a33a3a", "eif": "#1f4e9c", "on": "#222"}


@dataclass(frozen=True)
class Row:
    label: str
    signed_on: date | None
    received: date | None
    in_force_from: date | None
    withdrawal_received: date | None
    withdrawal_effective: date | None


def draw(rows: Sequence[Row], on: date, entry_into_force: date | None,
         labels: Mapping[str, str], year_label: str = "{year}") -> Markup:
    """The chart for `rows` as seen on `on`; `labels` are the translated legend texts."""
    start = date(2013, 7, 1)
    end = max([on, *(d for r in rows for d in _dates(r))]) + timedelta(days=200)
    span = (end - start).days

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days / span * CHART_WIDTH, 1)

    height = TOP + ROW * max(len(rows), 1) + 56
    width = LABEL_WIDTH + CHART_WIDTH + 10
    parts = [frame(width, height, labels["title"], "timeline")]
    parts += grid(year_ticks(start, end, year_label), x, height)
    for index, row in enumerate(rows):
        parts += _row(row, TOP + index * ROW, x(end), x)
    if entry_into_force:
        parts.append(vline(x(entry_into_force), height, COLORS["eif"], labels["eif"], 12))
    parts.append(vline(x(on), height, COLORS["on"], labels["on"], 24, dashed=True))
    parts += legend(labels, height - 18, STATUS_LEGEND)
    parts.append("</svg>")
    return Markup("".join(parts))


def frame(width: int, height: int, title: str, css_class: str) -> str:
    """The opening of an accessible SVG picture: an image role named by its title."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{css_class}-title"><title id="{css_class}-title">'
            f'{escape(title)}</title>')


def _dates(row: Row) -> list[date]:
    return [d for d in (row.signed_on, row.received, row.in_force_from,
                        row.withdrawal_received, row.withdrawal_effective) if d]


def year_ticks(start: date, end: date, year_label: str) -> list[tuple[date, str]]:
    return [(date(year, 1, 1), year_label.format(year=year))
            for year in range(start.year + 1, end.year + 1)]


def grid(ticks: Sequence[tuple[date, str]], x: Scale, height: int) -> list[str]:
    """A light vertical line and its label under the chart at each tick."""
    out = []
    for day, label in ticks:
        px = x(day)
        out.append(f'<line x1="{px}" y1="{TOP - 6}" x2="{px}" y2="{height - 40}" '
                   f'stroke="#ddd" stroke-width="1"/>'
                   f'<text x="{px}" y="{height - 28}" font-size="11" text-anchor="middle" '
                   f'fill="#555">{escape(label)}</text>')
    return out


def _row(row: Row, y: int, right: float, x: Scale) -> list[str]:
    mid = y + ROW / 2
    px = x
    out = [f'<text x="{LABEL_WIDTH - 8}" y="{mid + 4}" font-size="12" text-anchor="end" '
           f'fill="#222">{escape(row.label)}</text>',
           f'<line x1="{LABEL_WIDTH}" y1="{mid}" x2="{right}" y2="{mid}" stroke="#eee"/>']
    if row.received:
        bound_from = row.in_force_from or row.withdrawal_effective or None
        wait_end = px(bound_from) if bound_from else right
        out.append(f'<line x1="{px(row.received)}" y1="{mid}" x2="{wait_end}" y2="{mid}" '
                   f'stroke="{COLORS["pending"]}" stroke-width="2" stroke-dasharray="4 3"/>')
    if row.in_force_from:
        stop = px(row.withdrawal_effective) if row.withdrawal_effective else right
        out.append(f'<rect x="{px(row.in_force_from)}" y="{mid - 5}" '
                   f'width="{max(stop - px(row.in_force_from), 1)}" height="10" '
                   f'fill="{COLORS["in_force"]}" rx="2"/>')
    if row.withdrawal_received:
        out.append(diamond(px(row.withdrawal_received), mid, COLORS["withdrawing"]))
    if row.withdrawal_effective:
        wx = px(row.withdrawal_effective)
        out.append(f'<line x1="{wx}" y1="{mid - 8}" x2="{wx}" y2="{mid + 8}" '
                   f'stroke="{COLORS["withdrawing"]}" stroke-width="3"/>')
    if row.received:
        out.append(diamond(px(row.received), mid, COLORS["received"]))
    if row.signed_on:
        out.append(f'<circle cx="{px(row.signed_on)}" cy="{mid}" r="4.5" '
                   f'fill="{COLORS["signature"]}"/>')
    return out


def diamond(cx: float, cy: float, color: str) -> str:
    return (f'<polygon points="{cx},{cy - 6} {cx + 6},{cy} {cx},{cy + 6} {cx - 6},{cy}" '
            f'fill="{color}"/>')


def vline(px: float, height: int, color: str, label: str, label_y: int,
           dashed: bool = False) -> str:
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return (f'<line x1="{px}" y1="{TOP - 8}" x2="{px}" y2="{height - 40}" stroke="{color}" '
            f'stroke-width="1.5"{dash}/><text x="{px + 4}" y="{label_y}" font-size="11" '
            f'fill="{color}">{escape(label)}</text>')


STATUS_LEGEND = (("signature", "circle"), ("received", "diamond"), ("pending", "dash"),
                 ("in_force", "bar"), ("withdrawing", "tick"))


def legend(labels: Mapping[str, str], y: int, items: Sequence[tuple[str, str]],
           colors: Mapping[str, str] = COLORS) -> list[str]:
    """One marker and its translated label per (key, shape); shapes are those the rows use."""
    out, px = [], float(LABEL_WIDTH)
    for key, shape in items:
        color = colors[key]
        if shape == "circle":
            out.append(f'<circle cx="{px + 5}" cy="{y}" r="4.5" fill="{color}"/>')
        elif shape == "diamond":
            out.append(diamond(px + 5, y, color))
        elif shape == "dash":
            out.append(f'<line x1="{px}" y1="{y}" x2="{px + 14}" y2="{y}" stroke="{color}" '
                       f'stroke-width="2" stroke-dasharray="4 3"/>')
        elif shape == "bar":
            out.append(f'<rect x="{px}" y="{y - 5}" width="14" height="10" fill="{color}"/>')
        else:
            out.append(f'<line x1="{px + 5}" y1="{y - 7}" x2="{px + 5}" y2="{y + 7}" '
                       f'stroke="{color}" stroke-width="3"/>')
        text = labels[key]
        out.append(f'<text x="{px + 20}" y="{y + 4}" font-size="11" fill="#333">'
                   f'{escape(text)}</text>')
        px += 32 + 6.9 * len(text)
    return out
