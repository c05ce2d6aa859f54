"""The workspace's indexed deadlines (decision 0025, "Indexed deadlines"; issue 15's bench): the
daily deadline pass read every project with a stage and folded it (10k projects at start-up,
beside the first requests); it now reads the rows of `workspace_deadlines` due within 7 days or
past. The table is kept on the write path; existing records get their rows here, from their
snapshots and events (`workspace_deadlines_repository.rebuild_all`), so an upgraded node gives
the same notices.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage.workspace_deadlines_repository import rebuild_all

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_deadlines",
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("record_kind", sa.String(12), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("record_id", "item_id", name="pk_workspace_deadlines"))
    op.create_index("ix_workspace_deadlines_due", "workspace_deadlines", ["due"])
    rebuild_all(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_workspace_deadlines_due", table_name="workspace_deadlines")
    op.drop_table("workspace_deadlines")
