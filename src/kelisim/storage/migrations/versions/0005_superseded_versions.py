"""Exchange objects: `superseded`, true when a later version of the object is stored.

`match[version]=last` (TAXII 2.1 section 3.4, the default of every object read) then needs the
"is there a later version this reader may see?" probe only for the rare superseded rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_objects") as batch:
        batch.add_column(sa.Column("superseded", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    op.execute(
        "UPDATE exchange_objects SET superseded = true WHERE EXISTS ("
        "SELECT 1 FROM exchange_objects AS later "
        "WHERE later.collection_id = exchange_objects.collection_id "
        "AND later.stix_id = exchange_objects.stix_id "
        "AND later.version > exchange_objects.version)")


def downgrade() -> None:
    with op.batch_alter_table("exchange_objects") as batch:
        batch.drop_column("superseded")
