"""Append-only tables, enforced by the database itself: UPDATE and DELETE are refused.

The depositary's ledger, the certification ledger and the audit of reads are hash chains; the
chain proves tampering after the fact, these triggers stop the casual edit before it. The
migrations call `guard`/`unguard`; trigger names are `<table>_append_only` (PostgreSQL) and
`<table>_append_only_update|delete` (SQLite), which tests/tampering.py relies on.
"""

from __future__ import annotations

from typing import Any

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kelisim_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql
"""


def create_function(op: Any) -> None:
    """PostgreSQL's shared trigger function (created once, by the first migration)."""
    if _postgres(op):
        op.execute(PG_FUNCTION)


def drop_function(op: Any) -> None:
    if _postgres(op):
        op.execute("DROP FUNCTION IF EXISTS kelisim_append_only()")


def guard(op: Any, table: str) -> None:
    if _postgres(op):
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION kelisim_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"CREATE TRIGGER {table}_append_only_{event} BEFORE {event.upper()} "
                   f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def unguard(op: Any, table: str) -> None:
    if _postgres(op):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event}")


def _postgres(op: Any) -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")
