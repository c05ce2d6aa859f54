"""Workspace notifications (issue 15 item 10; docs/decisions/0025-workspace-notifications.md):
the workspace's events get an order of commits (`seq`, drawn from the `workspace_counters`
row "events"), so that the notification pass can walk them by a resumable cursor; the
notifications get the workspace record, its path, a few open facts and a key that makes each
notice once per account; `account_mail` keeps an account's own address and language.

Existing events are numbered deterministically by (at, record_id, position), and the pass's
cursor starts after them: an upgraded node does not notify its history.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
CURSOR = "workspace:events"
BACKFILL = """
UPDATE workspace_events SET seq = numbered.n
FROM (SELECT id, row_number() OVER (ORDER BY at, record_id, position) AS n
      FROM workspace_events) AS numbered
WHERE workspace_events.id = numbered.id
"""


def upgrade() -> None:
    op.add_column("workspace_events", sa.Column("seq", sa.BigInteger, nullable=True))
    append_only.unguard(op, "workspace_events")
    op.execute(BACKFILL)
    append_only.guard(op, "workspace_events")
    op.create_index("uq_workspace_events_seq", "workspace_events", ["seq"], unique=True)
    op.create_table(
        "workspace_counters",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_workspace_counters"))
    op.execute("INSERT INTO workspace_counters (name, value) "
               "SELECT 'events', COALESCE(MAX(seq), 0) FROM workspace_events")
    op.execute(f"INSERT INTO notification_cursors (collection_id, last_added) "
               f"SELECT '{CURSOR}', COALESCE(MAX(seq), 0) FROM workspace_events")
    for name, column in (("record_id", sa.String(36)), ("path", sa.String(300)),
                         ("facts", sa.JSON), ("dedupe", sa.String(200))):
        op.add_column("notifications", sa.Column(name, column, nullable=True))
    op.create_index("ix_notifications_account_id_dedupe", "notifications",
                    ["account_id", "dedupe"], unique=True)
    op.create_table(
        "account_mail",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=True),
        sa.Column("set_by", sa.Integer, nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_mail"))
    op.create_index("ix_account_mail_account_id_position", "account_mail",
                    ["account_id", "position"], unique=True)
    append_only.guard(op, "account_mail")


def downgrade() -> None:
    append_only.unguard(op, "account_mail")
    op.drop_index("ix_account_mail_account_id_position", table_name="account_mail")
    op.drop_table("account_mail")
    op.drop_index("ix_notifications_account_id_dedupe", table_name="notifications")
    for name in ("dedupe", "facts", "path", "record_id"):
        op.execute(f"ALTER TABLE notifications DROP COLUMN {name}")
    op.execute(f"DELETE FROM notification_cursors WHERE collection_id IN "
               f"('{CURSOR}', 'workspace:deadlines')")
    op.drop_table("workspace_counters")
    op.drop_index("uq_workspace_events_seq", table_name="workspace_events")
    op.execute("ALTER TABLE workspace_events DROP COLUMN seq")
