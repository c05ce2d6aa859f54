"""Sign-in attempts in the database, so that every server process throttles as one.

Before, each `kelisim up` process counted in its own memory (and the UI's signing key was a file
of its data folder); the key now lives in `exchange_secrets` beside the pagination-token key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ui_signin_attempts",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ui_signin_attempts"),
    )
    op.create_index("ix_ui_signin_attempts_bucket_attempted_at", "ui_signin_attempts",
                    ["bucket", "attempted_at"])
    op.create_index("ix_ui_signin_attempts_attempted_at", "ui_signin_attempts",
                    ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_ui_signin_attempts_attempted_at", table_name="ui_signin_attempts")
    op.drop_index("ix_ui_signin_attempts_bucket_attempted_at", table_name="ui_signin_attempts")
    op.drop_table("ui_signin_attempts")
    op.execute("DELETE FROM exchange_secrets WHERE name = 'ui_signing'")
