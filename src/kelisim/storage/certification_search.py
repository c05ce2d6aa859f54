"""Search and browse certificates: filters, prefix full-text, keyset pages — the same SQL on both
databases.

Ordered by (product, vendor) then number; a page continues strictly after the last row of the
previous one (keyset), never with OFFSET. Full text: every query word must prefix-match a word of
the product or vendor (range scan on `certificate_terms`), see
docs/decisions/0009-certification-dates.md ("Search").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    exists,
    func,
    intersect,
    or_,
    select,
    tuple_,
)

from kelisim.domain.certification.codec import prefix_end, query_terms
from kelisim.storage.schema import (
    certificate_periods,
    certificate_requirements,
    certificate_terms,
    certificates,
)

DENSE = 1500
"""A query word matching more certificates than this is checked row by row in sort order
(the page fills quickly); a rarer one is looked up first and its few matches sorted."""


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
    statement = _text_filter(connection, statement, query_terms(query.text or ""))
    if query.after is not None:
        statement = statement.where(tuple_(c.sort_key, c.number) > tuple_(*query.after))
    statement = statement.order_by(c.sort_key, c.number).limit(query.limit)
    return [(row.body, row.sort_key) for row in connection.execute(statement)]


def _text_filter(connection: Connection, statement: Select, words: list[str]) -> Select:
    """Each word must prefix-match a term of the certificate. One word matching many
    certificates: a correlated EXISTS while scanning in sort order (the page fills quickly); one
    rare word: its few matches looked up and sorted; several words: the INTERSECT of their
    matches, computed on the terms index alone, then looked up."""
    t, c = certificate_terms.c, certificates.c
    if not words:
        return statement
    matches = [select(t.number).where(t.term >= w, t.term < prefix_end(w)) for w in words]
    if len(words) > 1:
        return statement.where(c.number.in_(intersect(*matches)))
    count = connection.execute(select(func.count()).select_from(
        matches[0].limit(DENSE).subquery())).scalar_one()
    if count < DENSE:
        return statement.where(c.number.in_(matches[0]))
    return statement.where(exists().where(t.number == c.number, t.term >= words[0],
                                          t.term < prefix_end(words[0])))
