"""The Agreement page: its fifteen articles and the Art. 2 glossary in kk, ru and en side by side.

Kazakh is the certified text as loaded in the database; the Russian and English columns are the
platform's summaries of each article (the articles table keeps `titles` and `summary` per
language), labelled as such so no one mistakes them for an official translation.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.services.reference import get_agreement, get_glossary
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.templating import render

router = APIRouter(route_class=UiRoute, include_in_schema=False)


@router.get("/agreement")
async def agreement_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    agreement = await run_in_threadpool(get_agreement, rt, user)
    glossary = await run_in_threadpool(get_glossary, rt, user)
    return render(request, "agreement.html", {"agreement": agreement, "glossary": glossary})
