"""Documents circulated for comment (issue 15 item 3; docs/decisions/0024): the projection of
each document for a project's list, with its Art. 6 audience. The documents' events are rows
of `workspace_events`; their files are on disk by SHA-256, not in the database.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=False),
        sa.Column("restricted_to", sa.JSON, nullable=True),
        sa.Column("circulated", sa.Boolean, nullable=False),
        sa.Column("adopted", sa.Boolean, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_documents"))
    op.create_index("ix_workspace_documents_project_id", "workspace_documents",
                    ["project_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_workspace_documents_project_id", table_name="workspace_documents")
    op.drop_table("workspace_documents")
