"""Exchange objects: the unique key includes the producing Party (STIX 2.1 section 3.6; Art. 6).

A STIX object is versioned by its creator only. Before, (collection, id, version) was unique, so
a Party posting the exact (id, version) another Party held was told "already stored" even when it
could not see that object, and a version posted blind became `last` for readers who saw both.
Each producer's versions of an id are now a chain of their own: the key is (collection, id,
producer, version), and `superseded` means "a later version *by the same producer* is stored".

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD = "ix_exchange_objects_collection_id_stix_id_version"
NEW = "ix_exchange_objects_producer_versions"


def _superseded(same_producer: str) -> str:
    return ("UPDATE exchange_objects SET superseded = EXISTS ("
            "SELECT 1 FROM exchange_objects AS later "
            "WHERE later.collection_id = exchange_objects.collection_id "
            f"AND later.stix_id = exchange_objects.stix_id{same_producer} "
            "AND later.version > exchange_objects.version)")


def upgrade() -> None:
    op.drop_index(OLD, table_name="exchange_objects")
    op.create_index(NEW, "exchange_objects",
                    ["collection_id", "stix_id", "producer_party", "version"], unique=True)
    # Only rows marked superseded can change: a later version by another producer no longer
    # supersedes them.
    same = ("IS" if op.get_bind().dialect.name == "sqlite" else "IS NOT DISTINCT FROM")
    op.execute(_superseded(f" AND later.producer_party {same} exchange_objects.producer_party")
               + " WHERE superseded")


def downgrade() -> None:
    clash = op.get_bind().execute(sa.text(
        "SELECT stix_id, version FROM exchange_objects GROUP BY collection_id, stix_id, version "
        "HAVING count(*) > 1")).first()
    if clash is not None:
        raise RuntimeError(
            f"cannot downgrade below 0008: {clash[0]} version {clash[1]} is stored by more than "
            "one Party, which the earlier key (collection, id, version) cannot hold; delete one "
            "Party's copy first")
    op.drop_index(NEW, table_name="exchange_objects")
    op.create_index(OLD, "exchange_objects", ["collection_id", "stix_id", "version"],
                    unique=True)
    op.execute(_superseded(""))
