"""Requests for expert review of R&D work in the UI (issue 15 item 8; Art. 3 direction 16,
Art. 6, 9): the list of the reviews the reader may see with the form to request one, and a
review's page with the experts, their latest conclusions and the forms to assign experts,
decline, submit a conclusion or close. Every form calls the same use case as the API
(`services.workspace.reviews`); a refusal is shown on the page in the reader's language with
the article it cites, and nothing is recorded.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.agreement_text import directions
from kelisim.domain.errors import N_, KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.domain.instruments import parse_date
from kelisim.domain.workspace.reviews import Verdict
from kelisim.services.workspace import reviews
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other
from kelisim.web.ui.workspace import _common

router = APIRouter(route_class=UiRoute, include_in_schema=False)

VERDICT_LABELS: dict[str, str] = {
    Verdict.SUPPORTS.value: N_("Supports"),
    Verdict.SUPPORTS_WITH_REMARKS.value: N_("Supports with remarks"),
    Verdict.DOES_NOT_SUPPORT.value: N_("Does not support"),
}
STATUS_LABELS: dict[str, str] = {"open": N_("open"), "overdue": N_("overdue"),
                                 "closed": N_("closed")}


@router.get("/workspace/reviews")
async def reviews_page(request: Request, user: UserDep) -> Response:
    return await _list(request, user)


@router.post("/workspace/reviews")
async def request_review(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [n for v in form.getlist("directions")
              if (n := ascii_number(str(v), maximum=99)) is not None]
    try:
        made = await run_in_threadpool(lambda: reviews.request(
            rt, user, title=str(form.get("title", "")), summary=str(form.get("summary", "")),
            directions=picked, asked=str(form.get("asked", "")).split(","),
            deadline=parse_date(str(form.get("deadline", "")), "deadline"),
            url=str(form.get("url", "")), restricted=form.get("restricted") == "on"))
    except KelisimError as refusal:
        return await _list(request, user, values=dict(form), picked=picked, refusal=refusal)
    return see_other(request, f"/workspace/reviews/{made['id']}?done=requested")


@router.get("/workspace/reviews/{review_id}")
async def review_page(request: Request, user: UserDep, review_id: str) -> Response:
    return await _review(request, user, review_id)


@router.post("/workspace/reviews/{review_id}/experts")
async def assign(request: Request, user: UserDep, form: FormDep, review_id: str) -> Response:
    rt = request.app.state.runtime
    people = [dict(zip(("name", "qualification"), [*line.split("|", 1), ""][:2], strict=True))
              for line in str(form.get("experts", "")).splitlines() if line.strip()]
    return await _act(request, user, review_id, form, "assigned",
                      lambda: reviews.assign(rt, user, review_id, people))


@router.post("/workspace/reviews/{review_id}/declination")
async def decline(request: Request, user: UserDep, form: FormDep, review_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, review_id, form, "declined", lambda: reviews.decline(
        rt, user, review_id, str(form.get("reason", ""))))


@router.post("/workspace/reviews/{review_id}/conclusions")
async def conclude(request: Request, user: UserDep, form: FormDep, review_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, review_id, form, "concluded", lambda: reviews.conclude(
        rt, user, review_id, expert_id=str(form.get("expert_id", "")),
        verdict=str(form.get("verdict", "")), text=str(form.get("text", ""))))


@router.post("/workspace/reviews/{review_id}/closure")
async def close(request: Request, user: UserDep, form: FormDep, review_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, review_id, form, "closed", lambda: reviews.close(
        rt, user, review_id, str(form.get("summary", ""))))


async def _act(request: Request, user: Any, review_id: str, form: Any, done: str,
               act: Any) -> Response:
    return await act_then_redirect(request, act, lambda refusal: _review(
        request, user, review_id, refusal=refusal, values=dict(form)),
        f"/workspace/reviews/{review_id}?done={done}")


async def _list(request: Request, user: Any, *, values: dict[str, Any] | None = None,
                picked: list[int] | None = None,
                refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    found = await run_in_threadpool(lambda: reviews.listed(rt, user))
    return render(request, "workspace_reviews.html", {
        **_common(request, user, refusal), "reviews": found, "values": values or {},
        "picked": picked or [16], "directions": directions(),
        "status_labels": STATUS_LABELS,
    }, status_code=refusal.status if refusal else 200)


async def _review(request: Request, user: Any, review_id: str, *,
                  refusal: KelisimError | None = None,
                  values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    shown = await run_in_threadpool(reviews.show, rt, user, review_id)
    lang = request_lang(request)
    return render(request, "workspace_review.html", {
        **_common(request, user, refusal), "r": shown, "values": values or {},
        "done": request.query_params.get("done", ""),
        "directions": {d.number: d.texts[lang] for d in directions()},
        "verdict_labels": VERDICT_LABELS, "status_labels": STATUS_LABELS,
        "own_experts": [e for e in shown["experts"] if e["party"] == user.party],
        "asked_me": user.party in shown["asked"] and user.party not in shown["declined"],
        "user_party": user.party,
    }, status_code=refusal.status if refusal else 200)
