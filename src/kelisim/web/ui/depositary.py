"""The depositary's pages: record each kind of instrument through a form, read and download
the verified ledger.

Forms build the same JSON entries as the API and call `services.depositary.record_entries`, so
the Agreement's rules (Art. 8, 13-15) refuse exactly as they do there; a refusal is shown beside
the form with the article the rule cites, and nothing is recorded.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.access import Action, allowed
from kelisim.domain.errors import InvalidInput, KelisimError, Message
from kelisim.domain.inputs import ascii_number
from kelisim.services.depositary import list_entries, record_entries
from kelisim.services.ledger import export_ledger, verify_ledger
from kelisim.services.reference import get_states
from kelisim.web.ui.i18n import N_
from kelisim.web.ui.routing import ERROR_TITLES, FormDep, UiRoute, UserDep
from kelisim.web.ui.status import INSTRUMENT_LABELS
from kelisim.web.ui.templating import finish, render, request_lang, see_other

router = APIRouter(route_class=UiRoute, include_in_schema=False)

KINDS = ("signature", "notification", "accession", "authorized_bodies_change",
         "withdrawal_notice", "correction", "protocol")
FIELDS: dict[str, tuple[str, ...]] = {
    "signature": ("party", "date", "treaty"),
    "notification": ("party", "received", "authorized_bodies", "treaty"),
    "accession": ("party", "received", "authorized_bodies", "treaty"),
    "authorized_bodies_change": ("party", "changed", "received", "authorized_bodies"),
    "withdrawal_notice": ("party", "received", "withdrawal_date"),
    "correction": ("supersedes", "void", "field", "value"),
    "protocol": ("entry",),
}
CORRECTABLE = ("date", "received", "changed", "withdrawal_date", "party")
SHOWN_ENTRIES = 200


@router.get("/depositary")
async def depositary_page(request: Request, user: UserDep) -> Response:
    return await _page(request, user)


@router.post("/depositary/record")
async def record(request: Request, user: UserDep, form: FormDep) -> Response:
    kind = str(form.get("kind", ""))
    rt = request.app.state.runtime
    try:
        entry = entry_from_form(kind, form)
        results = await run_in_threadpool(record_entries, rt, user, [entry])
    except KelisimError as refusal:
        return await _page(request, user, kind=kind, values=dict(form), refusal=refusal)
    return see_other(request, f"/depositary?recorded={results[0]['id']}")


@router.get("/depositary/ledger.json")
async def download_ledger(request: Request, user: UserDep) -> Response:
    """The export, only after the chain verified; the verdict travels in a header too."""
    rt = request.app.state.runtime
    verdict = await run_in_threadpool(verify_ledger, rt, user)
    if not verdict["ok"]:
        raise KelisimError("The ledger's hash chain does not verify: "
                           + "; ".join(verdict["problems"]))
    document = await run_in_threadpool(export_ledger, rt, user)
    response = Response(orjson.dumps(document, option=orjson.OPT_INDENT_2),
                        media_type="application/json", headers={
                            "Content-Disposition": 'attachment; filename="kelisim-ledger.json"',
                            "X-Kelisim-Ledger-Verified": "true"})
    finish(request, response)
    return response


def entry_from_form(kind: str, form: FormData) -> dict[str, Any]:
    """The JSON entry a form describes (the same shape the API and the CLI take)."""
    if kind not in FIELDS:
        raise InvalidInput(Message(N_("Unknown entry kind {kind!r}."), kind=kind), field="kind")
    values = {name: str(form.get(name, "")).strip() for name in FIELDS[kind]}
    if kind == "protocol":
        return protocol_entry(values["entry"])
    if kind == "correction":
        supersedes = ascii_number(values["supersedes"])
        if supersedes is None:
            raise InvalidInput(Message(N_("supersedes must be the number of a recorded entry.")),
                               field="supersedes")
        entry: dict[str, Any] = {"kind": kind, "supersedes": supersedes}
        if values["void"]:
            entry["void"] = True
        elif values["field"] in CORRECTABLE and values["value"]:
            entry[values["field"]] = values["value"].upper() if values["field"] == "party" \
                else values["value"]
        else:
            raise InvalidInput(Message(N_("A correction either voids the entry or gives a field "
                                          "and its new value.")), field="field")
        return entry
    entry = {"kind": kind}
    for name, value in values.items():
        if name == "authorized_bodies":
            bodies = [{"name": line.strip()} for line in value.splitlines() if line.strip()]
            if bodies or kind == "authorized_bodies_change":
                entry[name] = bodies
        elif value:
            entry[name] = value.upper() if name == "party" else value
    return entry


def protocol_entry(text: str) -> dict[str, Any]:
    """A protocol's entry (Art. 11) typed as JSON; its content is checked by the domain
    (`domain.protocols.parse_protocol`) when recorded, as through the API."""
    try:
        entry = orjson.loads(text)
    except orjson.JSONDecodeError as bad:
        raise InvalidInput(Message(N_("The protocol entry is not valid JSON (line {line}, "
                                      "column {column}): {reason}."),
                                   line=bad.lineno, column=bad.colno, reason=bad.msg),
                           field="entry", article="Art. 11") from None
    if not isinstance(entry, dict):
        raise InvalidInput(Message(N_("The protocol entry must be a JSON object.")),
                           field="entry", article="Art. 11")
    return {**entry, "kind": "protocol"}


async def _page(request: Request, user: Any, *, kind: str | None = None,
                values: dict[str, Any] | None = None, refusal: KelisimError | None = None,
                ) -> Response:
    rt = request.app.state.runtime
    entries = await run_in_threadpool(list_entries, rt, user)
    verdict = await run_in_threadpool(verify_ledger, rt, user)
    states = await run_in_threadpool(get_states, rt, user)
    lang = request_lang(request)
    states.sort(key=lambda s: s["names"].get(lang, s["code"]))
    status = refusal.status if refusal else 200
    recorded_id = request.query_params.get("recorded", "")
    recorded = next((e for e in entries if str(e["id"]) == recorded_id), None)
    return render(request, "depositary.html", {
        "can_record": allowed(user, Action.RECORD_INSTRUMENT), "kinds": KINDS,
        "kind_labels": INSTRUMENT_LABELS, "states": states, "correctable": CORRECTABLE,
        "entries": list(reversed(entries))[:SHOWN_ENTRIES], "total": len(entries),
        "verdict": verdict, "open_kind": kind, "values": values or {}, "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, "") if refusal else "",
        "recorded": recorded,
    }, status_code=status)
