"""MITRE ATT&CK in the UI (issue 16, item 4): the techniques kelisim ships (with the data's
version), and a technique's page listing the objects the account may read that refer to it.

The pages call the same services as the API and the CLI (`services.exchange.attack`), so they
show exactly what those would show this account (Art. 6). Technique and tactic names are
ATT&CK's own, in English (marked lang="en"); the labels around them are translated.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.attack import catalogue
from kelisim.services.exchange import attack
from kelisim.services.exchange.correlation import object_names
from kelisim.web.ui.exchange import PAGE, next_url, page_url, state_names
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.templating import render

router = APIRouter(route_class=UiRoute, include_in_schema=False)


@router.get("/exchange/attack")
async def techniques_page(request: Request, user: UserDep) -> Response:
    tactic = request.query_params.get("tactic", "").strip()[:60]
    word = request.query_params.get("q", "").strip()[:100]
    known, found = attack.techniques(tactic or None, word or None)
    return render(request, "exchange_attack.html", {
        "version": known.version, "tactics": list(known.tactics.values()),
        "techniques": found, "form": {"tactic": tactic, "q": word}})


@router.get("/exchange/attack/{technique_id}")
async def technique_page(request: Request, user: UserDep, technique_id: str) -> Response:
    rt = request.app.state.runtime
    found = attack.technique(technique_id)
    token = request.query_params.get("next") or None
    page, names = await run_in_threadpool(_objects, rt, user, found.id, token)
    known = catalogue()
    return render(request, "exchange_technique.html", {
        "technique": found, "version": known.version, "tactics": known.tactics,
        "parent": known.technique(found.parent) if found.parent else None,
        "subtechniques": [known.techniques[s] for s in found.subtechniques],
        "objects": page.objects, "object_names": names,
        "names": await state_names(request, user),
        "next_url": next_url(request, page.next), "first_url": page_url(request, None),
        "first_page": token is None})


def _objects(rt: Any, user: Principal, technique_id: str, token: str | None) -> Any:
    page = attack.objects_of(rt, user, technique_id, limit=PAGE, next_token=token)
    return page, object_names(rt, user, page.objects) if page.objects else {}
