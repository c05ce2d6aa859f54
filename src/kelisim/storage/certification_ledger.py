"""The certification registry's hash chain in the database: a chain apart from the depositary's.

Same links as the depositary's ledger (`kelisim.domain.ledger`), its own table
(`cert_ledger_entries`, append-only by trigger) and its own head (the `certification` row of
`ledger_heads`). Appends are batched (one executemany), so a whole imported registry costs one
round trip per thousand entries rather than one per entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kelisim.domain.chain_columns import attested, certification_columns
from kelisim.domain.ledger import GENESIS_HASH, Columns, Head, Link, decode_body, make_link
from kelisim.storage.chain_rows import as_bytes, stored_links
from kelisim.storage.schema import cert_ledger_entries, ledger_heads

CHAIN = "certification"
COLUMNS = ("recorded_at", "kind", "scheme", "number", "event_date", "recorded_by")
BATCH = 1000


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    recorded_at: datetime
    hash: str
    entry: dict[str, Any]


class CertificationLedger:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self) -> Head:
        """Take the chain's write lock for this transaction (as the depositary's ledger does)."""
        conn = self._connection
        if conn.dialect.name == "sqlite":
            conn.execute(update(ledger_heads).where(ledger_heads.c.chain == CHAIN)
                         .values(seq=ledger_heads.c.seq))
        query = select(ledger_heads.c.seq, ledger_heads.c.hash).where(ledger_heads.c.chain == CHAIN)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            conn.execute(insert(ledger_heads).values(chain=CHAIN, seq=0, hash=GENESIS_HASH))
            return Head(0, GENESIS_HASH)
        return Head(row.seq, row.hash)

    def head(self) -> Head:
        row = self._connection.execute(select(ledger_heads.c.seq, ledger_heads.c.hash)
                                       .where(ledger_heads.c.chain == CHAIN)).first()
        return Head(0, GENESIS_HASH) if row is None else Head(row.seq, row.hash)

    def append(self, head: Head, recorded_at: datetime, entries: Sequence[Mapping[str, Any]],
               recorded_by: int | None) -> tuple[Head, list[Link]]:
        """Append the entries in order; the columns beside each body are derived from the body
        (`domain.chain_columns`), and who recorded it is inside the body."""
        links, rows = [], []
        for entry in entries:
            link = make_link(head.seq + 1, recorded_at, entry, head.hash, attested(recorded_by))
            head = Head(link.seq, link.hash)
            links.append(link)
            rows.append({"seq": link.seq, "body": link.body, "hash": link.hash,
                         **certification_columns(decode_body(link.body))})
        for start in range(0, len(rows), BATCH):
            self._connection.execute(insert(cert_ledger_entries), rows[start:start + BATCH])
        self._connection.execute(update(ledger_heads).where(ledger_heads.c.chain == CHAIN)
                                 .values(seq=head.seq, hash=head.hash))
        return head, links

    def stored(self) -> Iterator[tuple[Link, Columns]]:
        """Each link with the columns stored beside it, for verification."""
        return stored_links(self._connection, cert_ledger_entries, COLUMNS)

    def entries(self, *, number: str | None = None, since: datetime | None = None,
                after_seq: int = 0, limit: int | None = None) -> list[StoredEntry]:
        t = cert_ledger_entries
        query = select(t.c.seq, t.c.recorded_at, t.c.hash, t.c.body).where(t.c.seq > after_seq)
        if number is not None:
            query = query.where(t.c.number == number)
        if since is not None:
            query = query.where(t.c.recorded_at >= since)
        query = query.order_by(t.c.seq)
        if limit is not None:
            query = query.limit(limit)
        return [StoredEntry(r.seq, r.recorded_at, r.hash, decode_body(as_bytes(r.body))["entry"])
                for r in self._connection.execute(query)]

