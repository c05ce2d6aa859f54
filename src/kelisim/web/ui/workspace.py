"""The cooperation workspace's pages (issue 15 items 1, 2, 7; Art. 3, 4, 5, 7).

The list of programs and projects with the form to propose one, and a project's page: goals,
who takes part, the stages with their deadlines, each Party's consent and the overdue ones (and
their timeline, `stage_timeline.py`), the costs and their totals per Party and currency, and the
forms to join, add a stage, change a deadline, consent and record a cost. Every form calls the
same use case as the API (`services.workspace.projects`); a refusal is shown on the page in the
reader's language with the article it cites, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.access import Action, allowed
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import directions
from kelisim.domain.errors import N_, InvalidInput, KelisimError, Message
from kelisim.domain.inputs import ascii_number
from kelisim.domain.instruments import parse_date
from kelisim.domain.states import load_states
from kelisim.services.workspace import projects as ws
from kelisim.services.workspace.documents import project_page as project_page_of
from kelisim.web.ui import stage_timeline
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import gettext_for, render, request_lang, see_other

router = APIRouter(route_class=UiRoute, include_in_schema=False)

KIND_LABELS: dict[str, str] = {"program": N_("Interstate program"), "project": N_("Project")}
ARRANGEMENT_LABELS: dict[str, str] = {
    "own_costs": N_("Each Party bears its own costs (Art. 7)."),
    "agreed_shares": N_("The Parties agreed shares of the costs (Art. 7)."),
}
DOCUMENT_STATE_LABELS: dict[str, str] = {
    "draft": N_("draft"), "circulated": N_("circulated for comment"), "agreed": N_("agreed"),
    "adopted": N_("adopted")}
Act = Callable[[], Any]
PAGE_ROWS = 50
"""The documents and the costs a project's page shows at once, with a link to the next ones."""


@router.get("/workspace")
async def workspace_page(request: Request, user: UserDep) -> Response:
    return await _list_page(request, user)


@router.post("/workspace/projects")
async def propose(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [n for v in form.getlist("directions")
              if (n := ascii_number(str(v), maximum=99)) is not None]
    try:
        made = await run_in_threadpool(
            lambda: ws.propose_project(rt, user, kind=str(form.get("kind", "")),
                                       title=str(form.get("title", "")), directions=picked,
                                       goals=str(form.get("goals", ""))))
    except KelisimError as refusal:
        return await _list_page(request, user, values=dict(form), picked=picked,
                                refusal=refusal)
    return see_other(request, f"/workspace/projects/{made['id']}?done=proposed")


@router.get("/workspace/projects/{project_id}")
async def project_page(request: Request, user: UserDep, project_id: str) -> Response:
    return await _project_page(request, user, project_id)


@router.post("/workspace/projects/{project_id}/join")
async def join(request: Request, user: UserDep, form: FormDep, project_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, project_id, "joined", None,
                      lambda: ws.join_project(rt, user, project_id))


@router.post("/workspace/projects/{project_id}/stages")
async def add_stage(request: Request, user: UserDep, form: FormDep,
                    project_id: str) -> Response:
    rt = request.app.state.runtime

    def act() -> Any:
        deliverables = [line.strip() for line in str(form.get("deliverables", "")).splitlines()
                        if line.strip()]
        return ws.add_stage(rt, user, project_id, title=str(form.get("title", "")),
                            deadline=parse_date(str(form.get("deadline", "")), "deadline"),
                            deliverables=deliverables)
    return await _act(request, user, project_id, "stage_added", ("stage", form), act)


@router.post("/workspace/projects/{project_id}/stages/{stage_id}/deadline")
async def change_deadline(request: Request, user: UserDep, form: FormDep, project_id: str,
                          stage_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, project_id, "deadline_changed", (stage_id, form),
                      lambda: ws.change_deadline(rt, user, project_id, stage_id, parse_date(
                          str(form.get("deadline", "")), "deadline")))


@router.post("/workspace/projects/{project_id}/stages/{stage_id}/consent")
async def consent(request: Request, user: UserDep, form: FormDep, project_id: str,
                  stage_id: str) -> Response:
    rt = request.app.state.runtime

    def act() -> Any:
        return ws.consent_to_deadline(rt, user, project_id, stage_id,
                                      _revision(form), for_party=str(form.get("party", "")))
    return await _act(request, user, project_id, "consented", (stage_id, form), act)


@router.post("/workspace/projects/{project_id}/stages/{stage_id}/complete")
async def complete(request: Request, user: UserDep, form: FormDep, project_id: str,
                   stage_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, project_id, "completed", (stage_id, form),
                      lambda: ws.complete_stage(rt, user, project_id, stage_id))


@router.post("/workspace/projects/{project_id}/costs")
async def record_cost(request: Request, user: UserDep, form: FormDep,
                      project_id: str) -> Response:
    rt = request.app.state.runtime
    stage = str(form.get("stage_id", "")) or None
    return await _act(request, user, project_id, "cost_recorded", ("cost", form),
                      lambda: ws.record_cost(rt, user, project_id,
                                             amount=str(form.get("amount", "")),
                                             currency=str(form.get("currency", "")),
                                             stage_id=stage,
                                             description=str(form.get("description", ""))))


# --- pages --------------------------------------------------------------------------------------

async def _act(request: Request, user: Principal, project_id: str, done: str,
               where: tuple[str, FormData] | None, act: Act) -> Response:
    form_id, form = where if where else ("join", None)
    return await act_then_redirect(request, act, lambda refusal: _project_page(
        request, user, project_id, refusal=refusal, at=form_id,
        values=dict(form) if form is not None else {}),
        f"/workspace/projects/{project_id}?done={done}")


async def _list_page(request: Request, user: Principal, *, values: dict[str, Any] | None = None,
                     picked: list[int] | None = None,
                     refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(ws.list_projects, rt, user)
    return render(request, "workspace.html", {
        **_common(request, user, refusal), "projects": listed, "values": values or {},
        "picked": picked or [], "directions": directions(),
    }, status_code=refusal.status if refusal else 200)


async def _project_page(request: Request, user: Principal, project_id: str, *,
                        refusal: KelisimError | None = None, at: str = "",
                        values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    after = request.query_params.get("documents_after") or None
    costs_after = ascii_number(request.query_params.get("costs_after", "0")) or 0
    project, documents = await run_in_threadpool(  # item 3; one read of the project
        lambda: project_page_of(rt, user, project_id, after=after, limit=PAGE_ROWS,
                                costs_after=costs_after, costs_limit=PAGE_ROWS))
    costs_shown = project["costs"]["recorded"]
    today = rt.clock().date()
    lang = request_lang(request)
    return render(request, "workspace_project.html", {
        **_common(request, user, refusal), "project": project, "today": today,
        "refusal_at": at, "values": values or {}, "done": request.query_params.get("done", ""),
        "directions": {d.number: d.texts[lang] for d in directions()},
        "chart": _chart(request, project, today) if project["stages"] else None,
        "is_lead": user.party == project["lead_party"],
        "takes_part": user.party in project["participants"],
        "stage_titles": {s["id"]: f"{s['position']}. {s['title']}" for s in project["stages"]},
        "money": lambda amount, currency: format_currency(Decimal(amount), currency,
                                                          locale=lang),
        "arrangement_labels": ARRANGEMENT_LABELS, "documents": documents["documents"],
        "documents_page": documents, "documents_after": after,
        "costs_shown": costs_shown, "costs_before": project["costs"]["recorded_before"],
        "costs_after": costs_after, "costs_total": project["costs"]["recorded_count"],
        "costs_next": project["costs"]["recorded_next"],
    }, status_code=refusal.status if refusal else 200)


def _common(request: Request, user: Principal, refusal: KelisimError | None) -> dict[str, Any]:
    lang = request_lang(request)
    return {
        "can_act": allowed(user, Action.ACT_IN_WORKSPACE, party=user.party),
        "party_name": lambda code: _party_name(code, lang), "kind_labels": KIND_LABELS,
        "document_state_labels": DOCUMENT_STATE_LABELS,
        "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, ERROR_TITLES["error"]) if refusal else "",
    }


def _party_name(code: str, lang: str) -> str:
    known = load_states().get(code)
    return known.names.get(lang, code) if known else code


def _chart(request: Request, project: dict[str, Any], today: date) -> Any:
    _ = gettext_for(request)
    lang = request_lang(request)
    labels = {"title": _("Timeline of the stages"), "agreed": _("deadline agreed"),
              "awaiting": _("consents awaited"), "overdue": _("overdue"),
              "completed": _("completed"), "today": _("today")}
    proposed = date.fromisoformat(project["proposed_at"][:10])
    return stage_timeline.draw(stage_timeline.rows_of(project["stages"], proposed), today,
                               labels, lambda day: format_date(day, "LLL y", locale=lang))


def _revision(form: FormData) -> int:
    revision = ascii_number(str(form.get("revision", "")))
    if revision is None or revision < 1:
        raise InvalidInput(Message(N_("revision must be the number of the deadline's revision "
                                      "you consent to.")), field="revision")
    return revision

