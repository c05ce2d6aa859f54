"""The disputes' pages (issue 15 item 5; Art. 12).

The list of the disputes the reader may see, with the form to open one; a dispute's page: its
subject, matter, articles and Parties concerned, the log of consultations and negotiations, each
Party's consent to share, the outcome, and the forms to log, consent and settle. What a reader
sees is `domain.access.dispute_view`'s answer (the services apply it): the Parties concerned see
all of it, anyone else only what every Party concerned agreed to share, and a dispute they may
not see is "not found". A refusal is shown in the reader's language with the article it cites.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.access import Action, allowed
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import load_agreement
from kelisim.domain.errors import N_, KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.domain.instruments import parse_date
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.services.participation import party_states_on
from kelisim.services.workspace import disputes
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other
from kelisim.web.ui.workspace import _party_name

router = APIRouter(route_class=UiRoute, include_in_schema=False)

MATTER_LABELS: dict[str, str] = {"application": N_("Application of the Agreement"),
                                 "interpretation": N_("Interpretation of the Agreement")}
MEANS_LABELS: dict[str, str] = {"consultations": N_("Consultations"),
                                "negotiations": N_("Negotiations")}
DONE: dict[str, str] = {
    "opened": N_("Dispute opened. Only the Parties concerned see it until all of them consent "
                 "to share it."),
    "logged": N_("Entry added to the log."),
    "shared": N_("Your Party's consent to share is recorded."),
    "settled": N_("Outcome recorded; the dispute is closed."),
}


@router.get("/workspace/disputes")
async def disputes_page(request: Request, user: UserDep) -> Response:
    return await _list_page(request, user)


@router.post("/workspace/disputes")
async def open_dispute(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [n for v in form.getlist("articles")
              if (n := ascii_number(str(v), maximum=99)) is not None]
    concerned = [str(v) for v in form.getlist("concerned")]
    try:
        made = await run_in_threadpool(lambda: disputes.open_dispute(
            rt, user, subject=str(form.get("subject", "")), matter=str(form.get("matter", "")),
            articles=picked, concerned=concerned))
    except KelisimError as refusal:
        return await _list_page(request, user, values=dict(form), picked=picked,
                                concerned=concerned, refusal=refusal)
    return see_other(request, f"/workspace/disputes/{made['id']}?done=opened")


@router.get("/workspace/disputes/{dispute_id}")
async def dispute_page(request: Request, user: UserDep, dispute_id: str) -> Response:
    return await _dispute_page(request, user, dispute_id)


@router.post("/workspace/disputes/{dispute_id}/log")
async def log_entry(request: Request, user: UserDep, form: FormDep,
                    dispute_id: str) -> Response:
    rt = request.app.state.runtime

    def act() -> Any:
        return disputes.log_negotiation(
            rt, user, dispute_id, means=str(form.get("means", "")),
            held_on=parse_date(str(form.get("held_on", "")), "held_on"),
            summary=str(form.get("summary", "")),
            consultation_id=str(form.get("consultation_id", "")).strip() or None)
    return await _act(request, user, dispute_id, "logged", ("log", form), act)


@router.post("/workspace/disputes/{dispute_id}/share")
async def share(request: Request, user: UserDep, form: FormDep, dispute_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, dispute_id, "shared", ("share", form),
                      lambda: disputes.consent_to_share(rt, user, dispute_id))


@router.post("/workspace/disputes/{dispute_id}/outcome")
async def settle(request: Request, user: UserDep, form: FormDep, dispute_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, dispute_id, "settled", ("outcome", form),
                      lambda: disputes.record_outcome(rt, user, dispute_id,
                                                      means=str(form.get("means", "")),
                                                      text=str(form.get("text", ""))))


async def _act(request: Request, user: Principal, dispute_id: str, done: str,
               where: tuple[str, FormData], act: Callable[[], Any]) -> Response:
    form_id, form = where
    return await act_then_redirect(request, act, lambda refusal: _dispute_page(
        request, user, dispute_id, refusal=refusal, at=form_id, values=dict(form)),
        f"/workspace/disputes/{dispute_id}?done={done}")


async def _list_page(request: Request, user: Principal, *, values: dict[str, Any] | None = None,
                     picked: list[int] | None = None, concerned: list[str] | None = None,
                     refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(disputes.list_disputes, rt, user)
    lang = request_lang(request)
    states = await run_in_threadpool(party_states_on, rt, rt.clock().date())
    parties = sorted(code for code, state in states.items() if state in JOINING_STATES)
    return render(request, "workspace_disputes.html", {
        **_common(request, user, refusal), "disputes": listed, "values": values or {},
        "picked": picked or [], "concerned": [c.upper() for c in concerned or []],
        "parties": [p for p in parties if p != user.party],
        "articles": [(a.number, a.titles[lang]) for a in load_agreement().articles],
    }, status_code=refusal.status if refusal else 200)


async def _dispute_page(request: Request, user: Principal, dispute_id: str, *,
                        refusal: KelisimError | None = None, at: str = "",
                        values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    found = await run_in_threadpool(disputes.show_dispute, rt, user, dispute_id)
    return render(request, "workspace_dispute.html", {
        **_common(request, user, refusal), "d": found, "refusal_at": at,
        "values": values or {}, "done": DONE.get(request.query_params.get("done", "")),
        "today": rt.clock().date().isoformat(),
        "acts": found["view"] == "full" and allowed(user, Action.ACT_IN_WORKSPACE,
                                                    party=user.party),
    }, status_code=refusal.status if refusal else 200)


def _common(request: Request, user: Principal, refusal: KelisimError | None) -> dict[str, Any]:
    lang = request_lang(request)
    titles = {a.number: a.titles[lang] for a in load_agreement().articles}
    return {
        "can_act": allowed(user, Action.ACT_IN_WORKSPACE, party=user.party),
        "party_name": lambda code: _party_name(code, lang), "matter_labels": MATTER_LABELS,
        "means_labels": MEANS_LABELS, "article_title": titles.get, "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, ERROR_TITLES["error"]) if refusal else "",
    }
