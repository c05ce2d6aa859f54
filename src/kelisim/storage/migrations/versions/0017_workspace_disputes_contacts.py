"""Disputes, points of contact and their communication checks (issue 15 items 5 and 9).

Disputes, contacts and checks are records of their own in `workspace_events` (no table
change); this revision adds the hashes of the checks' one-time acknowledgement tokens, looked
up by hash when a link is followed.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_check_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("check_id", sa.String(36), nullable=False),
        sa.Column("target_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_workspace_check_tokens"),
        sa.UniqueConstraint("target_id", name="uq_workspace_check_tokens_target_id"))
    append_only.guard(op, "workspace_check_tokens")


def downgrade() -> None:
    append_only.unguard(op, "workspace_check_tokens")
    op.drop_table("workspace_check_tokens")
