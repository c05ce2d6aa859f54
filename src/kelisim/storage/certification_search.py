"""Search and browse certificates: filters, prefix full-text, keyset pages — the same SQL on both
databases.

Ordered by (product, vendor) then number; a page continues strictly after the last row of the
previous one (keyset), never with OFFSET. Full text: every query word must prefix-match a word of
the product or vendor (range scan on `certificate_terms`), see
docs/decisions/0005-certification-dates.md ("Search").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, tuple_

from kelisim.domain.certification.codec import prefix_end, query_terms
from kelisim.storage.schema import (
    certificate_periods,
    certificate_requirements,
    certificate_terms,
    certificates,
)


@dataclass(frozen=True)
class SearchQuery:
    party: str | None = None
    scheme: str | None = None
    category: str | None = None
    vendor: str | None = None
    requirement: str | None = None
    level: str | None = None
    state: str | None = None
    on: date | None = None
    text: str | None = None
    after: tuple[str, str] | None = None
    limit: int = 50


def search(connection: Connection, query: SearchQuery) -> list[tuple[dict[str, Any], str]]:
    """(certificate JSON, sort key) for one page, in order."""
    c = certificates.c
    statement = select(c.body, c.sort_key, c.number)
    for column, value in ((c.party, query.party), (c.scheme, query.scheme),
                          (c.category, query.category)):
        if value is not None:
            statement = statement.where(column == value)
    if query.vendor:
        statement = statement.where(c.vendor_key == query.vendor.casefold())
    if query.requirement or query.level:
        r = certificate_requirements.c
        conditions = [r.number == c.number]
        if query.requirement:
            conditions.append(r.document == query.requirement)
        if query.level:
            conditions.append(r.level == query.level)
        statement = statement.where(exists().where(and_(*conditions)))
    if query.state == "not_yet_issued" and query.on:
        statement = statement.where(c.issued_on > query.on)
    elif query.state and query.on:
        p = certificate_periods.c
        statement = statement.where(exists().where(and_(
            p.number == c.number, p.state == query.state, p.starts_on <= query.on,
            or_(p.ends_on.is_(None), p.ends_on > query.on))))
    for term in query_terms(query.text or ""):
        t = certificate_terms.c
        statement = statement.where(c.number.in_(
            select(t.number).where(t.term >= term, t.term < prefix_end(term))))
    if query.after is not None:
        statement = statement.where(tuple_(c.sort_key, c.number) > tuple_(*query.after))
    statement = statement.order_by(c.sort_key, c.number).limit(query.limit)
    return [(row.body, row.sort_key) for row in connection.execute(statement)]
