"""The workspace's gatherings and library of best practice in the UI (issue 15 item 8; Art. 3
directions 17-19, Art. 9). Gatherings:
the list with the form to announce one and the address to subscribe a calendar program to,
and a gathering's page with each Party's registered participants, the materials, and the
forms to register, withdraw, add a material or cancel. Every form calls the same use case as
the API (`services.workspace.gatherings`); a refusal is shown on the page in the reader's
language with the article it cites, and nothing is recorded. The library: a search box over
every language, the form to publish, and a practice's page with each language's text and the
form to add another language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.agreement_text import directions
from kelisim.domain.errors import N_, InvalidInput, KelisimError, Message
from kelisim.domain.inputs import ascii_number
from kelisim.domain.instruments import parse_date
from kelisim.domain.workspace.gatherings import GatheringKind
from kelisim.services.workspace import gatherings as gather
from kelisim.services.workspace import practices
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang, see_other
from kelisim.web.ui.workspace import _common

router = APIRouter(route_class=UiRoute, include_in_schema=False)

KIND_LABELS: dict[str, str] = {
    GatheringKind.TRAINING.value: N_("Training course"),
    GatheringKind.CONFERENCE.value: N_("Conference"),
    GatheringKind.SYMPOSIUM.value: N_("Symposium"),
    GatheringKind.MEETING.value: N_("Meeting (exchange of experience)"),
}
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
Act = Callable[[], Any]


@router.get("/workspace/gatherings")
async def gatherings_page(request: Request, user: UserDep) -> Response:
    return await _list_page(request, user)


@router.post("/workspace/gatherings")
async def announce(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [n for v in form.getlist("directions")
              if (n := ascii_number(str(v), maximum=99)) is not None]
    try:
        zone = _zone(str(form.get("zone", "UTC")))
        made = await run_in_threadpool(lambda: gather.announce(
            rt, user, kind=str(form.get("kind", "")), title=str(form.get("title", "")),
            starts=_local(str(form.get("starts", "")), zone, "starts"),
            ends=_local(str(form.get("ends", "")), zone, "ends"),
            registration_until=parse_date(str(form.get("registration_until", "")),
                                          "registration_until"),
            languages=[str(v) for v in form.getlist("languages")], directions=picked,
            description=str(form.get("description", "")), place=str(form.get("place", "")),
            online=form.get("online") == "1",
            places_per_party=ascii_number(str(form.get("places_per_party", "")),
                                          maximum=10_000)))
    except KelisimError as refusal:
        return await _list_page(request, user, values=dict(form), picked=picked,
                                refusal=refusal)
    return see_other(request, f"/workspace/gatherings/{made['id']}?done=announced")


@router.get("/workspace/gatherings/{gathering_id}")
async def gathering_page(request: Request, user: UserDep, gathering_id: str) -> Response:
    return await _gathering_page(request, user, gathering_id)


@router.post("/workspace/gatherings/{gathering_id}/registration")
async def register(request: Request, user: UserDep, form: FormDep,
                   gathering_id: str) -> Response:
    rt = request.app.state.runtime
    people = [{"name": line.split("—")[0].split(" - ")[0].strip(),
               "role": (line.split("—", 1)[1] if "—" in line else
                        line.split(" - ", 1)[1] if " - " in line else "").strip()}
              for line in str(form.get("participants", "")).splitlines() if line.strip()]
    return await _act(request, user, gathering_id, "registered", ("register", form),
                      lambda: gather.register(rt, user, gathering_id, people))


@router.post("/workspace/gatherings/{gathering_id}/withdrawal")
async def withdraw(request: Request, user: UserDep, form: FormDep,
                   gathering_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, gathering_id, "withdrawn", ("register", form),
                      lambda: gather.withdraw(rt, user, gathering_id))


@router.post("/workspace/gatherings/{gathering_id}/materials")
async def add_material(request: Request, user: UserDep, form: FormDep,
                       gathering_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, gathering_id, "material_added", ("material", form),
                      lambda: gather.add_material(rt, user, gathering_id,
                                                  title=str(form.get("title", "")),
                                                  url=str(form.get("url", "")),
                                                  text=str(form.get("text", ""))))


@router.post("/workspace/gatherings/{gathering_id}/cancellation")
async def cancel(request: Request, user: UserDep, form: FormDep,
                 gathering_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, gathering_id, "cancelled", ("cancel", form),
                      lambda: gather.cancel(rt, user, gathering_id,
                                            str(form.get("reason", ""))))


async def _act(request: Request, user: Any, gathering_id: str, done: str,
               where: tuple[str, Any], act: Act) -> Response:
    form_id, form = where
    return await act_then_redirect(request, act, lambda refusal: _gathering_page(
        request, user, gathering_id, refusal=refusal, at=form_id, values=dict(form)),
        f"/workspace/gatherings/{gathering_id}?done={done}")


async def _list_page(request: Request, user: Any, *, values: dict[str, Any] | None = None,
                     picked: list[int] | None = None,
                     refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    listed = await run_in_threadpool(gather.list_gatherings, rt, user)
    address = None
    if user.account_id:
        key = await run_in_threadpool(gather.calendar_key, rt, user.account_id)
        address = str(request.base_url).rstrip("/") + f"/api/v1/workspace/calendar/{key}.ics"
    return render(request, "workspace_gatherings.html", {
        **_common(request, user, refusal), "gatherings": listed, "values": values or {},
        "picked": picked or [17], "directions": directions(), "gathering_kinds": KIND_LABELS,
        "language_names": LANGUAGE_NAMES, "calendar_address": address,
        "now": rt.clock(),
    }, status_code=refusal.status if refusal else 200)


async def _gathering_page(request: Request, user: Any, gathering_id: str, *,
                          refusal: KelisimError | None = None, at: str = "",
                          values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    shown = await run_in_threadpool(gather.show, rt, user, gathering_id)
    lang = request_lang(request)
    mine = shown["registrations"].get(user.party or "", [])
    return render(request, "workspace_gathering.html", {
        **_common(request, user, refusal), "g": shown, "refusal_at": at,
        "values": values or {}, "done": request.query_params.get("done", ""),
        "directions": {d.number: d.texts[lang] for d in directions()},
        "gathering_kinds": KIND_LABELS, "language_names": LANGUAGE_NAMES,
        "is_organizer": user.party == shown["organizer"],
        "started": datetime.fromisoformat(shown["starts"]) <= rt.clock(),
        "mine": "\n".join(p["name"] + (f" — {p['role']}" if p["role"] else "")
                          for p in mine),
    }, status_code=refusal.status if refusal else 200)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(Message(N_("The time zone {zone} is not known (e.g. Asia/Almaty, "
                                      "Europe/Moscow, UTC)."), zone=name), field="zone") from None


def _local(text: str, zone: ZoneInfo, field: str) -> datetime:
    """A browser's datetime-local value (no zone) read in the form's time zone."""
    try:
        found = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(Message(N_("{field} is a date and a time."), field=field),
                           field=field) from None
    return found if found.tzinfo else found.replace(tzinfo=zone)


# --- the library of best practice (Art. 3 direction 19, Art. 9) -------------------------------

@router.get("/workspace/practices")
async def practices_page(request: Request, user: UserDep) -> Response:
    return await _library(request, user)


@router.post("/workspace/practices")
async def publish_practice(request: Request, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    picked = [n for v in form.getlist("directions")
              if (n := ascii_number(str(v), maximum=99)) is not None]
    try:
        made = await run_in_threadpool(lambda: practices.publish(
            rt, user, title=str(form.get("title", "")), text=str(form.get("text", "")),
            language=str(form.get("language", "")), directions=picked,
            keywords=[k for k in str(form.get("keywords", "")).split(",")]))
    except KelisimError as refusal:
        return await _library(request, user, values=dict(form), picked=picked,
                              refusal=refusal)
    return see_other(request, f"/workspace/practices/{made['id']}?done=published")


@router.get("/workspace/practices/{practice_id}")
async def practice_page(request: Request, user: UserDep, practice_id: str) -> Response:
    return await _practice(request, user, practice_id)


@router.post("/workspace/practices/{practice_id}/translations")
async def translate_practice(request: Request, user: UserDep, form: FormDep,
                             practice_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        await run_in_threadpool(lambda: practices.translate(
            rt, user, practice_id, language=str(form.get("language", "")),
            title=str(form.get("title", "")), text=str(form.get("text", ""))))
    except KelisimError as refusal:
        return await _practice(request, user, practice_id, refusal=refusal, values=dict(form))
    return see_other(request, f"/workspace/practices/{practice_id}?done=translated")


async def _library(request: Request, user: Any, *, values: dict[str, Any] | None = None,
                   picked: list[int] | None = None,
                   refusal: KelisimError | None = None) -> Response:
    rt = request.app.state.runtime
    q = request.query_params.get("q", "")
    language = request.query_params.get("language") or None
    search_refusal: KelisimError | None = None
    try:
        found = await run_in_threadpool(
            lambda: practices.search(rt, user, q, language=language))
    except KelisimError as error:
        found, search_refusal = [], error
    shown = refusal or search_refusal
    return render(request, "workspace_practices.html", {
        **_common(request, user, shown), "practices": found, "q": q,
        "chosen_language": language or "", "values": values or {}, "picked": picked or [19],
        "directions": directions(), "language_names": LANGUAGE_NAMES,
        "refusal_at": "search" if search_refusal else "publish",
    }, status_code=shown.status if shown else 200)


async def _practice(request: Request, user: Any, practice_id: str, *,
                    refusal: KelisimError | None = None,
                    values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    shown = await run_in_threadpool(practices.show, rt, user, practice_id)
    lang = request_lang(request)
    return render(request, "workspace_practice.html", {
        **_common(request, user, refusal), "p": shown, "values": values or {},
        "done": request.query_params.get("done", ""), "language_names": LANGUAGE_NAMES,
        "directions": {d.number: d.texts[lang] for d in directions()},
        "first": lang if lang in shown["versions"] else shown["languages"][0],
        "missing": [code for code in LANGUAGE_NAMES if code not in shown["versions"]],
    }, status_code=refusal.status if refusal else 200)
