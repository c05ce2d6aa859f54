"""Collections, TAXII status resources, the durable queue of accepted POSTs, the token secret and
the hash-chained audit of reads of restricted-access information (Art. 6)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kelisim.domain.chain_columns import audit_columns
from kelisim.domain.ledger import GENESIS_HASH, Columns, Head, Link, decode_body, make_link
from kelisim.storage.instants import aware
from kelisim.storage.schema import (
    exchange_audit,
    exchange_collections,
    exchange_jobs,
    exchange_secrets,
    exchange_statuses,
    ledger_heads,
)

AUDIT_CHAIN = "exchange_audit"
AUDIT_COLUMNS = ("recorded_at", "account_id", "party", "owners")
C = exchange_collections
S = exchange_statuses


class ExchangeRecords:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # --- collections ---------------------------------------------------------------------------

    def add_collection(self, **values: Any) -> bool:
        """Insert a collection; False if its alias (or id) is taken (the unique indexes)."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(C).values(last_added=0, **values))
        except IntegrityError:
            return False
        return True

    def collections(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(C).order_by(C.c.created_at, C.c.id))
        return [{k: aware(v) for k, v in r._mapping.items()} for r in rows]

    def collection(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(C).where((C.c.id == key) | (C.c.alias == key))).first()
        return None if row is None else {k: aware(v) for k, v in row._mapping.items()}

    def update_collection(self, collection_id: str, **values: Any) -> None:
        self._conn.execute(update(C).where(C.c.id == collection_id).values(**values))

    # --- statuses and the queue ----------------------------------------------------------------

    def add_status(self, **values: Any) -> None:
        self._conn.execute(insert(S).values(**values))

    def status(self, status_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(S).where(S.c.id == status_id)).first()
        return None if row is None else {k: aware(v) for k, v in row._mapping.items()}

    def finish_status(self, status_id: str, **values: Any) -> None:
        self._conn.execute(update(S).where(S.c.id == status_id).values(**values))

    def enqueue(self, status_id: str, queued_at: datetime, envelope: bytes) -> None:
        self._conn.execute(insert(exchange_jobs).values(status_id=status_id, queued_at=queued_at,
                                                        envelope=envelope))

    def claim(self, status_id: str) -> bytes | None:
        """Take a job for this transaction: read it and delete it. A rollback puts it back;
        a concurrent claimer blocks on the row, then finds nothing."""
        row = self._conn.execute(select(exchange_jobs.c.envelope)
                                 .where(exchange_jobs.c.status_id == status_id)).first()
        if row is None:
            return None
        gone = self._conn.execute(delete(exchange_jobs)
                                  .where(exchange_jobs.c.status_id == status_id))
        return bytes(row.envelope) if gone.rowcount == 1 else None

    def queue_depth(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(exchange_jobs)).scalar_one())

    def queued(self) -> list[str]:
        return list(self._conn.execute(select(exchange_jobs.c.status_id)
                                       .order_by(exchange_jobs.c.queued_at)).scalars())

    # --- the secret that signs next tokens -----------------------------------------------------

    def secret(self, name: str) -> bytes:
        query = select(exchange_secrets.c.value).where(exchange_secrets.c.name == name)
        found = self._conn.execute(query).scalar()
        if found is not None:
            return bytes(found)
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(exchange_secrets).values(
                    name=name, value=secrets.token_bytes(32)))
        except IntegrityError:
            pass
        return bytes(self._conn.execute(query).scalar_one())

    # --- the audit chain -----------------------------------------------------------------------

    def lock_audit(self) -> Head:
        h = ledger_heads
        if self._conn.dialect.name == "sqlite":
            self._conn.execute(update(h).where(h.c.chain == AUDIT_CHAIN).values(seq=h.c.seq))
        query = select(h.c.seq, h.c.hash).where(h.c.chain == AUDIT_CHAIN)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        if row is not None:
            return Head(row.seq, row.hash)
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(h).values(chain=AUDIT_CHAIN, seq=0, hash=GENESIS_HASH))
        except IntegrityError:
            return self.lock_audit()
        return Head(0, GENESIS_HASH)

    def append_audit(self, head: Head, recorded_at: datetime, entry: Mapping[str, Any]) -> Head:
        """Append one entry; the reader's account and Party and the owners' column are derived
        from the body (`domain.chain_columns`)."""
        link = make_link(head.seq + 1, recorded_at, entry, head.hash)
        self._conn.execute(insert(exchange_audit).values(
            seq=link.seq, body=link.body, hash=link.hash,
            **audit_columns(decode_body(link.body))))
        self._conn.execute(update(ledger_heads).where(ledger_heads.c.chain == AUDIT_CHAIN)
                           .values(seq=link.seq, hash=link.hash))
        return Head(link.seq, link.hash)

    def audit_head(self) -> Head | None:
        row = self._conn.execute(select(ledger_heads.c.seq, ledger_heads.c.hash)
                                 .where(ledger_heads.c.chain == AUDIT_CHAIN)).first()
        return None if row is None else Head(row.seq, row.hash)

    def audit_stored(self) -> Iterator[tuple[Link, Columns]]:
        """Each link with the columns stored beside it, for verification."""
        t = exchange_audit
        rows = self._conn.execute(select(t.c.seq, t.c.body, t.c.hash,
                                         *(t.c[name] for name in AUDIT_COLUMNS))
                                  .order_by(t.c.seq))
        for row in rows:
            body = row.body.encode() if isinstance(row.body, str) else bytes(row.body)
            yield (Link(row.seq, body, row.hash),
                   {name: aware(row._mapping[name]) for name in AUDIT_COLUMNS})

    def audit_entries(self, owner: str | None) -> list[bytes]:
        query = select(exchange_audit.c.body).order_by(exchange_audit.c.seq)
        if owner is not None:
            query = query.where(exchange_audit.c.owners.contains(f"|{owner}|"))
        return [bytes(b) for b in self._conn.execute(query).scalars()]
