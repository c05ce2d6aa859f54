"""A hash chain's rows read back for verification, the same for every chain table.

The depositary's ledger and the certification registry's ledger keep `seq`, `body`, `hash` and
columns derived from the body (domain/chain_columns.py); verification reads them back exactly
as stored, whatever a tampering hand may have left in a column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, Table, select

from kelisim.domain.ledger import Columns, Link
from kelisim.storage.instants import aware


def as_bytes(stored: object) -> bytes:
    """The stored body as bytes (a text column edited by hand reads back as str)."""
    if isinstance(stored, str):
        return stored.encode()
    return bytes(stored)  # type: ignore[call-overload]


def stored_links(connection: Connection, table: Table,
                 columns: Sequence[str]) -> Iterator[tuple[Link, Columns]]:
    """Each link of `table` in chain order, with the columns stored beside it."""
    rows = connection.execute(
        select(table.c.seq, table.c.body, table.c.hash, *(table.c[name] for name in columns))
        .order_by(table.c.seq))
    for row in rows:
        yield (Link(row.seq, as_bytes(row.body), row.hash),
               {name: aware(row._mapping[name]) for name in columns})
