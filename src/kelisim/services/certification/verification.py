"""Is certificate N (or tool X version V) valid in Party P on day D, and why?

Art. 3 (direction 14): the rule itself is `kelisim.domain.certification.verification.verify`;
this use case gathers its inputs — the certificate as projected from its events, its scheme, the
arrangements of P recognising that scheme, and every Party's state under the Agreement on D from
the depositary's record (`participation.party_states_on`, cached per ledger head) — in one unit
of work of a few indexed reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from kelisim.domain.access import CertificationAction, require_certification
from kelisim.domain.accounts import Principal
from kelisim.domain.certification.codec import certificate_from_json, certificate_to_json
from kelisim.domain.certification.lifecycle import Certificate
from kelisim.domain.certification.publication import public_view
from kelisim.domain.certification.schemes import Scheme
from kelisim.domain.certification.verification import Verdict, verify
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.domain.treaty import PartyState
from kelisim.services.participation import party_states_on
from kelisim.services.runtime import Runtime
from kelisim.storage.certification_repository import CertificationRepository
from kelisim.storage.schema import certificates

MAX_TOOL_MATCHES = 100
STATES_CACHE = "certification.party_states"
SCHEMES_CACHE = "certification.schemes"
MAX_CACHED_DAYS = 20_000


def verify_certificate(rt: Runtime, principal: Principal, number: str, party: str,
                       day: date | None = None) -> dict[str, Any]:
    """The verdict with its chain of reasons, and the certificate as recorded."""
    require_certification(principal, CertificationAction.READ)
    cert, _, verdict = _decide(rt, number, party, day)
    return {"certificate": certificate_to_json(cert), "verdict": verdict.to_json()}


def verify_public(rt: Runtime, number: str, party: str | None,
                  day: date | None = None) -> dict[str, Any]:
    """The public answer: no account; only what the certificate's scheme made public."""
    with rt.unit_of_work() as uow:
        cert, scheme = _certificate(rt, CertificationRepository(uow.connection), number)
    if not scheme.public_verification:
        raise NotFound(f"No certificate {number} is published for public verification.")
    if party is None:
        return public_view(cert, scheme, None)
    _, _, verdict = _decide(rt, number, party, day)
    return public_view(cert, scheme, verdict)


def verify_tool(rt: Runtime, principal: Principal, product: str, version: str | None,
                party: str, day: date | None = None) -> dict[str, Any]:
    """Every certificate covering the tool (and version, certified or maintained since)."""
    require_certification(principal, CertificationAction.READ)
    if not product.strip():
        raise InvalidInput("Name the product.", field="product")
    with rt.unit_of_work() as uow:
        rows = uow.connection.execute(
            select(certificates.c.body).where(certificates.c.sort_key.startswith(
                product.strip().casefold() + " ")).limit(MAX_TOOL_MATCHES))
        found = [certificate_from_json(r.body) for r in rows]
    matches = [c for c in found if version is None or version in c.versions()]
    verdicts = [_decide(rt, c.number, party, day)[2].to_json() for c in matches]
    return {"product": product, "version": version, "in": party.upper(),
            "valid": any(v["valid"] for v in verdicts), "verdicts": verdicts}


def _decide(rt: Runtime, number: str, party: str,
            day: date | None) -> tuple[Certificate, Scheme, Verdict]:
    day = day or rt.clock().date()
    party = party.strip().upper()
    with rt.unit_of_work() as uow:
        repo = CertificationRepository(uow.connection)
        cert, scheme = _certificate(rt, repo, number)
        arrangements = repo.arrangements(recognising_party=party, recognised_scheme=cert.scheme)
        depositary_head = uow.ledger.head()
    states = _party_states(rt, depositary_head.seq if depositary_head else 0, day)
    if party not in states:
        raise NotFound(f"{party} is not a state kelisim knows.", field="party")
    return cert, scheme, verify(cert, scheme, party, day, arrangements, states)


def _party_states(rt: Runtime, head_seq: int, day: date) -> dict[str, PartyState]:
    """Every Party's state on `day`, from `participation.party_states_on`, kept per (depositary
    ledger head, day) for as many days as verification asks about (the participation cache
    keeps a few dates only; verification asks about any date)."""
    cache: dict[tuple[int, date], dict[str, PartyState]] = rt.caches.setdefault(
        STATES_CACHE, {})
    found = cache.get((head_seq, day))
    if found is None:
        if len(cache) >= MAX_CACHED_DAYS:
            cache.clear()
        found = cache[(head_seq, day)] = party_states_on(rt, day)
    return found


def _certificate(rt: Runtime, repo: CertificationRepository,
                 number: str) -> tuple[Certificate, Scheme]:
    found = repo.certificate(number)
    if found is None:
        raise NotFound(f"No certificate {number} is recorded.", field="number")
    cert = found[0]
    schemes: dict[str, Scheme] = rt.caches.setdefault(SCHEMES_CACHE, {})
    if cert.scheme not in schemes:  # a recorded scheme never changes: safe to keep
        schemes.update(repo.schemes())
    return cert, schemes[cert.scheme]
