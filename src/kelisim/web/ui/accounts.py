"""Accounts in the UI: the depositary manages every account, a party-admin its own Party's.

Creating an account shows its API token once (as the CLI does); setting a password lets the
person sign in to the UI; disabling an account revokes its token and ends its sessions. Who may do
any of these is decided by domain/access.py (MANAGE_ACCOUNTS) in the services called here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.access import Action, creatable_roles, require
from kelisim.domain.accounts import Principal, Role
from kelisim.domain.errors import KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.services.accounts import create_account, disable_account, list_accounts
from kelisim.services.reference import get_states
from kelisim.services.signin import accounts_with_password, set_password
from kelisim.web.ui.i18n import N_
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other

router = APIRouter(route_class=UiRoute, include_in_schema=False)

ROLE_CHOICES = ("analyst", "reader", "party-admin", "certifier", "depositary")
KIND_CHOICES = ("authorized_body", "certification_body", "depositary")
ROLE_LABELS = {"analyst": N_("analyst"), "reader": N_("reader"), "party-admin": N_("party-admin"),
               "certifier": N_("certifier"), "depositary": N_("depositary")}
KIND_LABELS = {"authorized_body": N_("authorized body"),
               "certification_body": N_("certification body"), "depositary": N_("depositary")}


@router.get("/accounts")
async def accounts_page(request: Request, user: UserDep) -> Response:
    return await _page(request, user)


@router.post("/accounts")
async def create(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    values = {k: str(form.get(k, "")).strip() for k in
              ("name", "role", "organization_kind", "party", "organization")}
    if user.role is Role.PARTY_ADMIN:  # its form has no such fields; access.py still decides
        values["party"], values["organization_kind"] = user.party or "", "authorized_body"
    try:
        created = await run_in_threadpool(
            create_account, rt, user, name=values["name"], role=values["role"],
            organization_kind=values["organization_kind"], party=values["party"] or None,
            organization=values["organization"] or None)
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal, values=values)
    return await _page(request, user, created=created, status_code=201)


@router.post("/accounts/{account_id}/password")
async def change_password(request: Request, account_id: int, user: UserDep,
                          form: FormDep) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(set_password, rt, user, str(account_id),
                                str(form.get("password", "")))
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal, password_for=account_id)
    return see_other(request, f"/accounts?password_set={account_id}")


@router.post("/accounts/{account_id}/disable")
async def disable(request: Request, account_id: int, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(disable_account, rt, user, str(account_id))
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal)
    return see_other(request, f"/accounts?disabled={account_id}")


async def _page(request: Request, user: Principal, *, refusal: KelisimError | None = None,
                values: dict[str, str] | None = None, created: dict[str, Any] | None = None,
                password_for: int | None = None, status_code: int = 200) -> Response:
    rt = request.app.state.runtime
    require(user, Action.MANAGE_ACCOUNTS, party=user.party)
    accounts = await run_in_threadpool(list_accounts, rt, user)
    with_password = await run_in_threadpool(accounts_with_password, rt,
                                            [a["id"] for a in accounts])
    states = await run_in_threadpool(get_states, rt, user)
    lang = request_lang(request)
    states.sort(key=lambda s: s["names"].get(lang, s["code"]))
    names = {s["code"]: s["names"] for s in states}
    password_set = request.query_params.get("password_set", "")
    disabled = request.query_params.get("disabled", "")
    return render(request, "accounts.html", {
        "accounts": accounts, "with_password": with_password, "states": states,
        "names": names, "roles": [r for r in ROLE_CHOICES if Role(r) in creatable_roles(user)],
        "kinds": KIND_CHOICES,
        "role_labels": ROLE_LABELS, "kind_labels": KIND_LABELS,
        "is_depositary": user.role is Role.DEPOSITARY, "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, "") if refusal else "",
        "values": values or {}, "created": created, "password_for": password_for,
        "password_set": ascii_number(password_set), "disabled": ascii_number(disabled),
        "me": user.account_id,
    }, status_code=refusal.status if refusal else status_code)
