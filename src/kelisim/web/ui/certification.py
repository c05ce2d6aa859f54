"""The certification registry in the UI (Art. 3, direction 14): search, one certificate with its
lifecycle, verification for a Party and a date, and the public verification page.

Pages call the registry's services (`services.certification.catalogue` and `.verification`), so
a verdict here is the rule's verdict with its reasons in the rule's words (English, marked
`lang="en"`); the UI translates each reason's heading from its code. `/verify/{number}` needs no
sign-in and shows only `verify_public`'s answer: the number, the scheme, the verdict, and the
fields the certificate's scheme chose to publish (`domain.certification.publication`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.certification.lifecycle import CertState, EventKind
from kelisim.domain.certification.verification import ReasonCode
from kelisim.domain.errors import InvalidInput
from kelisim.services.certification.catalogue import (
    STATES,
    get_certificate,
    list_schemes,
    search_certificates,
)
from kelisim.services.certification.verification import verify_certificate, verify_public
from kelisim.services.reference import get_states
from kelisim.services.runtime import Runtime
from kelisim.web.ui.i18n import N_
from kelisim.web.ui.routing import MaybeUserDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, request_lang

router = APIRouter(route_class=UiRoute, include_in_schema=False)

PAGE = 50
STATE_LABELS: dict[str, str] = {
    CertState.VALID: N_("valid"), CertState.SUSPENDED: N_("suspended"),
    CertState.WITHDRAWN: N_("withdrawn"), CertState.EXPIRED: N_("expired"),
    "not_yet_issued": N_("not yet issued"),
}
EVENT_LABELS: dict[str, str] = {
    EventKind.ISSUED: N_("issued"), EventKind.AMENDED: N_("amended"),
    EventKind.MAINTENANCE: N_("maintained"), EventKind.SUSPENDED: N_("suspended"),
    EventKind.REINSTATED: N_("reinstated"), EventKind.WITHDRAWN: N_("withdrawn"),
    EventKind.EXPIRED: N_("expired"),
}
REASON_HEADINGS: dict[str, str] = {
    ReasonCode.ISSUED: N_("Issued"),
    ReasonCode.NOT_YET_ISSUED: N_("Not yet issued"),
    ReasonCode.VALID_ON: N_("Valid on the date"),
    ReasonCode.SUSPENDED: N_("Suspended"),
    ReasonCode.WITHDRAWN: N_("Withdrawn"),
    ReasonCode.EXPIRED: N_("Expired"),
    ReasonCode.OWN_PARTY: N_("The issuing Party's own certificate"),
    ReasonCode.PARTY_NOT_IN_FORCE: N_("The Agreement does not bind this Party on the date"),
    ReasonCode.ISSUING_PARTY_NOT_IN_FORCE: N_("The Agreement does not bind the issuing Party "
                                              "on the date"),
    ReasonCode.NO_ARRANGEMENT: N_("No recognition arrangement"),
    ReasonCode.ARRANGEMENT_NOT_YET_IN_FORCE: N_("The arrangement is not yet in force"),
    ReasonCode.ARRANGEMENT_ENDED: N_("The arrangement has ended"),
    ReasonCode.AGED_OUT: N_("Recognition aged out"),
    ReasonCode.DOCUMENT_NOT_COVERED: N_("A requirement is not covered"),
    ReasonCode.LEVEL_ABOVE_CAP: N_("A level is above the arrangement's cap"),
    ReasonCode.RECOGNISED: N_("Recognised"),
}
FIELD_LABELS: dict[str, str] = {
    "product": N_("Product"), "vendor": N_("Vendor"), "version": N_("Version"),
    "category": N_("Category"), "technical_domain": N_("Technical domain"),
    "requirements": N_("Requirements and levels"),
    "protection_profiles": N_("Protection profiles"), "issued_on": N_("Issued on"),
    "expires_on": N_("Expires on"), "documents": N_("Documents"),
    "maintenance": N_("Maintenance"), "periods": N_("Periods"), "history": N_("History"),
    "party": N_("Party"), "scheme": N_("Scheme"), "number": N_("Number"),
}
FILTERS = ("q", "party", "scheme", "category", "vendor", "state", "on")


def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} is a date (YYYY-MM-DD).", field=name) from None


@router.get("/certification")
async def search_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in FILTERS}
    found = await run_in_threadpool(
        search_certificates, rt, user, limit=PAGE, cursor=params.get("next") or None,
        text=filters["q"] or None, party=filters["party"] or None,
        scheme=filters["scheme"] or None, category=filters["category"] or None,
        vendor=filters["vendor"] or None, state=filters["state"] or None,
        on=_day(filters["on"], "on"))
    schemes = await run_in_threadpool(list_schemes, rt, user)
    base = [(k, v) for k, v in params.multi_items() if k not in ("next", "lang")]
    return render(request, "certification_search.html", {
        "filters": filters, "certificates": found["certificates"], "schemes": schemes,
        "states": STATES, "state_labels": STATE_LABELS,
        "names": await _state_names(rt, user, request_lang(request)),
        "next_url": _url(request, [*base, ("next", found["next"])]) if found["next"] else None,
        "first_url": _url(request, base) if params.get("next") else None,
    })


def _url(request: Request, params: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return f"{request.url.path}?{urlencode(params)}"


@router.get("/certification/certificates/{number:path}")
async def certificate_page(request: Request, number: str, user: UserDep) -> Response:
    rt = request.app.state.runtime
    params = request.query_params
    party = params.get("in", "").strip().upper()
    on = _day(params.get("on"), "on")
    certificate = await run_in_threadpool(get_certificate, rt, user, number)
    verdict = None
    if party:
        verdict = (await run_in_threadpool(verify_certificate, rt, user, number, party,
                                           on))["verdict"]
    lang = request_lang(request)
    return render(request, "certificate.html", {
        "c": certificate, "verdict": verdict, "party": party,
        "on": on or rt.clock().date(), "names": await _state_names(rt, user, lang),
        "state_labels": STATE_LABELS, "event_labels": EVENT_LABELS,
        "reason_headings": REASON_HEADINGS, "field_labels": FIELD_LABELS,
        "public_url": f"/verify/{number}",
    })


@router.get("/verify/{number:path}")
async def public_page(request: Request, number: str, user: MaybeUserDep) -> Response:
    """Public verification (no account): only what the certificate's scheme made public."""
    rt = request.app.state.runtime
    params = request.query_params
    party = params.get("in", "").strip().upper() or None
    on = _day(params.get("on"), "on")
    if party is not None and len(party) != 3:
        raise InvalidInput("in is the three-letter code of a state (ISO 3166-1 alpha-3).",
                           field="in")
    body = await run_in_threadpool(verify_public, rt, number, party, on)
    lang = request_lang(request)
    return render(request, "verify_public.html", {
        "body": body, "party": party or "", "on": on or rt.clock().date(),
        "names": await _state_names(rt, None, lang), "state_labels": STATE_LABELS,
        "reason_headings": REASON_HEADINGS, "field_labels": FIELD_LABELS,
    })


async def _state_names(rt: Runtime, user: Any, lang: str) -> dict[str, str]:
    states = await run_in_threadpool(get_states, rt, user)
    return {s["code"]: s["names"].get(lang, s["code"]) for s in states}
