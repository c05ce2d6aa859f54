"""Read the Agreement, its Art. 2 glossary and the CIS states as loaded in the database."""

from __future__ import annotations

from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import load_agreement
from kelisim.domain.errors import NotFound
from kelisim.domain.states import domestic_acts
from kelisim.services.runtime import Runtime

LANGUAGES = ("kk", "ru", "en")


def get_glossary(rt: Runtime, principal: Principal | None) -> list[dict[str, Any]]:
    if principal is not None:
        require(principal, Action.READ_AGREEMENT)
    with rt.unit_of_work() as uow:
        return uow.reference.glossary(load_agreement().key)


def get_agreement(rt: Runtime, principal: Principal | None) -> dict[str, Any]:
    if principal is not None:
        require(principal, Action.READ_AGREEMENT)
    with rt.unit_of_work() as uow:
        body = uow.reference.agreement(load_agreement().key)
    if body is None:
        raise NotFound("The Agreement is not loaded; run `kelisim up` or `kelisim init`.")
    body["signed_on"] = body["signed_on"].isoformat()
    return body


def get_states(rt: Runtime, principal: Principal | None) -> list[dict[str, Any]]:
    if principal is not None:
        require(principal, Action.READ_AGREEMENT)
    with rt.unit_of_work() as uow:
        known = uow.reference.states()
    return [{"code": s.code, "names": s.names, "in_signature_blocks": s.in_signature_blocks,
             "cis_periods": [{"start": p.start.isoformat(),
                              "end": p.end.isoformat() if p.end else None,
                              "status": p.status, "source": p.source} for p in s.cis_periods]}
            for s in known.values()]


def get_domestic_acts(rt: Runtime, principal: Principal | None) -> list[dict[str, Any]]:
    """Publicly sourced domestic acts (e.g. ratification laws): context, never status."""
    if principal is not None:
        require(principal, Action.READ_AGREEMENT)
    return [{"party": act.party, "date": act.date.isoformat(), "title": act.title,
             "reference": act.reference, "source": act.source, "note": act.note}
            for act in domestic_acts()]
