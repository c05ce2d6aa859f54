"""The full-text index (issue 16, item 3; docs/decisions/0018-full-text-search.md).

Table `exchange_search`: one row per stored object version, its searched text folded and split
by `domain.search_text`. On SQLite an FTS5 table over it (external content, kept by triggers);
on PostgreSQL a tsvector column of the same tokens under a GIN index. The objects already stored
are indexed here, `BATCH` versions at a time in key order, so an upgraded node finds what it
held before as well as what comes after.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from kelisim.storage.schema import SEARCH_FTS
from kelisim.storage.text_index import FTS_TABLE, FTS_TRIGGERS, insert_text, text_row

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 2000
TABLE = "exchange_search"


def upgrade() -> None:
    connection = op.get_bind()
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("date_added", sa.BigInteger, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("terms", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_collection_id_date_added", TABLE,
                    ["collection_id", "date_added"], unique=True)
    op.create_index(f"ix_{TABLE}_terms", TABLE, ["terms"], postgresql_using="gin",
                    sqlite_where=sa.text("terms IS NOT NULL"))
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(FTS_TABLE)
        for trigger in FTS_TRIGGERS:
            connection.exec_driver_sql(trigger)
    index_stored_objects(connection)


def index_stored_objects(connection: sa.Connection) -> int:
    """Index every stored object version, `BATCH` at a time in (collection, date_added) order
    (so that index row ids grow with each collection's date_added); returns the rows written."""
    objects = sa.table("exchange_objects", *(sa.column(name) for name in (
        "collection_id", "date_added", "raw")))
    key = sa.tuple_(objects.c.collection_id, objects.c.date_added)
    after: tuple[str, int] | None = None
    written = 0
    while True:
        statement = sa.select(objects).order_by(objects.c.collection_id, objects.c.date_added)
        if after is not None:
            statement = statement.where(key > sa.tuple_(*after))
        rows = connection.execute(statement.limit(BATCH)).mappings().all()
        if not rows:
            return written
        found = [text_row(dict(row), orjson.loads(bytes(row["raw"]))) for row in rows]
        insert_text(connection, found)
        written += sum(1 for row in found if row is not None)
        after = (rows[-1]["collection_id"], rows[-1]["date_added"])


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for name in (f"{TABLE}_ai", f"{TABLE}_ad"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SEARCH_FTS}")
    op.drop_index(f"ix_{TABLE}_terms", TABLE)
    op.drop_index(f"ix_{TABLE}_collection_id_date_added", TABLE)
    op.drop_table(TABLE)
