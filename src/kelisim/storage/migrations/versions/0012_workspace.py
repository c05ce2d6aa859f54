"""The cooperation workspace's first slice (issue 15): the append-only events of programs and
projects, and the projection of their current state for lists.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workspace_events",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=False),
        sa.Column("actor_account", sa.Integer, nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_events"))
    op.create_index("uq_workspace_events_record_id_position", "workspace_events",
                    ["record_id", "position"], unique=True)
    append_only.guard(op, "workspace_events")
    op.create_table(
        "workspace_projects",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("lead_party", sa.String(3), nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("last_position", sa.Integer, nullable=False),
        sa.Column("parties", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_projects"))
    op.create_index("ix_workspace_projects_proposed_at", "workspace_projects", ["proposed_at"])


def downgrade() -> None:
    op.drop_index("ix_workspace_projects_proposed_at", table_name="workspace_projects")
    op.drop_table("workspace_projects")
    append_only.unguard(op, "workspace_events")
    op.drop_index("uq_workspace_events_record_id_position", table_name="workspace_events")
    op.drop_table("workspace_events")
