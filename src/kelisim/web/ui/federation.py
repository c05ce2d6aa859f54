"""The federation in the UI (issue 14 item 8): this node, each peer with its Party's state, last
contact, lag, quarantined items and pending receipts, the witnesses of the depositary's record
and any split view, and a picture of the links coloured by health.

For a party-admin of the node's Party and the depositary (`Action.READ_FEDERATION`), through the
same service as `kelisim federation status` and `GET /api/v1/federation/status`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from kelisim.services.federation.record import federation_status, list_transfers
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.templating import gettext_for, render

router = APIRouter(route_class=UiRoute, include_in_schema=False)

COLORS = {"ok": "#2e7d32", "lagging": "#ef8f00", "failing": "#c62828", "self": "#1f4e79"}
SIZE, RADIUS, NODE = 420, 150, 26
PAGE = 100


@router.get("/federation")
async def federation_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    report = await run_in_threadpool(federation_status, rt, user)
    _ = gettext_for(request)
    labels = {"title": _("The federation as this node sees it"), "depositary": _("Depositary"),
              "ok": _("healthy"), "lagging": _("lagging"), "failing": _("failing")}
    return render(request, "federation.html", {
        "report": report, "labels": labels,
        "picture": picture(report["party"], report["peers"], labels)})


def picture(party: str | None, peers: Sequence[Mapping[str, Any]],
            labels: Mapping[str, str]) -> Markup:
    """This node in the middle, the depositary's node above it, each peer around; a link's
    colour is its health (`record.health`)."""
    centre = SIZE / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="federation" role="img" '
             f'viewBox="0 0 {SIZE} {SIZE + 30}" width="{SIZE}" height="{SIZE + 30}" '
             f'aria-labelledby="federation-title"><title id="federation-title">'
             f'{escape(labels["title"])}</title>']
    others: list[tuple[str, str]] = [("DEP", "ok")] if party is not None else []
    others += [(str(p["party"]), str(p["health"])) for p in peers]
    for index, (name, health) in enumerate(others):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(others), 1)
        x = round(centre + RADIUS * math.cos(angle), 1)
        y = round(centre + RADIUS * math.sin(angle), 1)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x}" y2="{y}" '
                     f'stroke="{COLORS[health]}" stroke-width="4"><title>{escape(name)}: '
                     f'{escape(labels.get(health, health))}</title></line>')
        parts.append(_circle(x, y, labels["depositary"] if name == "DEP" else name,
                             COLORS[health]))
    parts.append(_circle(centre, centre, party or labels["depositary"], COLORS["self"]))
    parts += _legend(labels, SIZE + 12)
    parts.append("</svg>")
    return Markup("".join(parts))


def _circle(x: float, y: float, label: str, colour: str) -> str:
    return (f'<circle cx="{x}" cy="{y}" r="{NODE}" fill="#fff" stroke="{colour}" '
            f'stroke-width="3"/><text x="{x}" y="{y + 4}" text-anchor="middle" '
            f'font-size="12">{escape(label[:12])}</text>')


def _legend(labels: Mapping[str, str], y: float) -> list[str]:
    parts = []
    for index, health in enumerate(("ok", "lagging", "failing")):
        x = 20 + index * 130
        parts.append(f'<rect x="{x}" y="{y - 8}" width="14" height="8" '
                     f'fill="{COLORS[health]}"/><text x="{x + 20}" y="{y}" font-size="12">'
                     f'{escape(labels[health])}</text>')
    return parts


@router.get("/federation/transfers")
async def transfers_page(request: Request, user: UserDep, party: str = "",
                         direction: str = "sent", after: int = 0) -> Response:
    """What left this node for a peer's Party (with its receipts), or arrived from it."""
    rt = request.app.state.runtime
    report = await run_in_threadpool(federation_status, rt, user)
    peers = [p["party"] for p in report["peers"]]
    chosen = party.upper() if party else (peers[0] if peers else "")
    listed = None
    if chosen:
        listed = await run_in_threadpool(lambda: list_transfers(
            rt, user, direction=direction, party=chosen, after=max(after, 0), limit=PAGE))
    return render(request, "federation_transfers.html", {
        "peers": peers, "party": chosen, "direction": direction, "listed": listed})
