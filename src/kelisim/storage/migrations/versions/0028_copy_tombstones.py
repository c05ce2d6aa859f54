"""Tombstones of received copies (issue 14, item 4): a copy that leaves a node (its origin
deleted the version, or a reclassification purged it there) leaves a tombstone, so the node's own
readers learn of it as they do of a local deletion. Such a tombstone was deleted by no account of
this node: `deleted_by` may now be NULL (the origin's node deleted it).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_tombstones") as batch:
        batch.alter_column("deleted_by", existing_type=sa.Integer, nullable=True)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM exchange_tombstones WHERE deleted_by IS NULL"))
    with op.batch_alter_table("exchange_tombstones") as batch:
        batch.alter_column("deleted_by", existing_type=sa.Integer, nullable=False)
