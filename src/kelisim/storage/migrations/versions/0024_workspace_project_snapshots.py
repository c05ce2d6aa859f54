"""A snapshot of each project's fold kept with its projection row (bench/workspace.py; issue 15):
a read folds only the events after `snapshot_position` instead of every event of the project
(5,005 at the busy project: 120-500 ms a read). The snapshot is a cache derived from the events,
never the record; existing rows start without one and get it from their events on the next
read or write (services/workspace/projects.py `load_project`).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_projects") as batch:
        batch.add_column(sa.Column("snapshot", sa.JSON, nullable=True))
        batch.add_column(sa.Column("snapshot_position", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_projects") as batch:
        batch.drop_column("snapshot_position")
        batch.drop_column("snapshot")
