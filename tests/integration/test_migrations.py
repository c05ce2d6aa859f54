"""Migrations go up and down on both databases and produce exactly the declared schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.schema import metadata


def test_upgrade_creates_exactly_the_declared_schema(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(
        empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"ledger_entries", "accounts", "states"} <= set(inspect(engine).get_table_names())
    engine.dispose()
