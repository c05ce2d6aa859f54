"""Bulk inserts of index rows: PostgreSQL's binary COPY (one stream instead of a statement a
row), SQLite's executemany on the driver (no per-row parameter building). The correlation and
references indexes are written so, in the intake's transaction (TAXII 2.1 section 5.5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, Connection, Integer, LargeBinary, String, Table, Text

_PG_TYPES = {BigInteger: "int8", Integer: "int4", Boolean: "bool", LargeBinary: "bytea",
             Text: "text", String: "varchar"}


class BulkInsert:
    """Inserts tuples in the table's column order (`columns`)."""

    def __init__(self, table: Table) -> None:
        self.columns = tuple(column.name for column in table.columns)
        self._types = [next(name for kind, name in _PG_TYPES.items()
                            if isinstance(column.type, kind)) for column in table.columns]
        names = ", ".join(f'"{c}"' for c in self.columns)
        self._copy = f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)"
        self._insert = (f"INSERT INTO {table.name} ({names}) "
                        f"VALUES ({', '.join('?' for _ in self.columns)})")

    def __call__(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if connection.dialect.name == "postgresql":
            cursor: Any = connection.connection.cursor()
            with cursor.copy(self._copy) as copy:
                copy.set_types(self._types)
                for row in rows:
                    copy.write_row(row)
        else:
            connection.exec_driver_sql(self._insert, list(rows))
