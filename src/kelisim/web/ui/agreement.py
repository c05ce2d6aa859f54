"""The Agreement page: its fifteen articles and the Art. 2 glossary in kk, ru and en side by side.

Kazakh is the certified text as loaded in the database; the Russian and English columns are the
platform's summaries of each article (the articles table keeps `titles` and `summary` per
language), labelled as such so no one mistakes them for an official translation.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.services.reference import get_agreement, get_glossary, get_states
from kelisim.services.treaties import consolidated_text
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.status import chosen_date
from kelisim.web.ui.templating import render, request_lang

router = APIRouter(route_class=UiRoute, include_in_schema=False)


@router.get("/agreement")
async def agreement_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    agreement = await run_in_threadpool(get_agreement, rt, user)
    glossary = await run_in_threadpool(get_glossary, rt, user)
    return render(request, "agreement.html", {"agreement": agreement, "glossary": glossary})


@router.get("/agreement/text")
async def consolidated_text_page(request: Request, user: UserDep) -> Response:
    """Art. 11: the Agreement in force for a Party on a date, its protocols' amendments applied,
    in the reader's language (Kazakh text; Russian and English summaries where unamended)."""
    rt = request.app.state.runtime
    on = chosen_date(request)
    lang = request_lang(request)
    states = await run_in_threadpool(get_states, rt, user)
    party = (request.query_params.get("party") or user.party or "KAZ").upper()
    text = await run_in_threadpool(consolidated_text, rt, user, party, on, lang)
    return render(request, "agreement_text.html", {
        "on": on, "text": text, "party": party,
        "states": sorted((s["code"], s["names"].get(lang, s["code"])) for s in states)})
