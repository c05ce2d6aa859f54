"""Search, browse, export and import the registry (Art. 3, direction 14: a shared record).

Search: filters by Party, scheme, category, vendor, requirement, level and state on a date, prefix
full-text on product and vendor, keyset pages with an opaque cursor. Export: the CCRA certified
products list layout (CSV, or the same rows as JSON objects). Import: a CSV in that layout into
one scheme, all or nothing, every bad line named.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pycountry

from kelisim.domain.access import CertificationAction, require_certification
from kelisim.domain.accounts import Principal
from kelisim.domain.certification import ccra
from kelisim.domain.certification.codec import (
    certificate_from_json,
    certificate_to_json,
    state_on,
)
from kelisim.domain.certification.lifecycle import CertState
from kelisim.domain.certification.schemes import parse_category
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.services.certification.recording import issue_certificates
from kelisim.services.runtime import Runtime
from kelisim.storage.certification_repository import CertificationRepository
from kelisim.storage.certification_search import SearchQuery, search

MAX_PAGE = 500
STATES = (*(s.value for s in CertState), "not_yet_issued")


def search_certificates(rt: Runtime, principal: Principal, *, limit: int = 50,
                        cursor: str | None = None, **filters: Any) -> dict[str, Any]:
    """One page of certificates and the cursor of the next (None on the last page)."""
    require_certification(principal, CertificationAction.READ)
    query = build_query(rt, limit=limit, cursor=cursor, **filters)
    with rt.unit_of_work() as uow:
        found = search(uow.connection, query)
    items = [body for body, _ in found]
    next_cursor = (encode_cursor(found[-1][1], found[-1][0]["number"])
                   if len(found) == query.limit else None)
    on = query.on or rt.clock().date()
    for body in items:
        body["state_on"] = {"on": on.isoformat(),
                            "state": state_on(certificate_from_json(body), on)}
    return {"certificates": items, "next": next_cursor}


def build_query(rt: Runtime, *, limit: int = 50, cursor: str | None = None,
                party: str | None = None, scheme: str | None = None,
                category: str | None = None, vendor: str | None = None,
                requirement: str | None = None, level: str | None = None,
                state: str | None = None, on: date | None = None,
                text: str | None = None) -> SearchQuery:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}.", field="limit")
    if state is not None and state not in STATES:
        raise InvalidInput(f"state is one of {', '.join(STATES)}.", field="state")
    return SearchQuery(
        party=party.upper() if party else None, scheme=scheme,
        category=parse_category(category) if category else None, vendor=vendor,
        requirement=requirement, level=level, state=state,
        on=(on or rt.clock().date()) if state else on, text=text,
        after=decode_cursor(cursor) if cursor else None, limit=limit)


def encode_cursor(sort_key: str, number: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([sort_key, number])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (isinstance(raw, list) and len(raw) == 2
                and all(isinstance(x, str) for x in raw)):
            return raw[0], raw[1]
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        pass
    raise InvalidInput("The cursor is not one this registry issued.", field="cursor")


def get_certificate(rt: Runtime, principal: Principal, number: str) -> dict[str, Any]:
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        found = CertificationRepository(uow.connection).certificate(number)
    if found is None:
        raise NotFound(f"No certificate {number} is recorded.", field="number")
    return certificate_to_json(found[0])


def export_rows(rt: Runtime, principal: Principal, *, extended: bool = False,
                **filters: Any) -> Iterator[list[str]]:
    """The registry's rows in the CCRA layout, page by page (never all in memory)."""
    require_certification(principal, CertificationAction.READ)
    today = rt.clock().date()
    with rt.unit_of_work() as uow:
        schemes = CertificationRepository(uow.connection).schemes()
    query = build_query(rt, limit=MAX_PAGE, **filters)
    while True:
        with rt.unit_of_work() as uow:
            page = search(uow.connection, query)
        for body, _ in page:
            cert = certificate_from_json(body)
            yield from ccra.rows(cert, schemes[cert.scheme], state_on(cert, today),
                                 extended=extended)
        if len(page) < query.limit:
            return
        query = SearchQuery(**{**query.__dict__, "after": (page[-1][1], page[-1][0]["number"])})


def export_csv(rt: Runtime, principal: Principal, *, extended: bool = False,
               **filters: Any) -> str:
    header = ccra.COLUMNS + (ccra.EXTENDED if extended else ())
    return ccra.write_csv(header, export_rows(rt, principal, extended=extended, **filters))


def export_json(rt: Runtime, principal: Principal, *, extended: bool = False,
                **filters: Any) -> list[dict[str, str]]:
    header = ccra.COLUMNS + (ccra.EXTENDED if extended else ())
    return [dict(zip(header, row, strict=True))
            for row in export_rows(rt, principal, extended=extended, **filters)]


def import_csv(rt: Runtime, principal: Principal, scheme_key: str, text: str) -> dict[str, Any]:
    """Load a scheme's registry from a CCRA-layout CSV: every certificate or none."""
    with rt.unit_of_work() as uow:
        scheme = CertificationRepository(uow.connection).schemes().get(scheme_key)
    if scheme is None:
        raise NotFound(f"No scheme {scheme_key!r} is recorded.", field="scheme")
    require_certification(principal, CertificationAction.RECORD_CERTIFICATES, party=scheme.party)
    country = pycountry.countries.get(alpha_3=scheme.party)
    labels = {scheme.key, scheme.party, *([country.alpha_2] if country else [])}
    imported = ccra.parse_csv(text, scheme, labels)
    issued = issue_certificates(rt, principal, scheme.key,
                                [(item.issue, item.maintenance) for item in imported],
                                prepared=True)
    return {"scheme": scheme.key, "imported": len(issued),
            "maintenance_reports": sum(len(i.maintenance) for i in imported)}


def list_schemes(rt: Runtime, principal: Principal,
                 party: str | None = None) -> list[dict[str, Any]]:
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        schemes = CertificationRepository(uow.connection).schemes()
    return [s.to_json() for s in schemes.values() if party is None or s.party == party.upper()]


def list_arrangements(rt: Runtime, principal: Principal, *, recognising_party: str | None = None,
                      recognised_scheme: str | None = None) -> list[dict[str, Any]]:
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        found = CertificationRepository(uow.connection).arrangements(
            recognising_party=recognising_party.upper() if recognising_party else None,
            recognised_scheme=recognised_scheme)
    return [a.to_json() for a in found]


def read_document(rt: Runtime, principal: Principal, sha256: str) -> tuple[str, bytes]:
    require_certification(principal, CertificationAction.READ)
    with rt.unit_of_work() as uow:
        found = CertificationRepository(uow.connection).document(sha256.lower())
    if found is None:
        raise NotFound(f"No document with SHA-256 {sha256} is stored.", field="sha256")
    return found
