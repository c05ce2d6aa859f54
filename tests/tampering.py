"""What an attacker with database rights does first: drop the append-only guard of a table."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import Node


def drop_append_only_guard(node: Node, table: str = "ledger_entries") -> None:
    """Drop the triggers that refuse UPDATE and DELETE on `table` (see the migrations)."""
    with node.runtime.unit_of_work() as uow:
        if uow.connection.dialect.name == "postgresql":
            uow.connection.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            for name in ("update", "delete"):
                uow.connection.execute(text(f"DROP TRIGGER {table}_append_only_{name}"))
        uow.commit()
