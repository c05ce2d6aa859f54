"""Posting to the exchange from the UI: a report or an indicator through a form, or a STIX bundle
uploaded as a file, and the status resource that reports what became of it.

Both go through the TAXII server's intake (`services.exchange.intake.accept_envelope`: write
access today, Art. 6 state-secret refusal of the whole envelope, durable acceptance), so the UI
posts exactly what TAXII would accept. A form's objects are built and checked first
(`web/ui/stix_form.py`) and processed at once; an upload is processed after the response, and
its status page polls the status resource (htmx, every second) until nothing is pending, while
the upload itself shows its bytes sent (static/upload.js, htmx's xhr progress events).
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.attack import catalogue
from kelisim.domain.errors import InvalidInput, KelisimError
from kelisim.services.exchange import intake
from kelisim.services.exchange.collections import find_collection, state_today
from kelisim.services.reference import get_states
from kelisim.web.ui import stix_form
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import finish, render, request_lang, see_other

router = APIRouter(route_class=UiRoute, include_in_schema=False)


@router.get("/exchange/collections/{key}/submit")
async def submit_page(request: Request, key: str, user: UserDep) -> Response:
    kind = request.query_params.get("kind", "indicator")
    return await _form(request, user, key, stix_form.Submission(
        kind=kind if kind in stix_form.KINDS else "indicator"))


@router.post("/exchange/collections/{key}/submit")
async def submit(request: Request, key: str, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    sub = stix_form.read_form(form, form.getlist)
    objects, problems = stix_form.build(sub, user.party or "", rt.clock())
    if problems:
        return await _form(request, user, key, sub, problems=problems, status_code=400)
    body = orjson.dumps({"objects": objects})
    try:
        collection = await run_in_threadpool(find_collection, rt, user, key)
        status_id = await run_in_threadpool(intake.accept_envelope, rt, user, collection.id,
                                            body)
    except KelisimError as refusal:
        return await _form(request, user, key, sub, refusal=refusal,
                           status_code=refusal.status)
    await run_in_threadpool(intake.process_job, rt, status_id)
    status = await run_in_threadpool(intake.get_status, rt, user, status_id)
    target = f"/exchange/status/{status_id}?collection={collection.id}"
    if status["failure_count"] == 0:
        target = f"/exchange/collections/{key}/objects/{objects[-1]['id']}?posted=1"
    return see_other(request, target)


@router.post("/exchange/collections/{key}/upload")
async def upload(request: Request, key: str, user: UserDep, form: FormDep) -> Response:
    rt = request.app.state.runtime
    bundle = form.get("bundle")
    try:
        if not isinstance(bundle, UploadFile) or not bundle.filename:
            raise InvalidInput("Choose a file holding a STIX 2.1 bundle (JSON).", field="bundle")
        try:
            content = await bundle.read()
        finally:
            await bundle.close()
        collection = await run_in_threadpool(find_collection, rt, user, key)
        status_id = await run_in_threadpool(intake.accept_envelope, rt, user, collection.id,
                                            content)
    except KelisimError as refusal:
        if request.headers.get("HX-Request"):  # htmx swaps only this alert into the form
            return render(request, "_refusal.html", {
                "refusal": refusal, "refusal_title": ERROR_TITLES.get(refusal.code, "")})
        return await _form(request, user, key, stix_form.Submission(), refusal=refusal,
                           status_code=refusal.status, upload_refused=True)
    target = f"/exchange/status/{status_id}?collection={collection.id}"
    work = BackgroundTask(intake.process_job, rt, status_id)
    if request.headers.get("HX-Request"):
        response: Response = Response(status_code=204, headers={"HX-Redirect": target},
                                      background=work)
    else:
        response = RedirectResponse(target, status_code=303, background=work)
    finish(request, response)
    return response


@router.get("/exchange/status/{status_id}")
async def status_page(request: Request, status_id: str, user: UserDep) -> Response:
    rt = request.app.state.runtime
    status = await run_in_threadpool(intake.get_status, rt, user, status_id)
    done = status["success_count"] + status["failure_count"]
    return render(request, "exchange_status.html", {
        "status": status, "done": done, "collection": request.query_params.get("collection"),
    })


async def _form(request: Request, user: Principal, key: str, sub: stix_form.Submission, *,
                problems: list[stix_form.Problem] | None = None,
                refusal: KelisimError | None = None, status_code: int = 200,
                upload_refused: bool = False) -> Response:
    rt = request.app.state.runtime
    state = await run_in_threadpool(state_today, rt, user)
    require_exchange(user, ExchangeAction.ADD_OBJECTS, state)
    collection = await run_in_threadpool(find_collection, rt, user, key)
    states = await run_in_threadpool(get_states, rt, user)
    lang = request_lang(request)
    states.sort(key=lambda s: s["names"].get(lang, s["code"]))
    by_field: dict[str, list[stix_form.Problem]] = {}
    for problem in problems or []:
        by_field.setdefault(problem.field, []).append(problem)
    return render(request, "exchange_submit.html", {
        "collection": collection, "sub": sub, "problems": problems or [],
        "by_field": by_field, "refusal": refusal, "upload_refused": upload_refused,
        "refusal_title": ERROR_TITLES.get(refusal.code, "") if refusal else "",
        "states": states, "directions": directions(), "threat_classes": THREAT_CLASSES,
        "tlp_levels": stix_form.TLP_LEVELS, "indicator_types": stix_form.INDICATOR_TYPES,
        "report_types": stix_form.REPORT_TYPES, "examples": stix_form.PATTERN_EXAMPLES,
        "named_tlp": stix_form.NAMED_TLP, "technique_fields": stix_form.TECHNIQUE_FIELDS,
        "attack": catalogue(),
    }, status_code=status_code)
