"""The Parties that agreed each document's current version, kept with its projection row
(bench/workspace.py; issue 15): a project's documents list then tells a circulated document
from an agreed one (Art. 5) from the row, without folding each document's events. A cache
derived from the events: rows made before it have none (NULL) and are folded as before until
their next event.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_documents") as batch:
        batch.add_column(sa.Column("agreed_by", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_documents") as batch:
        batch.drop_column("agreed_by")
