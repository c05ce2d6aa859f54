"""Proposals of amendments and additions to the Agreement in the UI (issue 15 item 6; Art. 11):
the list of proposals (state, proposing Party, the articles concerned, the Parties whose consent
is awaited) with the form to propose one, and a proposal's page with its text in kk, ru and en,
the discussion, each Party's consent (who and when), the forms to discuss, consent or withdraw,
and, once the depositary recorded the protocol it became, the links to the protocol's status
and to the consolidated text.

Every form calls the same use case as the API (`services.workspace.amendments`); a refusal is
shown on the page in the reader's language with the article it cites, and nothing is recorded.
The propose form sends one row per amendment (repeated fields); "Add an amendment" re-renders
the form with one more row, without JavaScript.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.errors import N_, KelisimError
from kelisim.domain.protocols import ACTIONS, LANGUAGES
from kelisim.services.workspace import amendments
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, see_other
from kelisim.web.ui.workspace import _common

router = APIRouter(route_class=UiRoute, include_in_schema=False)

MAX_ROWS = 100
ROW_FIELDS = ("article", "action", "new_article",
              *(f"text_{lang}" for lang in LANGUAGES), *(f"title_{lang}" for lang in LANGUAGES))
ACTION_LABELS: dict[str, str] = {
    "replace": N_("replace the article"),
    "insert_after": N_("insert a new article after it"),
    "repeal": N_("repeal the article"),
}
STATE_LABELS: dict[str, str] = {
    "withdrawn": N_("withdrawn by the proposing Party"), "adopted": N_("adopted as a protocol"),
    "agreed": N_("consented by every Party"), "open": N_("consents awaited"),
}


def state_of(proposal: dict[str, Any]) -> str:
    if proposal["withdrawn"] is not None:
        return "withdrawn"
    if proposal["protocol"]:
        return "adopted"
    return "agreed" if proposal["agreed"] else "open"


def rows_of(form: FormData) -> list[dict[str, str]]:
    """The amendment rows the form sent, in order (each field repeated once per row)."""
    columns = {name: [str(v) for v in form.getlist(name)] for name in ROW_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS)
    return [{name: (columns[name][i].strip() if i < len(columns[name]) else "")
             for name in ROW_FIELDS} for i in range(count)]


def amendments_of(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows as the API's amendments; a row without an article is left out (an empty row),
    everything else goes to the domain, which refuses what is unclear (Art. 11)."""
    found: list[dict[str, Any]] = []
    for row in rows:
        if not row["article"] and not any(row[f"text_{lang}"] for lang in LANGUAGES):
            continue
        amendment: dict[str, Any] = {"article": row["article"], "action": row["action"]}
        if row["action"] != "repeal":
            amendment["text"] = {lang: row[f"text_{lang}"] for lang in LANGUAGES}
        if row["action"] == "insert_after":
            amendment["new_article"] = row["new_article"]
            if any(row[f"title_{lang}"] for lang in LANGUAGES):
                amendment["title"] = {lang: row[f"title_{lang}"] for lang in LANGUAGES}
        found.append(amendment)
    return found


@router.get("/workspace/amendments")
async def amendments_page(request: Request, user: UserDep) -> Response:
    return await _list(request, user)


@router.post("/workspace/amendments")
async def propose(request: Request, user: UserDep, form: FormDep) -> Response:
    rows = rows_of(form)
    if form.get("add_row"):
        return await _list(request, user, values=dict(form),
                           rows=[*rows, {}][:MAX_ROWS])
    rt = request.app.state.runtime
    titles = {lang: str(form.get(f"proposal_title_{lang}", "")).strip() for lang in LANGUAGES}
    try:
        made = await run_in_threadpool(lambda: amendments.propose(
            rt, user, titles=titles, amendments=amendments_of(rows),
            note=str(form.get("note", ""))))
    except KelisimError as refusal:
        return await _list(request, user, values=dict(form), rows=rows, refusal=refusal)
    return see_other(request, f"/workspace/amendments/{made['id']}?done=proposed")


@router.get("/workspace/amendments/{proposal_id}")
async def proposal_page(request: Request, user: UserDep, proposal_id: str) -> Response:
    return await _proposal(request, user, proposal_id)


@router.post("/workspace/amendments/{proposal_id}/remarks")
async def discuss(request: Request, user: UserDep, form: FormDep, proposal_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, proposal_id, form, "discussed", lambda: amendments.discuss(
        rt, user, proposal_id, str(form.get("text", ""))))


@router.post("/workspace/amendments/{proposal_id}/consent")
async def consent(request: Request, user: UserDep, form: FormDep, proposal_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, proposal_id, form, "consented",
                      lambda: amendments.consent(rt, user, proposal_id))


@router.post("/workspace/amendments/{proposal_id}/withdrawal")
async def withdraw(request: Request, user: UserDep, form: FormDep, proposal_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, proposal_id, form, "withdrawn", lambda: amendments.withdraw(
        rt, user, proposal_id, str(form.get("reason", ""))))


async def _act(request: Request, user: Any, proposal_id: str, form: Any, done: str,
               act: Any) -> Response:
    return await act_then_redirect(request, act, lambda refusal: _proposal(
        request, user, proposal_id, refusal=refusal, values=dict(form)),
        f"/workspace/amendments/{proposal_id}?done={done}")


async def _list(request: Request, user: Any, *, values: dict[str, Any] | None = None,
                rows: list[dict[str, str]] | None = None,
                refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    found = await run_in_threadpool(amendments.list_proposals, rt, user)
    return render(request, "workspace_amendments.html", {
        **_common(request, user, refusal), "proposals": found, "values": values or {},
        "rows": rows or [{}], "actions": ACTIONS, "action_labels": ACTION_LABELS,
        "state_labels": STATE_LABELS, "state_of": state_of, "languages": LANGUAGES,
        "user_party": user.party,
    }, status_code=refusal.status if refusal else 200)


async def _proposal(request: Request, user: Any, proposal_id: str, *,
                    refusal: KelisimError | None = None,
                    values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    shown = await run_in_threadpool(amendments.show, rt, user, proposal_id)
    events = await run_in_threadpool(amendments.history, rt, user, proposal_id)
    who = {e["origin_party"]: e["actor_name"] for e in events
           if e["kind"] in ("amendment_proposed", "amendment_consented")}
    return render(request, "workspace_amendment.html", {
        **_common(request, user, refusal), "p": shown, "values": values or {},
        "done": request.query_params.get("done", ""), "state": state_of(shown),
        "state_labels": STATE_LABELS, "action_labels": ACTION_LABELS, "languages": LANGUAGES,
        "consented_by": who, "user_party": user.party,
        "may_consent": bool(user.party) and user.party not in shown["consents"]
        and shown["withdrawn"] is None,
    }, status_code=refusal.status if refusal else 200)
