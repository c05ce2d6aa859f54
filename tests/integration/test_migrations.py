"""Migrations go up and down on both databases and produce exactly the declared schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.schema import compared, metadata


def test_upgrade_creates_exactly_the_declared_schema(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": compared})
        diff = compare_metadata(context, metadata)
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


def test_search_terms_compare_bytewise_on_postgresql(database_url: str) -> None:
    """Prefix search is a range scan; a linguistic collation would break it (not only in C)."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            collation = conn.exec_driver_sql(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'certificate_terms' AND column_name = 'term'").scalar()
        assert collation == "C"
    else:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 'b' > 'B' AND 'a' < 'b'").scalar() == 1
    engine.dispose()
