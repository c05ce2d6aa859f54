"""A project's stages as a picture (issue 15 item 2; Art. 5), drawn like the status timeline.

One row per stage, in order: its span from the previous stage's deadline (the first from the
project's proposal) to its own deadline, solid green once the deadline is agreed by every Party
taking part, dashed amber while consents are awaited, grey once completed; a diamond marks the
deadline, red when the stage is overdue; a dashed vertical line marks today. The grid, markers,
lines and legend are `timeline.py`'s, so the two pictures read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

from kelisim.web.ui.timeline import (
    CHART_WIDTH,
    LABEL_WIDTH,
    ROW,
    TOP,
    diamond,
    frame,
    grid,
    legend,
    vline,
    year_ticks,
)

COLORS = {"agreed": "#1d7a46", "awaiting": "#b26b00", "overdue": "#a33a3a",
          "completed": "#5b6b7c", "today": "#222"}
LEGEND = (("agreed", "bar"), ("awaiting", "dash"), ("overdue", "diamond"),
          ("completed", "bar"))
LABEL_CHARS = 28


@dataclass(frozen=True)
class StageRow:
    label: str
    starts: date
    deadline: date
    agreed: bool
    overdue: bool
    completed: bool


def rows_of(stages: Sequence[Mapping[str, object]], proposed_on: date) -> list[StageRow]:
    """The rows of a project's stages as `domain.workspace.project.view` gives them."""
    rows, previous = [], proposed_on
    for stage in stages:
        deadline = date.fromisoformat(str(stage["deadline"]))
        rows.append(StageRow(label=f"{stage['position']}. {stage['title']}",
                             starts=min(previous, deadline), deadline=deadline,
                             agreed=bool(stage["agreed"]), overdue=bool(stage["overdue"]),
                             completed=stage["completed_on"] is not None))
        previous = deadline
    return rows


def draw(rows: Sequence[StageRow], today: date, labels: Mapping[str, str],
         month_label: Callable[[date], str]) -> Markup:
    """The chart as seen on `today`; `labels` are the translated legend texts, `month_label`
    names a month in the reader's language (ticks are months for spans under three years)."""
    first = min([today, *(r.starts for r in rows)])
    last = max([today, *(r.deadline for r in rows)])
    start, end = first - timedelta(days=20), last + timedelta(days=40)
    span = (end - start).days

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days / span * CHART_WIDTH, 1)

    height = TOP + ROW * max(len(rows), 1) + 56
    width = LABEL_WIDTH + CHART_WIDTH + 10
    parts = [frame(width, height, labels["title"], "stage-timeline")]
    parts += grid(_ticks(start, end, month_label), x, height)
    for index, row in enumerate(rows):
        parts += _row(row, TOP + index * ROW, x)
    parts.append(vline(x(today), height, COLORS["today"], labels["today"], 24, dashed=True))
    parts += legend(labels, height - 18, LEGEND, COLORS)
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(start: date, end: date, month_label: Callable[[date], str]) -> list[tuple[date, str]]:
    if (end - start).days > 3 * 365:
        return year_ticks(start, end, "{year}")
    step = 1 if (end - start).days <= 400 else 3
    ticks, month = [], date(start.year, start.month, 1)
    while month <= end:
        if month > start and (month.month - 1) % step == 0:
            ticks.append((month, month_label(month)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ticks


def _row(row: StageRow, y: int, x: Callable[[date], float]) -> list[str]:
    mid = y + ROW / 2
    label = row.label if len(row.label) <= LABEL_CHARS else row.label[:LABEL_CHARS - 1] + "…"
    out = [f'<text x="{LABEL_WIDTH - 8}" y="{mid + 4}" font-size="12" text-anchor="end" '
           f'fill="#222">{escape(label)}</text>',
           f'<line x1="{LABEL_WIDTH}" y1="{mid}" x2="{LABEL_WIDTH + CHART_WIDTH}" y2="{mid}" '
           f'stroke="#eee"/>']
    left, right = x(row.starts), x(row.deadline)
    state = "completed" if row.completed else "agreed" if row.agreed else "awaiting"
    if state == "awaiting":
        out.append(f'<line class="stage-awaiting" x1="{left}" y1="{mid}" x2="{right}" '
                   f'y2="{mid}" stroke="{COLORS["awaiting"]}" stroke-width="2" '
                   f'stroke-dasharray="4 3"/>')
    else:
        out.append(f'<rect class="stage-{state}" x="{left}" y="{mid - 5}" '
                   f'width="{max(right - left, 1)}" height="10" fill="{COLORS[state]}" rx="2"/>')
    marker = "overdue" if row.overdue else state
    out.append(diamond(right, mid, COLORS[marker]).replace(
        "<polygon ", f'<polygon class="deadline-{marker}" ', 1))
    return out
