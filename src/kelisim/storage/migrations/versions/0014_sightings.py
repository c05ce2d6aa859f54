"""The references index: sightings and the relationship graph (issue 16, items 2 and 10;
docs/decisions/0016-references-index.md).

One row per `*_ref`/`*_refs` value of each stored object version, with the version's Art. 6
gates copied so that lookups filter by the reader's scope in SQL, and a sighting's facts on its
`sighting_of_ref` row. The objects already stored are indexed here, `BATCH` rows at a time in
key order, so an upgraded node shows the sightings and relationships it held before.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op

from kelisim.storage.references_index import insert_references, reference_rows

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 2000
TABLE = "exchange_references"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("date_added", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("property", sa.String(250), nullable=False),
        sa.Column("ref", sa.String(300), nullable=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("version", sa.String(27), nullable=False),
        sa.Column("producer_party", sa.String(3), nullable=True),
        sa.Column("restricted_owner", sa.String(3), nullable=True),
        sa.Column("tlp_gate", sa.Text, nullable=True),
        sa.Column("restricted_gate", sa.Text, nullable=True),
        sa.Column("open_access", sa.Boolean, nullable=False),
        sa.Column("first_seen", sa.String(27), nullable=True),
        sa.Column("last_seen", sa.String(27), nullable=True),
        sa.Column("count", sa.Integer, nullable=True),
        sa.Column("sighting_type", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("collection_id", "date_added", "property", "ref",
                                name="pk_exchange_references"),
    )
    for columns in (["ref", "property"], ["collection_id", "stix_id"]):
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
        index = [ref for row in rows
                 for ref in reference_rows(dict(row), orjson.loads(bytes(row["raw"])))]
        insert_references(connection, index)
        written += len(index)
        after = (rows[-1]["collection_id"], rows[-1]["date_added"])


def downgrade() -> None:
    op.drop_table(TABLE)
