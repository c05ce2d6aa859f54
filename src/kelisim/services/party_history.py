"""One Party's record over time: its terms and its authorized bodies as each list took effect.

The status on a date (services/status.py) gives the bodies *on* that date; the Party's page in
the web UI shows the whole story (Art. 8: each list from the later of its change date and its
receipt), computed from the same replay of the depositary's record up to the date asked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import NotFound
from kelisim.domain.treaty import replay, resolve_corrections
from kelisim.services.depositary import cis_membership, recorded_entries
from kelisim.services.runtime import Runtime


def party_history(rt: Runtime, principal: Principal, party: str, on: date) -> dict[str, Any]:
    """Terms (instrument, date of effect, withdrawal) and bodies lists known on `on`."""
    require(principal, Action.READ_STATUS)
    party = party.upper()
    with rt.unit_of_work() as uow:
        known = uow.reference.states()
        if party not in known:
            raise NotFound(f"{party} is not a state kelisim knows.", field="party")
        effective = resolve_corrections(recorded_entries(uow))
    record, _ = replay(effective, cis_membership(known), until=on)
    party_record = record.parties.get(party)
    if party_record is None:
        return {"party": party, "terms": [], "bodies": []}
    terms = [{"instrument": t.kind, "entry": t.instrument_id, "received": t.received,
              "in_force_from": record.date_of_effect(t),
              "withdrawal_received": t.withdrawal_received, "withdrawal_date": t.withdrawal_date}
             for t in party_record.terms]
    lists = sorted(party_record.lists, key=lambda lst: (lst.effective_from, lst.entry_id))
    bodies = [{"term": lst.term_index + 1, "entry": lst.entry_id, "received": lst.received,
               "effective_from": lst.effective_from,
               "bodies": [dict(b) for b in lst.bodies]} for lst in lists]
    return {"party": party, "terms": terms, "bodies": bodies}
