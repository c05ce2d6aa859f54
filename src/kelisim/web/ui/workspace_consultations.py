"""Consultations in the UI (issue 15 item 4; Art. 4, 12): the list with the form to request one,
and a consultation's page with each invited Party's answer, the agenda, date and place, the
minutes, decisions and follow-up actions (overdue flagged), and the forms each Party may use:
answer, schedule, record the minutes, add an action, mark one done. Every form calls the same
use case as the API (`services.workspace.consultations`); a refusal is shown beside its form in
the reader's language with the article it cites, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.errors import KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.domain.instruments import parse_date
from kelisim.domain.states import load_states
from kelisim.domain.workspace.consultations import ARTICLES
from kelisim.services.workspace import consultations as consult
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, see_other
from kelisim.web.ui.workspace import _common

router = APIRouter(route_class=UiRoute, include_in_schema=False)
Act = Callable[[], Any]


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@router.get("/workspace/consultations")
async def consultations_page(request: Request, user: UserDep) -> Response:
    return await _list_page(request, user)


@router.post("/workspace/consultations")
async def request_consultation(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    articles = [n for v in form.getlist("articles")
                if (n := ascii_number(str(v), maximum=99)) is not None]
    invited = [str(v) for v in form.getlist("invited")]
    try:
        made = await run_in_threadpool(lambda: consult.request_consultation(
            rt, user, subject=str(form.get("subject", "")), articles=articles,
            invited=invited))
    except KelisimError as refusal:
        return await _list_page(request, user, values=dict(form), articles=articles,
                                invited=invited, refusal=refusal)
    return see_other(request, f"/workspace/consultations/{made['id']}?done=requested")


@router.get("/workspace/consultations/{consultation_id}")
async def consultation_page(request: Request, user: UserDep, consultation_id: str
                            ) -> Response:
    return await _page(request, user, consultation_id)


@router.post("/workspace/consultations/{consultation_id}/answer")
async def answer(request: Request, user: UserDep, form: FormDep,
                 consultation_id: str) -> Response:
    rt = request.app.state.runtime
    accepted = form.get("answer") == "accept"
    return await _act(request, user, consultation_id, "answered", ("answer", form),
                      lambda: consult.answer_invitation(rt, user, consultation_id, accepted))


@router.post("/workspace/consultations/{consultation_id}/schedule")
async def schedule(request: Request, user: UserDep, form: FormDep,
                   consultation_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, consultation_id, "scheduled", ("schedule", form),
                      lambda: consult.schedule_consultation(
                          rt, user, consultation_id,
                          held_on=parse_date(str(form.get("date", "")), "date"),
                          agenda=_lines(form.get("agenda")), place=str(form.get("place", "")),
                          online=form.get("online") == "1"))


@router.post("/workspace/consultations/{consultation_id}/minutes")
async def minutes(request: Request, user: UserDep, form: FormDep,
                  consultation_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, consultation_id, "minutes", ("minutes", form),
                      lambda: consult.record_minutes(
                          rt, user, consultation_id, minutes=str(form.get("minutes", "")),
                          present=[str(v) for v in form.getlist("present")],
                          decisions=_lines(form.get("decisions"))))


@router.post("/workspace/consultations/{consultation_id}/actions")
async def add_action(request: Request, user: UserDep, form: FormDep,
                     consultation_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, consultation_id, "action_added", ("action", form),
                      lambda: consult.add_action(
                          rt, user, consultation_id,
                          description=str(form.get("description", "")),
                          owner=str(form.get("owner", "")),
                          deadline=parse_date(str(form.get("deadline", "")), "deadline")))


@router.post("/workspace/consultations/{consultation_id}/actions/{action_id}/done")
async def action_done(request: Request, user: UserDep, form: FormDep, consultation_id: str,
                      action_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, consultation_id, "action_done", (f"done-{action_id}", form),
                      lambda: consult.complete_action(rt, user, consultation_id, action_id))


async def _act(request: Request, user: Any, consultation_id: str, done: str,
               where: tuple[str, Any], act: Act) -> Response:
    form_id, form = where
    return await act_then_redirect(request, act, lambda refusal: _page(
        request, user, consultation_id, refusal=refusal, at=form_id, values=dict(form)),
        f"/workspace/consultations/{consultation_id}?done={done}")


async def _list_page(request: Request, user: Any, *, values: dict[str, Any] | None = None,
                     articles: list[int] | None = None, invited: list[str] | None = None,
                     refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(consult.list_consultations, rt, user)
    return render(request, "workspace_consultations.html", {
        **_common(request, user, refusal), "consultations": listed, "values": values or {},
        "articles": list(ARTICLES), "picked_articles": articles or [],
        "picked_invited": invited or [],
        "parties": sorted(code for code in load_states() if code != user.party),
    }, status_code=refusal.status if refusal else 200)


async def _page(request: Request, user: Any, consultation_id: str, *,
                refusal: KelisimError | None = None, at: str = "",
                values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    shown = await run_in_threadpool(consult.show_consultation, rt, user, consultation_id)
    return render(request, "workspace_consultation.html", {
        **_common(request, user, refusal), "c": shown, "refusal_at": at,
        "values": values or {}, "done": request.query_params.get("done", ""),
        "is_requester": user.party == shown["requester"],
        "may_answer": user.party in shown["awaiting_answer"],
        "is_present": user.party in shown["present"],
        "may_be_present": sorted({shown["requester"], *shown["accepted"]}),
    }, status_code=refusal.status if refusal else 200)
