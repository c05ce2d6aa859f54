"""The correlation index (issue 16, item 1; docs/decisions/0013-correlation-index.md).

One row per observable value (IP addresses and networks, domain names, URLs, e-mail addresses,
file hashes and names, and the values an indicator's STIX pattern compares with) of each stored
object version, with the version's Art. 6 gates copied so that lookups filter by the reader's
scope in SQL. The objects already stored are indexed here, in batches of `BATCH` rows read in
key order, so an upgraded node correlates what it held before as well as what comes after.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op

from kelisim.domain.stix.observables import observables
from kelisim.storage.observables_index import index_row, insert_index

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 2000
TABLE = "exchange_observables"
RANGE_END = sa.String(33).with_variant(sa.String(33, collation="C"), "postgresql")
"""Compared bytewise, whatever the database's default collation."""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("date_added", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("version", sa.String(27), nullable=False),
        sa.Column("producer_party", sa.String(3), nullable=True),
        sa.Column("restricted_owner", sa.String(3), nullable=True),
        sa.Column("tlp_gate", sa.Text, nullable=True),
        sa.Column("restricted_gate", sa.Text, nullable=True),
        sa.Column("open_access", sa.Boolean, nullable=False),
        sa.Column("registered", sa.String(253), nullable=True),
        sa.Column("ip_low", RANGE_END, nullable=True),
        sa.Column("ip_high", RANGE_END, nullable=True),
        sa.PrimaryKeyConstraint("collection_id", "date_added", "kind", "value",
                                name="pk_exchange_observables"),
    )
    for columns in (["kind", "value"], ["registered"], ["ip_low", "ip_high"],
                    ["collection_id", "stix_id"]):
        op.create_index(f"ix_{TABLE}_{'_'.join(columns)}", TABLE, columns)
    index_stored_objects(op.get_bind())


def index_stored_objects(connection: sa.Connection) -> int:
    """Index every stored object version, `BATCH` at a time in (collection, date_added) order;
    returns how many index rows were written."""
    objects = sa.table("exchange_objects", *(sa.column(name) for name in (
        "collection_id", "date_added", "stix_id", "type", "version", "producer_party",
        "restricted_owner", "tlp_gate", "restricted_gate", "open_access", "raw")))
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
        index = [index_row(dict(row), found) for row in rows
                 for found in observables(orjson.loads(bytes(row["raw"])))]
        insert_index(connection, index)
        written += len(index)
        after = (rows[-1]["collection_id"], rows[-1]["date_added"])


def downgrade() -> None:
    op.drop_table(TABLE)
