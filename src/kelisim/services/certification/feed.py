"""The change feed: every Party recognising a certificate learns of its suspension or withdrawal.

Art. 3 (direction 14) — mutual recognition only works if a suspension in one Party reaches the
others; Art. 9 — the authorized bodies exchange such information. `changes` is the pull form
(`GET /api/v1/certification/changes?changed_since=`, keyset by ledger sequence); `stix_bundle`
gives the same event as STIX 2.1 objects (see `kelisim.domain.certification.stix`), and
`publish_to_exchange` stores them in the exchange's certification collection, which every
bound Party reads over TAXII.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from kelisim.domain.access import CertificationAction, require_certification
from kelisim.domain.accounts import Principal
from kelisim.domain.certification import stix
from kelisim.domain.certification.lifecycle import EventKind
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.services.exchange.publication import publish_certification_event
from kelisim.services.runtime import Runtime
from kelisim.storage.certification_ledger import CertificationLedger, StoredEntry
from kelisim.storage.certification_repository import CertificationRepository

MAX_PAGE = 1000
ALERTS = frozenset({EventKind.SUSPENDED.value, EventKind.WITHDRAWN.value,
                    EventKind.REINSTATED.value, EventKind.EXPIRED.value})


def changes(rt: Runtime, principal: Principal, *, changed_since: datetime | None = None,
            after: int = 0, limit: int = 100, events: set[str] | None = None) -> dict[str, Any]:
    """Ledger entries recorded at or after `changed_since`, after sequence `after`, in order."""
    require_certification(principal, CertificationAction.READ)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}.", field="limit")
    if changed_since is not None and changed_since.tzinfo is None:
        raise InvalidInput("changed_since is an RFC 3339 timestamp with its offset "
                           "(e.g. 2026-11-25T00:00:00Z).", field="changed_since")
    since = changed_since.astimezone(UTC) if changed_since else None
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        page = ledger.entries(since=since, after_seq=after, limit=limit)
        recognisers = _recognisers(repo)
    items = [_item(entry, recognisers) for entry in page]
    if events:
        items = [i for i in items if i["event"] in events]
    return {"changes": items, "next_after": page[-1].seq if len(page) == limit else None}


def _recognisers(repo: CertificationRepository) -> Callable[[str, date], list[str]]:
    arrangements = repo.arrangements()

    def recognised_in(scheme: str, on: date) -> list[str]:
        return sorted({a.recognising_party for a in arrangements
                       if a.recognised_scheme == scheme and a.in_force_on(on)})
    return recognised_in


def _item(stored: StoredEntry, recognised_in: Callable[[str, date], list[str]]) -> dict[str, Any]:
    entry = stored.entry
    kind, _, event = entry["kind"].partition(".")
    recorded = stored.recorded_at if stored.recorded_at.tzinfo else stored.recorded_at.replace(
        tzinfo=UTC)
    item: dict[str, Any] = {"seq": stored.seq, "recorded_at": recorded.isoformat(),
                            "hash": stored.hash, "record": kind, "event": event}
    if kind == "certificate":
        on = date.fromisoformat(entry["on"])
        item.update(number=entry["number"], scheme=entry["scheme"], on=entry["on"],
                    reason=entry.get("reason"), alert=event in ALERTS,
                    recognised_in=recognised_in(entry["scheme"], on))
    elif kind == "scheme":
        item.update(scheme=entry["scheme"]["key"], party=entry["scheme"]["party"])
    else:
        item.update(arrangement=entry["arrangement"]["key"],
                    scheme=entry["arrangement"]["recognised_scheme"],
                    recognised_in=[entry["arrangement"]["recognising_party"]])
    return item


def stix_bundle(rt: Runtime, principal: Principal, seq: int) -> dict[str, Any]:
    """The STIX 2.1 bundle for the certificate event recorded as ledger entry `seq`."""
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        found = ledger.entries(after_seq=seq - 1, limit=1)
        if not found or found[0].seq != seq or not found[0].entry["kind"].startswith(
                "certificate."):
            raise NotFound(f"Ledger entry {seq} is not a certificate event.", field="seq")
        stored = found[0]
        cert_found = repo.certificate(stored.entry["number"])
        assert cert_found is not None
        cert = cert_found[0]
        scheme = repo.schemes()[cert.scheme]
        item = _item(stored, _recognisers(repo))
    recorded = datetime.fromisoformat(item["recorded_at"])
    objects = stix.event_objects(cert, scheme, seq=seq, entry_hash=stored.hash,
                                 kind=item["event"], on=item["on"], reason=item["reason"],
                                 recorded_at=recorded, recognised_in=item["recognised_in"])
    return stix.bundle(objects, seq)


def publish_to_exchange(rt: Runtime, principal: Principal, seq: int) -> dict[str, Any]:
    """Publish the certificate event `seq` in the exchange's certification collection."""
    bundle = stix_bundle(rt, principal, seq)
    with rt.unit_of_work() as uow:
        ledger = CertificationLedger(uow.connection)
        scheme_key = ledger.entries(after_seq=seq - 1, limit=1)[0].entry["scheme"]
        party = CertificationRepository(uow.connection).schemes()[scheme_key].party
    failures = publish_certification_event(rt, bundle["objects"], party)
    return {"published": not failures, "bundle": bundle, "failures": failures}
