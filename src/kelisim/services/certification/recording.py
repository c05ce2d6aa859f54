"""Record into the certification registry: schemes, arrangements, certificates and their events.

Art. 2 (certification of conformity) and Art. 3 (direction 14). Every act is appended to the
certification ledger (hash-chained, append-only) and the projection is updated in the same
transaction; a refusal raises before anything is written, so nothing is half-recorded. A
lifecycle event is checked by replaying the certificate's whole history with it, so a backdated
event that would make a later one unlawful is refused too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from kelisim.domain.access import CertificationAction, require_certification
from kelisim.domain.accounts import Principal
from kelisim.domain.certification.codec import certificate_to_json
from kelisim.domain.certification.lifecycle import (
    Certificate,
    CertificateEvent,
    EventKind,
    event_fields,
    issue_fields,
    replay,
)
from kelisim.domain.certification.recognition import parse_arrangement
from kelisim.domain.certification.schemes import ARTICLE, Scheme, SchemeRole, parse_scheme
from kelisim.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from kelisim.services.certification.feed import ALERTS, publish_to_exchange
from kelisim.services.runtime import Runtime
from kelisim.storage.certification_ledger import CertificationLedger, StoredEntry
from kelisim.storage.certification_repository import CertificationRepository

LATER_EVENTS = tuple(k for k in EventKind if k is not EventKind.ISSUED)


def record_scheme(rt: Runtime, principal: Principal, raw: Any) -> dict[str, Any]:
    scheme = parse_scheme(raw)
    require_certification(principal, CertificationAction.RECORD_CERTIFICATES, party=scheme.party)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        head = ledger.lock()
        if scheme.party not in uow.reference.states():
            raise NotFound(f"{scheme.party} is not a state kelisim knows.", field="party")
        if scheme.key in repo.schemes():
            raise Conflict(f"Scheme {scheme.key} is already recorded.", field="key")
        entry = {"kind": "scheme.recorded", "scheme": scheme.to_json()}
        head, _ = ledger.append(head, now, [entry],
                                principal.account_id or None)
        repo.put_scheme(scheme, head.seq)
        uow.commit()
    return {"seq": head.seq, "scheme": scheme.to_json()}


def record_arrangement(rt: Runtime, principal: Principal, raw: Any) -> dict[str, Any]:
    now = rt.clock()
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        head = ledger.lock()
        arrangement = parse_arrangement(raw, repo.schemes())
        require_certification(principal, CertificationAction.RECORD_ARRANGEMENTS,
                              party=arrangement.recognising_party)
        if repo.arrangement_exists(arrangement.key):
            raise Conflict(f"Arrangement {arrangement.key} is already recorded.", field="key")
        entry = {"kind": "arrangement.recorded", "arrangement": arrangement.to_json()}
        head, _ = ledger.append(head, now, [entry], principal.account_id or None)
        repo.put_arrangement(arrangement, head.seq)
        uow.commit()
    return {"seq": head.seq, "arrangement": arrangement.to_json()}


def issue_certificate(rt: Runtime, principal: Principal, raw: Any) -> dict[str, Any]:
    """Record a certificate's issue (and, from an import, its maintenance reports)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("A certificate is a JSON object.")
    return issue_certificates(rt, principal, str(raw.get("scheme", "")), [(raw, [])])[0]


def issue_certificates(rt: Runtime, principal: Principal, scheme_key: str,
                       items: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
                       *, prepared: bool = False) -> list[dict[str, Any]]:
    """Issue many certificates of one scheme at once, all or nothing. Each item is the issue
    fields and maintenance events; `prepared` means already normalized by `issue_fields`."""
    now, today = rt.clock(), rt.clock().date()
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        head = ledger.lock()
        scheme = _scheme(repo, scheme_key)
        require_certification(principal, CertificationAction.RECORD_CERTIFICATES,
                              party=scheme.party)
        if scheme.role is not SchemeRole.PRODUCING:
            raise RuleViolation(f"Scheme {scheme.key} is certificate-consuming: it issues no "
                                "certificates.", article=ARTICLE)
        fields = [(f if prepared else issue_fields(f, scheme), m) for f, m in items]
        _check_new_numbers([f["number"] for f, _ in fields], repo)
        entries: list[dict[str, Any]] = []
        planned: list[list[CertificateEvent]] = []
        seq = head.seq
        for issue, maintenance in fields:
            events = []
            for data in [issue, *maintenance]:
                seq += 1
                kind = EventKind.ISSUED if data is issue else EventKind.MAINTENANCE
                entry = {"kind": f"certificate.{kind.value}", "number": issue["number"],
                         "scheme": scheme.key, **data}
                entries.append(entry)
                events.append(CertificateEvent(seq, kind, issue["number"],
                                               date.fromisoformat(data["on"]), entry))
            planned.append(events)
        certificates = [(_replay(events, scheme, today), events[-1].seq) for events in planned]
        ledger.append(head, now, entries, principal.account_id or None)
        repo.save(certificates, ranks(scheme), now, new=True)
        uow.commit()
    return [certificate_to_json(cert) for cert, _ in certificates]


def record_event(rt: Runtime, principal: Principal, number: str, kind: str,
                 raw: Mapping[str, Any]) -> dict[str, Any]:
    """Amend, maintain, suspend, reinstate, withdraw or expire a certificate."""
    try:
        event_kind = EventKind(kind)
    except ValueError:
        event_kind = EventKind.ISSUED
    if event_kind is EventKind.ISSUED:
        raise InvalidInput(f"Unknown event {kind!r}; one of: "
                           f"{', '.join(k.value for k in LATER_EVENTS)}.", field="event")
    now = rt.clock()
    with rt.unit_of_work() as uow:
        ledger, repo = CertificationLedger(uow.connection), CertificationRepository(uow.connection)
        head = ledger.lock()
        found = repo.certificate(number)
        if found is None:
            raise NotFound(f"No certificate {number} is recorded.", field="number")
        scheme = _scheme(repo, found[0].scheme)
        require_certification(principal, CertificationAction.RECORD_CERTIFICATES,
                              party=scheme.party)
        fields = event_fields(event_kind, raw, scheme)
        entry = {"kind": f"certificate.{event_kind.value}", "number": number,
                 "scheme": scheme.key, **fields}
        on = date.fromisoformat(fields["on"])
        events = [*certificate_events(ledger.entries(number=number)),
                  CertificateEvent(head.seq + 1, event_kind, number, on, entry)]
        cert = _replay(events, scheme, now.date())
        head, _ = ledger.append(head, now, [entry], principal.account_id or None)
        repo.save([(cert, head.seq)], ranks(scheme), now, new=False)
        uow.commit()
    result = {"seq": head.seq, "event": entry, "certificate": certificate_to_json(cert)}
    if event_kind.value in ALERTS:
        # Art. 3 (direction 14), Art. 9: every recognising Party learns of it over TAXII too.
        result["published"] = publish_to_exchange(rt, principal, head.seq)["published"]
    return result


def certificate_events(stored: Sequence[StoredEntry]) -> list[CertificateEvent]:
    return [CertificateEvent(s.seq, EventKind(s.entry["kind"].split(".", 1)[1]),
                             s.entry["number"], date.fromisoformat(s.entry["on"]), s.entry)
            for s in stored if s.entry["kind"].startswith("certificate.")]


def ranks(scheme: Scheme) -> dict[tuple[str, str], int]:
    return {(scheme.key, f"{d.key}:{level}"): i
            for d in scheme.documents for i, level in enumerate(d.scale)}


def store_document(rt: Runtime, principal: Principal, scheme_key: str, content: bytes,
                   media_type: str = "application/octet-stream") -> dict[str, Any]:
    """Keep a document's bytes (by SHA-256) for a scheme's certificates to reference."""
    if not content:
        raise InvalidInput("The document is empty.")
    digest = hashlib.sha256(content).hexdigest()
    with rt.unit_of_work() as uow:
        repo = CertificationRepository(uow.connection)
        scheme = _scheme(repo, scheme_key)
        require_certification(principal, CertificationAction.RECORD_CERTIFICATES,
                              party=scheme.party)
        created = repo.put_document(digest, media_type[:100], content, rt.clock())
        uow.commit()
    return {"sha256": digest, "size": len(content), "media_type": media_type,
            "stored": created}


def _scheme(repo: CertificationRepository, key: str) -> Scheme:
    scheme = repo.schemes().get(key)
    if scheme is None:
        raise NotFound(f"No scheme {key!r} is recorded.", field="scheme")
    return scheme


def _check_new_numbers(numbers: list[str], repo: CertificationRepository) -> None:
    seen: set[str] = set()
    repeated = [n for n in numbers if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if repeated:
        raise Conflict(f"Certificate number {repeated[0]} is given twice.", field="number")
    taken = repo.existing_numbers(numbers)
    if taken:
        raise Conflict(f"Certificate number {sorted(taken)[0]} is already recorded.",
                       field="number", numbers=sorted(taken)[:20])


def _replay(events: list[CertificateEvent], scheme: Scheme, today: date) -> Certificate:
    if events[0].on > today:
        raise RuleViolation(f"Certificate {events[0].number}: the issue date {events[0].on} is "
                            f"after today ({today}).", article=ARTICLE)
    return replay(events, scheme.party, today)

