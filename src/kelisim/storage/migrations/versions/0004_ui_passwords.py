"""The web UI: optional account passwords (argon2id) and server-side sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
    op.create_table(
        "ui_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_ui_sessions"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name="fk_ui_sessions_account_id_accounts"),
    )
    op.create_index("ix_ui_sessions_account_id", "ui_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_ui_sessions_account_id", table_name="ui_sessions")
    op.drop_table("ui_sessions")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("password_hash")
