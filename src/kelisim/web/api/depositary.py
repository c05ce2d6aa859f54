"""The depositary's record over HTTP: entries, batch import, ledger verification and export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from kelisim.services import depositary, ledger
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/depositary", tags=["depositary"])

ENTRY_EXAMPLES = {
    "signature": {"value": {"kind": "signature", "party": "KAZ", "date": "2013-11-20"}},
    "notification": {"value": {"kind": "notification", "party": "KAZ", "received": "2014-05-02",
                               "authorized_bodies": [{"name": "National CERT"}]}},
    "accession": {"value": {"kind": "accession", "party": "UZB", "received": "2016-02-01",
                            "authorized_bodies": [{"name": "..."}]}},
    "authorized_bodies_change": {"value": {"kind": "authorized_bodies_change", "party": "KAZ",
                                           "changed": "2017-01-10", "received": "2017-02-01",
                                           "authorized_bodies": [{"name": "..."}]}},
    "withdrawal_notice": {"value": {"kind": "withdrawal_notice", "party": "KAZ",
                                    "received": "2020-03-01", "withdrawal_date": None}},
    "correction": {"value": {"kind": "correction", "supersedes": 4, "received": "2014-05-03"}},
    "protocol": {"value": {
        "kind": "protocol", "protocol": "cis-infosec-2013-p1", "done_on": "2020-06-01",
        "titles": {"kk": "...", "ru": "...", "en": "Protocol amending the Agreement"},
        "entry_into_force": {"notifications": 3, "days_after": 30},
        "amendments": [{"article": "8", "action": "replace",
                        "text": {"kk": "...", "ru": "...", "en": "..."}}]}},
    "protocol_notification": {"value": {"kind": "notification", "party": "KAZ",
                                        "received": "2020-09-01",
                                        "treaty": "cis-infosec-2013-p1"}},
}


@router.post("/entries", status_code=201,
             summary="Record one instrument received (Art. 8, 11, 13-15)")
def record_entry(
    rt: RuntimeDep, principal: PrincipalDep,
    entry: Annotated[dict[str, Any], Body(openapi_examples=ENTRY_EXAMPLES)],
) -> dict[str, Any]:
    """Record one instrument; the depositary role only. A refusal (422) names the article."""
    return depositary.record_entries(rt, principal, [entry])[0]


@router.post("/import", status_code=201, summary="Record a whole history, all or nothing")
def import_entries(
    rt: RuntimeDep, principal: PrincipalDep,
    entries: Annotated[list[dict[str, Any]], Body(description="Entries in the order received.")],
) -> dict[str, Any]:
    """Record every entry or none; a refusal names the entry's position and the reason."""
    recorded = depositary.record_entries(rt, principal, entries)
    return {"recorded": len(recorded), "entries": recorded}


@router.get("/entries", summary="The ledger's entries, with what each correction superseded")
def list_entries(rt: RuntimeDep, principal: PrincipalDep,
                 party: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
                 ) -> dict[str, Any]:
    return {"entries": depositary.list_entries(rt, principal, party.upper() if party else None)}


@router.get("/ledger/verify", summary="Verify the hash chain of the depositary's record")
def verify_ledger(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return ledger.verify_ledger(rt, principal)


@router.get("/ledger/export", summary="The record with its chain, for third-party verification")
def export_ledger(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return ledger.export_ledger(rt, principal)
