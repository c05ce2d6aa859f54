"""Prove the certification ledger untouched, and rebuild the projection from it.

The ledger is the record (Art. 3, direction 14: the agreed procedure needs a record every Party
can trust); the projection tables are a cache of its replay. `verify_certification_ledger`
recomputes the chain exactly as the depositary's is checked; `rebuild_projection` drops the
projection and replays every entry, which must give back the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kelisim.domain.access import CertificationAction, require_certification
from kelisim.domain.accounts import Principal, Role
from kelisim.domain.certification.lifecycle import CertificateEvent, replay
from kelisim.domain.certification.recognition import arrangement_from_json
from kelisim.domain.certification.schemes import parse_scheme
from kelisim.domain.chain_columns import certification_columns
from kelisim.domain.errors import PermissionDenied
from kelisim.domain.ledger import verify_stored
from kelisim.services.certification.recording import certificate_events, ranks
from kelisim.services.runtime import Runtime
from kelisim.storage.certification_ledger import CertificationLedger
from kelisim.storage.certification_repository import CertificationRepository


def verify_certification_ledger(rt: Runtime, principal: Principal) -> dict[str, Any]:
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        ledger = CertificationLedger(uow.connection)
        stored = list(ledger.stored())
        head = ledger.head()
    problems = verify_stored(stored, head, certification_columns)
    return {"ok": not problems, "chain": "certification", "entries": len(stored),
            "head": {"seq": head.seq, "hash": head.hash},
            "problems": [str(p) for p in problems]}


def rebuild_projection(rt: Runtime, principal: Principal) -> dict[str, Any]:
    """Replay the whole ledger into fresh projection tables (the node operator's repair)."""
    if principal.role is not Role.DEPOSITARY:
        raise PermissionDenied("Only the node's operator rebuilds the registry's projection.")
    now = rt.clock()
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        ledger.lock()
        stored = ledger.entries()
        repo.clear()
        events: dict[str, list[CertificateEvent]] = defaultdict(list)
        for entry in stored:
            kind = entry.entry["kind"]
            if kind == "scheme.recorded":
                repo.put_scheme(parse_scheme(entry.entry["scheme"]), entry.seq)
            elif kind == "arrangement.recorded":
                repo.put_arrangement(arrangement_from_json(entry.entry["arrangement"]),
                                     entry.seq)
        for event in certificate_events(stored):
            events[event.number].append(event)
        schemes = repo.schemes()
        by_scheme: dict[str, list] = defaultdict(list)
        for history in events.values():
            scheme = schemes[history[0].data["scheme"]]
            by_scheme[scheme.key].append((replay(history, scheme.party),
                                          max(e.seq for e in history)))
        for key, items in by_scheme.items():
            repo.save(items, ranks(schemes[key]), now, new=True)
        uow.commit()
    return {"entries": len(stored), "certificates": len(events)}
