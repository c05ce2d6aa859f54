"""Status pages: every Party's state on a chosen date (table and timeline), and one Party's page.

Both read the same services as the API (`compute_status`, Art. 13-15) and `party_history`
(Art. 8 lists over time); states are named in the reader's language from the states' `names`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.instruments import parse_date
from kelisim.domain.treaty import AgreementStatus, PartyState
from kelisim.domain.treaty_terms import AGREEMENT_ID
from kelisim.services.depositary import list_entries
from kelisim.services.party_history import party_history
from kelisim.services.status import compute_status
from kelisim.services.treaties import status_with_treaties
from kelisim.web.ui import timeline
from kelisim.web.ui.i18n import N_
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.templating import gettext_for, render, request_lang

router = APIRouter(route_class=UiRoute, include_in_schema=False)

STATE_LABELS: dict[str, str] = {
    PartyState.NOT_PARTY: N_("not a party"),
    PartyState.SIGNATORY: N_("signatory"),
    PartyState.PENDING: N_("awaiting entry into force"),
    PartyState.IN_FORCE: N_("in force"),
    PartyState.WITHDRAWING: N_("withdrawing"),
    PartyState.WITHDRAWN: N_("withdrawn"),
}
FLAG_LABELS: dict[str, str] = {
    "authorized_bodies_missing": N_("no list of authorized bodies was notified"),
    "late_change_notice": N_("change of authorized bodies notified more than 30 days late"),
    "agreement_not_in_force": N_("the Agreement is not in force for this Party (Art. 11)"),
}
INSTRUMENT_LABELS: dict[str, str] = {
    "signature": N_("Signature"),
    "notification": N_("Notification"),
    "accession": N_("Accession"),
    "authorized_bodies_change": N_("Change of authorized bodies"),
    "withdrawal_notice": N_("Withdrawal notice"),
    "correction": N_("Correction"),
    "protocol": N_("Protocol recorded"),
}


def chosen_date(request: Request) -> date:
    raw = request.query_params.get("on")
    if raw:
        return parse_date(raw, "on")
    return request.app.state.runtime.clock().date()


@router.get("/status")
async def status_page(request: Request, user: UserDep) -> Response:
    """The Agreement's status, or with `?treaty=<id>` a protocol's (Art. 11), on a date."""
    rt = request.app.state.runtime
    on = chosen_date(request)
    treaty = request.query_params.get("treaty") or AGREEMENT_ID
    treaty_status, names, tracked = await run_in_threadpool(status_with_treaties, rt, user,
                                                            treaty, on)
    status = treaty_status.status
    terms = treaty_status.terms if treaty_status.terms.is_protocol else None
    lang = request_lang(request)
    recorded = [p for p in status.parties if p.signed_on or p.instrument]
    shown = recorded if request.query_params.get("all") != "1" else list(status.parties)
    chart = timeline.draw(_rows(status, names, lang), on, status.entry_into_force,
                          _legend(request, terms is not None), year_label="{year}")
    return render(request, "status.html", {
        "on": on, "status": status, "parties": shown, "names": names,
        "state_labels": STATE_LABELS, "flag_labels": FLAG_LABELS, "chart": chart,
        "show_all": request.query_params.get("all") == "1",
        "in_force_count": sum(p.state is PartyState.IN_FORCE for p in status.parties),
        "treaty": treaty, "terms": terms, "treaties": tracked,
    })


@router.get("/status/parties/{code}")
async def party_page(request: Request, code: str, user: UserDep) -> Response:
    rt = request.app.state.runtime
    on = chosen_date(request)
    history = await run_in_threadpool(party_history, rt, user, code, on)
    status, names = await run_in_threadpool(compute_status, rt, user, on)
    party = next((p for p in status.parties if p.party == history["party"]), None)
    entries = await run_in_threadpool(list_entries, rt, user, history["party"])
    return render(request, "party.html", {
        "on": on, "code": history["party"], "names": names.get(history["party"], {}),
        "party": party, "history": history, "entries": entries,
        "state_labels": STATE_LABELS, "flag_labels": FLAG_LABELS,
        "instrument_labels": INSTRUMENT_LABELS,
    })


def _rows(status: AgreementStatus, names: dict[str, dict[str, str]],
          lang: str) -> list[timeline.Row]:
    return [timeline.Row(label=names.get(p.party, {}).get(lang, p.party), signed_on=p.signed_on,
                         received=p.instrument_received, in_force_from=p.in_force_from,
                         withdrawal_received=p.withdrawal_received,
                         withdrawal_effective=p.withdrawal_effective)
            for p in status.parties if p.signed_on or p.instrument]


def _legend(request: Request, protocol: bool = False) -> dict[str, Any]:
    _ = gettext_for(request)
    return {"title": _("Timeline of the protocol's status") if protocol
            else _("Timeline of the Agreement's status"),
            "signature": _("signature"), "received": _("notification or accession received"),
            "pending": _("awaiting effect"), "in_force": _("in force"),
            "withdrawing": _("withdrawal"), "eif": _("entry into force (Art. 13)"),
            "on": _("date shown")}
