"""The certification registry's projection: schemes, arrangements and certificates as they stand.

Everything here is derived from the certification ledger and can be dropped and rebuilt from it
(`rebuild`); it exists so that verification and search read a few indexed rows instead of
replaying events. A certificate row keeps the replayed certificate's JSON; its requirement
levels, validity periods and search terms sit in child tables for filtering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from kelisim.domain.certification.codec import (
    certificate_from_json,
    certificate_to_json,
    sort_key,
    terms,
)
from kelisim.domain.certification.lifecycle import Certificate
from kelisim.domain.certification.recognition import Arrangement, arrangement_from_json
from kelisim.domain.certification.schemes import Scheme, parse_scheme
from kelisim.storage.certification_ledger import BATCH
from kelisim.storage.schema import (
    cert_arrangements,
    cert_schemes,
    certificate_documents,
    certificate_periods,
    certificate_requirements,
    certificate_terms,
    certificates,
)

DETAIL_TABLES = (certificate_requirements, certificate_periods, certificate_terms)


class CertificationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # --- schemes and arrangements ---------------------------------------------------------------

    def put_scheme(self, scheme: Scheme, seq: int) -> None:
        self._connection.execute(insert(cert_schemes).values(
            key=scheme.key, party=scheme.party, name=scheme.name, role=scheme.role.value,
            body=scheme.to_json(), seq=seq))

    def schemes(self) -> dict[str, Scheme]:
        rows = self._connection.execute(select(cert_schemes.c.body).order_by(cert_schemes.c.key))
        return {s.key: s for s in (parse_scheme(r.body) for r in rows)}

    def put_arrangement(self, arrangement: Arrangement, seq: int) -> None:
        self._connection.execute(insert(cert_arrangements).values(
            key=arrangement.key, recognising_scheme=arrangement.recognising_scheme,
            recognising_party=arrangement.recognising_party,
            recognised_scheme=arrangement.recognised_scheme,
            recognised_party=arrangement.recognised_party, valid_from=arrangement.valid_from,
            ends_on=arrangement.ends_on, body=arrangement.to_json(), seq=seq))

    def arrangements(self, *, recognising_party: str | None = None,
                     recognised_scheme: str | None = None) -> list[Arrangement]:
        t = cert_arrangements
        query = select(t.c.body).order_by(t.c.key)
        if recognising_party is not None:
            query = query.where(t.c.recognising_party == recognising_party)
        if recognised_scheme is not None:
            query = query.where(t.c.recognised_scheme == recognised_scheme)
        return [arrangement_from_json(r.body) for r in self._connection.execute(query)]

    def arrangement_exists(self, key: str) -> bool:
        query = select(cert_arrangements.c.key).where(cert_arrangements.c.key == key)
        return self._connection.execute(query).first() is not None

    # --- certificates ---------------------------------------------------------------------------

    def certificate(self, number: str) -> tuple[Certificate, int] | None:
        row = self._connection.execute(select(certificates.c.body, certificates.c.last_seq)
                                       .where(certificates.c.number == number)).first()
        return None if row is None else (certificate_from_json(row.body), row.last_seq)

    def certificates_by_number(self, numbers: Sequence[str]) -> dict[str, Certificate]:
        rows = self._connection.execute(select(certificates.c.body)
                                        .where(certificates.c.number.in_(list(numbers))))
        return {c.number: c for c in (certificate_from_json(r.body) for r in rows)}

    def existing_numbers(self, numbers: Iterable[str]) -> set[str]:
        wanted, found = list(numbers), set[str]()
        for start in range(0, len(wanted), 500):
            rows = self._connection.execute(select(certificates.c.number).where(
                certificates.c.number.in_(wanted[start:start + 500])))
            found.update(r.number for r in rows)
        return found

    def save(self, items: Sequence[tuple[Certificate, int]], ranks: dict[tuple[str, str], int],
             changed_at: datetime, *, new: bool) -> None:
        """Write certificates (replayed) and their details; `new` skips the delete of old rows.

        `ranks` maps (scheme, document:level) to the level's rank on its document's scale.
        """
        conn = self._connection
        numbers = [cert.number for cert, _ in items]
        if not new:
            for table in DETAIL_TABLES:
                conn.execute(delete(table).where(table.c.number.in_(numbers)))
        rows: list[dict[str, Any]] = []
        requirements: list[dict[str, Any]] = []
        periods: list[dict[str, Any]] = []
        words: list[dict[str, Any]] = []
        for cert, last_seq in items:
            rows.append({"number": cert.number, "scheme": cert.scheme, "party": cert.party,
                         "product": cert.product, "vendor": cert.vendor,
                         "vendor_key": cert.vendor.casefold()[:300], "version": cert.version,
                         "category": cert.category, "technical_domain": cert.technical_domain,
                         "issued_on": cert.issued_on, "expires_on": cert.expires_on,
                         "sort_key": sort_key(cert), "body": certificate_to_json(cert),
                         "last_seq": last_seq, "changed_at": changed_at})
            requirements.extend({"number": cert.number, "document": r.document,
                                 "level": r.level,
                                 "rank": ranks[(cert.scheme, f"{r.document}:{r.level}")]}
                                for r in cert.requirements)
            periods.extend({"number": cert.number, "position": i, "state": p.state.value,
                            "starts_on": p.start, "ends_on": p.end}
                           for i, p in enumerate(cert.periods))
            words.extend({"term": term, "number": cert.number}
                         for term in terms(cert.product, cert.vendor))
        if new:
            self._batched(certificates, rows)
        else:
            for row in rows:
                conn.execute(update(certificates).where(certificates.c.number == row["number"])
                             .values(**{k: v for k, v in row.items() if k != "number"}))
        self._batched(certificate_requirements, requirements)
        self._batched(certificate_periods, periods)
        self._batched(certificate_terms, words)

    def _batched(self, table: Any, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), BATCH):
            self._connection.execute(insert(table), rows[start:start + BATCH])

    def clear(self) -> None:
        """Empty the projection (before a rebuild from the ledger)."""
        for table in (*DETAIL_TABLES, certificates, cert_arrangements, cert_schemes):
            self._connection.execute(delete(table))

    # --- documents ------------------------------------------------------------------------------

    def put_document(self, sha256: str, media_type: str, content: bytes,
                     stored_at: datetime) -> bool:
        """Store the bytes once; False if they were already there."""
        exists = self._connection.execute(select(certificate_documents.c.sha256).where(
            certificate_documents.c.sha256 == sha256)).first()
        if exists:
            return False
        self._connection.execute(insert(certificate_documents).values(
            sha256=sha256, media_type=media_type, size=len(content), content=content,
            stored_at=stored_at))
        return True

    def document(self, sha256: str) -> tuple[str, bytes] | None:
        row = self._connection.execute(
            select(certificate_documents.c.media_type, certificate_documents.c.content)
            .where(certificate_documents.c.sha256 == sha256)).first()
        return None if row is None else (row.media_type, bytes(row.content))
