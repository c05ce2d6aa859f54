"""The Agreement's status on a date, in the JSON shape scripts rely on and the UNTC table layout."""

from __future__ import annotations

from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.treaty import AgreementStatus, PartyStatus, resolve_corrections, status_on
from kelisim.services.depositary import cis_membership, recorded_entries
from kelisim.services.runtime import Runtime

UNTC_COLUMNS = ("Participant", "Signature", "Notification/Accession (a)", "Date of effect",
                "Withdrawal")


def compute_status(rt: Runtime, principal: Principal, on: date) -> tuple[AgreementStatus, dict]:
    """The status on `on` and the states' names; entries received after `on` play no part."""
    require(principal, Action.READ_STATUS)
    with rt.unit_of_work() as uow:
        known = uow.reference.states()
        effective = resolve_corrections(recorded_entries(uow))
    members = [code for code, info in known.items() if info.period_on(on) is not None]
    status = status_on(effective, on, members, cis_membership(known))
    return status, {code: info.names for code, info in known.items()}


def status_json(status: AgreementStatus, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {
        "on": status.on.isoformat(),
        "agreement": {
            "in_force": status.in_force,
            "entry_into_force": _iso(status.entry_into_force),
            "notifications_received": status.notifications_received,
            "article": "Art. 13",
        },
        "parties": [party_json(p, names.get(p.party, {})) for p in status.parties],
    }


def party_json(p: PartyStatus, names: dict[str, str]) -> dict[str, Any]:
    return {
        "party": p.party,
        "names": names,
        "state": p.state.value,
        "signed_on": _iso(p.signed_on),
        "instrument": p.instrument,
        "instrument_received": _iso(p.instrument_received),
        "in_force_from": _iso(p.in_force_from),
        "withdrawal_received": _iso(p.withdrawal_received),
        "withdrawal_effective": _iso(p.withdrawal_effective),
        "authorized_bodies": [dict(b) for b in p.authorized_bodies],
        "flags": [f.as_dict() for f in p.flags],
    }


def untc_rows(status: AgreementStatus, names: dict[str, dict[str, str]]) -> list[list[str]]:
    """The UN Treaty Collection layout; only states with a signature or an instrument appear.

    Accessions carry the suffix " a"; the date of effect is max(entry into force, receipt + 30).
    """
    rows = []
    for p in status.parties:
        if p.signed_on is None and p.instrument is None:
            continue
        received = _untc_date(p.instrument_received)
        if received and p.instrument == "accession":
            received += " a"
        rows.append([names.get(p.party, {}).get("en", p.party), _untc_date(p.signed_on), received,
                     _untc_date(p.in_force_from), _untc_date(p.withdrawal_effective)])
    return rows


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _untc_date(value: date | None) -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else ""

