"""The depositary's ledger in the database: append, read in order, and the head kept apart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kelisim.domain.chain_columns import attested, depositary_columns
from kelisim.domain.ledger import GENESIS_HASH, Columns, Head, Link, decode_body, make_link
from kelisim.storage.chain_rows import as_bytes, stored_links
from kelisim.storage.schema import ledger_entries, ledger_heads

DEPOSITARY_CHAIN = "depositary"
COLUMNS = ("recorded_at", "kind", "party", "event_date", "recorded_by")


class LedgerRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self) -> Head:
        """Take the ledger's write lock for this transaction and return its head.

        The head row is created on first use (racing creators are harmless: ON CONFLICT DO
        NOTHING). PostgreSQL then locks that row; SQLite takes its database write lock through
        the insert, issued before any read, so that concurrent appenders queue instead of failing.
        """
        conn = self._connection
        dialect_insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(dialect_insert(ledger_heads)
                     .values(chain=DEPOSITARY_CHAIN, seq=0, hash=GENESIS_HASH)
                     .on_conflict_do_nothing(index_elements=["chain"]))
        query = select(ledger_heads.c.seq, ledger_heads.c.hash).where(
            ledger_heads.c.chain == DEPOSITARY_CHAIN)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one()
        return Head(row.seq, row.hash)

    def head(self) -> Head | None:
        row = self._connection.execute(
            select(ledger_heads.c.seq, ledger_heads.c.hash)
            .where(ledger_heads.c.chain == DEPOSITARY_CHAIN)).first()
        return None if row is None else Head(row.seq, row.hash)

    def sizes(self) -> dict[str, int]:
        """Every hash chain's length (depositary, exchange audit, certification), by name."""
        rows = self._connection.execute(select(ledger_heads.c.chain, ledger_heads.c.seq))
        return {row.chain: int(row.seq) for row in rows}

    def append(self, head: Head, recorded_at: datetime, entry: Mapping[str, Any], *,
               recorded_by: int | None) -> Head:
        """Append one link; the columns beside its body are derived from the body
        (`domain.chain_columns`), and who recorded it is inside the body."""
        link = make_link(head.seq + 1, recorded_at, entry, head.hash, attested(recorded_by))
        self._connection.execute(insert(ledger_entries).values(
            seq=link.seq, body=link.body, hash=link.hash,
            **depositary_columns(decode_body(link.body))))
        new_head = Head(link.seq, link.hash)
        self._connection.execute(update(ledger_heads)
                                 .where(ledger_heads.c.chain == DEPOSITARY_CHAIN)
                                 .values(seq=new_head.seq, hash=new_head.hash))
        return new_head

    def links(self) -> Iterator[Link]:
        rows = self._connection.execute(
            select(ledger_entries.c.seq, ledger_entries.c.body, ledger_entries.c.hash)
            .order_by(ledger_entries.c.seq))
        for row in rows:
            yield Link(row.seq, as_bytes(row.body), row.hash)

    def stored(self) -> Iterator[tuple[Link, Columns]]:
        """Each link with the columns stored beside it, for verification."""
        return stored_links(self._connection, ledger_entries, COLUMNS)

    def bodies(self) -> list[dict[str, Any]]:
        """Each entry's decoded body (seq, recorded_at, entry, prev_hash), in ledger order."""
        return [decode_body(link.body) for link in self.links()]


    def links_after(self, after: int, limit: int) -> list[Link]:
        rows = self._connection.execute(
            select(ledger_entries.c.seq, ledger_entries.c.body, ledger_entries.c.hash)
            .where(ledger_entries.c.seq > after).order_by(ledger_entries.c.seq).limit(limit))
        return [Link(row.seq, as_bytes(row.body), row.hash) for row in rows]

    def hash_at(self, seq: int) -> str | None:
        """The hash of entry `seq` (GENESIS_HASH for 0), None beyond the stored chain."""
        if seq == 0:
            return GENESIS_HASH
        row = self._connection.execute(select(ledger_entries.c.hash)
                                       .where(ledger_entries.c.seq == seq)).first()
        return None if row is None else str(row.hash)

    def append_replicated(self, head: Head, link: Link) -> Head:
        """Append a link made by the depositary's node, byte for byte (a replica's ledger is the
        depositary's; issue 14 item 2). The caller has verified that it extends `head`."""
        self._connection.execute(insert(ledger_entries).values(
            seq=link.seq, body=link.body, hash=link.hash,
            **depositary_columns(decode_body(link.body))))
        self._connection.execute(update(ledger_heads)
                                 .where(ledger_heads.c.chain == DEPOSITARY_CHAIN)
                                 .values(seq=link.seq, hash=link.hash))
        return Head(link.seq, link.hash)
