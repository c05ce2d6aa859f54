"""The treaties the depositary tracks (the Agreement and its protocols, Art. 11), each one's
status per Party on a date, and the consolidated text in force for a Party on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import load_agreement
from kelisim.domain.consolidated_text import consolidate
from kelisim.domain.depositary_record import DepositaryRecord, TreatyStatus, replay_all
from kelisim.domain.errors import N_, InvalidInput, Message, NotFound
from kelisim.domain.protocols import LANGUAGES
from kelisim.domain.treaty import resolve_corrections
from kelisim.domain.treaty_terms import AGREEMENT_ID, TreatyTerms
from kelisim.services.depositary import cis_membership, recorded_entries
from kelisim.services.runtime import Runtime
from kelisim.services.status import party_json


def _replayed(rt: Runtime, until: date | None) -> tuple[DepositaryRecord, dict]:
    with rt.unit_of_work() as uow:
        known = uow.reference.states()
        effective = resolve_corrections(recorded_entries(uow))
    record, _ = replay_all(effective, cis_membership(known), until=until)
    return record, known


def list_treaties(rt: Runtime, principal: Principal, on: date) -> list[dict[str, Any]]:
    """Every treaty tracked on `on`: its terms, entry into force, and for a protocol its
    amendments and the proposal it came from."""
    require(principal, Action.READ_STATUS)
    record, _ = _replayed(rt, on)
    result = []
    for treaty, treaty_record in record.records.items():
        body = treaty_record.terms.as_dict()
        body["entry_into_force"]["date"] = _iso(treaty_record.entry_into_force)
        body["notifications_received"] = len(treaty_record.notifiers)
        if treaty != AGREEMENT_ID:
            entry, protocol = record.protocols[treaty]
            body.update({"entry": entry, "proposal": protocol.proposal,
                         "amendments": [a.to_json() for a in protocol.amendments]})
        result.append(body)
    return result


def compute_treaty_status(rt: Runtime, principal: Principal, treaty: str,
                          on: date) -> tuple[TreatyStatus, dict]:
    """One treaty's status on `on`; entries received after `on` play no part."""
    status, names, _ = status_with_treaties(rt, principal, treaty, on)
    return status, names


def status_with_treaties(rt: Runtime, principal: Principal, treaty: str,
                         on: date) -> tuple[TreatyStatus, dict, list[TreatyTerms]]:
    """`compute_treaty_status` and the terms of every treaty tracked on `on`, from one replay
    (the status page shows both)."""
    require(principal, Action.READ_STATUS)
    record, known = _replayed(rt, on)
    members = [code for code, info in known.items() if info.period_on(on) is not None]
    status = record.treaty_status(treaty, on, members)
    return status, {code: info.names for code, info in known.items()}, record.terms()


def treaty_status_json(status: TreatyStatus, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    agreement = status.status
    terms = status.terms.as_dict()
    terms.update({"in_force": agreement.in_force,
                  "entry_into_force_date": _iso(agreement.entry_into_force),
                  "notifications_received": agreement.notifications_received})
    if status.protocol is not None:
        terms.update({"entry": status.entry, "proposal": status.protocol.proposal})
    return {"on": agreement.on.isoformat(), "treaty": terms,
            "parties": [party_json(p, names.get(p.party, {})) for p in agreement.parties]}


def consolidated_text(rt: Runtime, principal: Principal, party: str, on: date,
                      lang: str) -> dict[str, Any]:
    """Art. 11: the Agreement's text as amended by the protocols in force for `party` on `on`."""
    require(principal, Action.READ_AGREEMENT)
    if lang not in LANGUAGES:
        raise InvalidInput(Message(N_("lang must be one of kk, ru, en, not {raw!r}."), raw=lang),
                           field="lang")
    code = party.upper()
    record, known = _replayed(rt, on)
    if code not in known:
        raise NotFound(Message(N_("{party} is not a state kelisim knows as a CIS state (past or "
                                  "present)."), party=code), field="party")
    with rt.unit_of_work() as uow:
        agreement = uow.reference.agreement(load_agreement().key)
    if agreement is None:
        raise NotFound("The Agreement is not loaded; run `kelisim up` or `kelisim init`.")
    in_force = record.in_force_for(code, on)
    articles, skipped = consolidate(agreement["articles"], lang,
                                    [(protocol, since) for _, protocol, since in in_force])
    state = record.agreement.party_status(code, on).state
    return {
        "party": code, "on": on.isoformat(), "lang": lang, "article": "Art. 11",
        "title": agreement["titles"].get(lang), "agreement_state": state.value,
        "protocols_in_force": [{"protocol": p.protocol, "titles": dict(p.titles),
                                "entry": entry, "in_force_from": since.isoformat()}
                               for entry, p, since in in_force],
        "articles": [a.as_dict() for a in articles], "not_applied": skipped,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
