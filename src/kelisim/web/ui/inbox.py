"""The inbox in the UI (issue 15, item 10; issue 16, item 8): the account's notifications,
newest first, the unread ones marked, each linking to the object (read there under the
account's rights of the day, Art. 6), and marking them read. The header of every page shows
the unread count (`templating.render`). The account's subscriptions are listed beside, with
a form to add one and a button to remove one (the same services as the API and the CLI). The
workspace's notices (decision 0025) link to their record; the account's own address and
language for their mail are set here too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.errors import KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.services.notifications import inbox, subscriptions
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other

router = APIRouter(route_class=UiRoute, include_in_schema=False)
PAGE = 50


@router.get("/inbox")
async def inbox_page(request: Request, user: UserDep) -> Response:
    return await _page(request, user)


async def _page(request: Request, user: Principal, *, refusal: KelisimError | None = None,
                values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    before = request.query_params.get("before")
    position = int(before) if before and before.isascii() and before.isdigit() else None
    page = await run_in_threadpool(lambda: inbox.read_inbox(rt, user, limit=PAGE,
                                                            before=position or None))
    mine = await run_in_threadpool(subscriptions.list_subscriptions, rt, user)
    mail = await run_in_threadpool(inbox.mail_settings, rt, user)
    return render(request, "inbox.html", {
        "page": page, "subscriptions": mine, "refusal": refusal, "values": values or {},
        "mail": mail,
        "refusal_title": ERROR_TITLES.get(refusal.code, "") if refusal else "",
        "directions": directions(), "threat_classes": THREAT_CLASSES,
    }, status_code=400 if refusal else 200)


@router.post("/inbox/read")
async def mark_read(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [str(v) for v in form.getlist("id")]
    try:
        await run_in_threadpool(lambda: inbox.mark_read(rt, user, picked) if picked
                                else inbox.mark_all_read(rt, user))
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal)
    return see_other(request, "/inbox")


@router.post("/inbox/mail")
async def set_mail(request: Request, user: UserDep, form: FormDep) -> Response:
    """The account's own address and language for its workspace notices (decision 0025)."""
    rt = request.app.state.runtime
    email = str(form.get("email", "")).strip()
    language = str(form.get("language", "")) or request_lang(request)
    try:
        await run_in_threadpool(inbox.set_mail, rt, user, email, language)
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal)
    return see_other(request, "/inbox#mail")


@router.post("/inbox/subscriptions")
async def subscribe(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    values = {k: str(form.get(k, "")).strip() for k in (
        "name", "types", "values", "technique", "producers", "email", "webhook", "direction",
        "threat_class")}

    def listed(key: str) -> tuple[str, ...]:
        return tuple(p for p in values[key].replace(",", " ").split() if p)

    number = ascii_number(values["direction"]) if values["direction"] else None
    if values["direction"] and number is None:
        number = 0  # not a number: refused below as no direction of Art. 3, by name
    wanted = subscriptions.FilterInput(
        types=listed("types"), values=listed("values"), technique=values["technique"] or None,
        producers=listed("producers"), directions=(number,) if number is not None else (),
        threat_classes=listed("threat_class"))
    try:
        made = await run_in_threadpool(lambda: subscriptions.create_subscription(
            rt, user, name=values["name"], wanted=wanted, email=values["email"] or None,
            webhook=values["webhook"] or None, language=request_lang(request)))
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal, values=values)
    if made.get("webhook_secret"):  # shown once, on this answer only
        return render(request, "inbox_secret.html", {"made": made})
    return see_other(request, "/inbox#subscriptions")


@router.post("/inbox/subscriptions/{subscription_id}/remove")
async def unsubscribe(request: Request, user: UserDep, form: FormDep,
                      subscription_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(subscriptions.remove_subscription, rt, user, subscription_id)
    except KelisimError as refusal:
        return await _page(request, user, refusal=refusal)
    return see_other(request, "/inbox#subscriptions")

