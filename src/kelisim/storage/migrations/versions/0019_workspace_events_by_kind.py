"""An index of the workspace's events by kind, position and instant (bench/workspace.py): the
list of each kind of record (consultations, gatherings, practices, disputes, checks, contacts)
reads the first event of each record of that kind, newest first
(WorkspaceRepository.first_events); without the index that read scans every event of the
workspace (1M history entries: every list API over the 50 ms target).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_workspace_events_kind_position_at", "workspace_events",
                    ["kind", "position", "at"])


def downgrade() -> None:
    op.drop_index("ix_workspace_events_kind_position_at", table_name="workspace_events")
