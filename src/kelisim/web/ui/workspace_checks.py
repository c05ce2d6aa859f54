"""Points of contact and communication checks, as pages (issue 15 item 9; Art. 8, 9).

* `/workspace/contacts`: the directory of every authorized body's current points of contact,
  with the forms to add one and to retire one of the reader's own Party.
* `/workspace/checks`: the checks launched, the form to launch one (the depositary or a Party's
  body), and the report per Party over time with the unanswered flagged; a check's page lists
  each target answered, awaited or unanswered, and right after the launch the one-time links.
* `/workspace/checks/ack/{token}`: the page a link opens, **without signing in** (the link is
  the credential, arriving by mail): what check it answers, and a button that acknowledges it.
  A wrong, reused or expired link is a page that says so, in the reader's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.access import Action, allowed
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.domain.workspace.contacts import ChannelKind
from kelisim.services.workspace import checks, contacts
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other
from kelisim.web.ui.workspace import _party_name

router = APIRouter(route_class=UiRoute, include_in_schema=False)

HOURS_LABELS: dict[str, str] = {"24/7": N_("Around the clock (24/7)"),
                                "office": N_("Office hours")}
CHANNEL_LABELS: dict[str, str] = {"email": N_("E-mail"), "phone": N_("Phone"), "fax": N_("Fax"),
                                  "secure-messaging": N_("Secure messaging")}
STATE_LABELS: dict[str, str] = {"answered": N_("answered"), "awaiting": N_("awaited"),
                                "unanswered": N_("unanswered")}


@router.get("/workspace/contacts")
async def contacts_page(request: Request, user: UserDep) -> Response:
    return await _contacts_page(request, user)


@router.post("/workspace/contacts")
async def add_contact(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(lambda: contacts.add_contact(rt, user, **_details(form)))
    except KelisimError as refusal:
        return await _contacts_page(request, user, values=dict(form), refusal=refusal)
    return see_other(request, "/workspace/contacts?done=added")


@router.get("/workspace/contacts/{contact_id}")
async def contact_page(request: Request, user: UserDep, contact_id: str) -> Response:
    return await _contact_page(request, user, contact_id)


@router.post("/workspace/contacts/{contact_id}")
async def change_contact(request: Request, user: UserDep, form: FormDep,
                         contact_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(lambda: contacts.change_contact(rt, user, contact_id,
                                                                **_details(form)))
    except KelisimError as refusal:
        return await _contact_page(request, user, contact_id, values=dict(form),
                                   refusal=refusal)
    return see_other(request, f"/workspace/contacts/{contact_id}?done=changed")


@router.post("/workspace/contacts/{contact_id}/retire")
async def retire_contact(request: Request, user: UserDep, form: FormDep,
                         contact_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(contacts.retire_contact, rt, user, contact_id)
    except KelisimError as refusal:
        return await _contacts_page(request, user, refusal=refusal)
    return see_other(request, "/workspace/contacts?done=retired")


@router.get("/workspace/checks")
async def checks_page(request: Request, user: UserDep) -> Response:
    return await _checks_page(request, user)


@router.post("/workspace/checks")
async def launch_check(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    hours = ascii_number(str(form.get("hours", "")), maximum=100_000) or 0
    parties = " ".join(str(p) for p in form.getlist("parties")).replace(",", " ").split()
    try:
        launched = await run_in_threadpool(lambda: checks.launch_check(
            rt, user, hours=hours, parties=parties))
    except KelisimError as refusal:
        return await _checks_page(request, user, values=dict(form), refusal=refusal)
    return await _check_page(request, user, launched["id"], links=launched["links"])


@router.get("/workspace/checks/ack/{token}")
async def ack_page(request: Request, token: str) -> Response:
    rt = request.app.state.runtime
    answer = await run_in_threadpool(checks.acknowledgement_of, rt, token)
    return render(request, "workspace_check_ack.html", _ack_context(request, answer, token))


@router.post("/workspace/checks/ack/{token}")
async def ack(request: Request, form: FormDep, token: str) -> Response:
    rt = request.app.state.runtime
    answer = await run_in_threadpool(checks.acknowledge, rt, token)
    return render(request, "workspace_check_ack.html",
                  {**_ack_context(request, answer, token), "just_answered": True})


@router.get("/workspace/checks/{check_id}")
async def check_page(request: Request, user: UserDep, check_id: str) -> Response:
    return await _check_page(request, user, check_id)


# --- pages --------------------------------------------------------------------------------------

def _details(form: FormData) -> dict[str, Any]:
    """A contact's fields from the form (up to three channels)."""
    return {"name": str(form.get("name", "")), "hours": str(form.get("hours", "")),
            "office_hours": str(form.get("office_hours", "")),
            "languages": str(form.get("languages", "")).replace(",", " ").split(),
            "channels": [{"kind": str(form.get(f"channel_kind_{i}", "")),
                          "value": str(form.get(f"channel_value_{i}", ""))}
                         for i in range(3) if str(form.get(f"channel_value_{i}", "")).strip()]}


async def _contact_page(request: Request, user: Principal, contact_id: str, *,
                        values: dict[str, Any] | None = None,
                        refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    found = await run_in_threadpool(contacts.show_contact, rt, user, contact_id)
    current = {"name": found["name"], "hours": found["hours"],
               "office_hours": found["office_hours"] or "",
               "languages": " ".join(found["languages"]),
               **{f"channel_{part}_{i}": ch[part] for i, ch in enumerate(found["channels"][:3])
                  for part in ("kind", "value")}}
    return render(request, "workspace_contact.html", {
        **_common(request, user, refusal), "c": found, "values": values or current,
        "channel_kinds": [k.value for k in ChannelKind],
        "keeps": found["current"] and allowed(user, Action.ACT_IN_WORKSPACE, party=found["party"]),
        "done": request.query_params.get("done", ""),
    }, status_code=refusal.status if refusal else 200)

async def _contacts_page(request: Request, user: Principal, *,
                         values: dict[str, Any] | None = None,
                         refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(lambda: contacts.list_contacts(rt, user))
    return render(request, "workspace_contacts.html", {
        **_common(request, user, refusal), "contacts": listed, "values": values or {},
        "channel_kinds": [k.value for k in ChannelKind],
        "done": request.query_params.get("done", ""),
    }, status_code=refusal.status if refusal else 200)


async def _checks_page(request: Request, user: Principal, *,
                       values: dict[str, Any] | None = None,
                       refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(checks.list_checks, rt, user)
    report = await run_in_threadpool(checks.report_checks, rt, user)
    return render(request, "workspace_checks.html", {
        **_common(request, user, refusal), "checks": listed, "report": report,
        "values": values or {},
        "can_launch": allowed(user, Action.LAUNCH_CONTACT_CHECK),
    }, status_code=refusal.status if refusal else 200)


async def _check_page(request: Request, user: Principal, check_id: str, *,
                      links: list[dict[str, Any]] | None = None) -> Response:
    rt = request.app.state.runtime
    check = await run_in_threadpool(checks.show_check, rt, user, check_id)
    base = str(request.base_url).rstrip("/")
    return render(request, "workspace_check.html", {
        **_common(request, user, None), "check": check,
        "links": [{**link, "url": base + link["path"]} for link in links or []],
    }, status_code=201 if links else 200)


def _ack_context(request: Request, answer: dict[str, Any], token: str) -> dict[str, Any]:
    lang = request_lang(request)
    return {"answer": answer, "token": token, "party_name": _party_name(answer["party"], lang),
            "just_answered": False}


def _common(request: Request, user: Principal, refusal: KelisimError | None) -> dict[str, Any]:
    lang = request_lang(request)
    return {
        "can_act": allowed(user, Action.ACT_IN_WORKSPACE, party=user.party),
        "party_name": lambda code: _party_name(code, lang), "hours_labels": HOURS_LABELS,
        "channel_labels": CHANNEL_LABELS, "state_labels": STATE_LABELS, "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, ERROR_TITLES["error"]) if refusal else "",
    }
