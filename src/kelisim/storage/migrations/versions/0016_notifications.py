"""Subscriptions and notifications (issue 16, item 8; issue 15, item 10;
docs/decisions/0022-subscriptions-and-notifications.md): saved filters, the append-only inbox
with its reads, the e-mail and webhook deliveries with their attempts, and the matcher's cursor
in each collection. Every table but the cursor is append-only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
APPEND_ONLY = ("subscriptions", "subscription_removals", "notifications", "notification_reads",
               "notification_deliveries", "notification_attempts")
INDEXES = (
    ("ix_subscriptions_account_id", "subscriptions", ["account_id"], False),
    ("ix_notifications_account_id_seq", "notifications", ["account_id", "seq"], True),
    ("ix_notifications_subscription_id_collection_id_date_added", "notifications",
     ["subscription_id", "collection_id", "date_added"], True),
    ("ix_notification_reads_account_id", "notification_reads", ["account_id"], False),
    ("ix_notification_deliveries_notification_id", "notification_deliveries",
     ["notification_id"], False),
    ("ix_notification_attempts_delivery_id_attempt", "notification_attempts",
     ["delivery_id", "attempt"], True),
)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filter", sa.JSON, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("webhook_url", sa.Text, nullable=True),
        sa.Column("webhook_secret", sa.LargeBinary, nullable=True),
        sa.Column("start", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"))
    op.create_table(
        "subscription_removals",
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("removed_by", sa.Integer, nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=True),
        sa.Column("removed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", name="pk_subscription_removals"))
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=True),
        sa.Column("collection_id", sa.String(36), nullable=True),
        sa.Column("stix_id", sa.String(300), nullable=True),
        sa.Column("object_type", sa.String(250), nullable=True),
        sa.Column("version", sa.String(27), nullable=True),
        sa.Column("date_added", sa.BigInteger, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"))
    op.create_table(
        "notification_reads",
        sa.Column("notification_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("origin_party", sa.String(3), nullable=True),
        sa.Column("read_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("notification_id", name="pk_notification_reads"))
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("notification_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notification_deliveries"))
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification_attempts"))
    op.create_table(
        "notification_cursors",
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("last_added", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("collection_id", name="pk_notification_cursors"))
    for name, table, columns, unique in INDEXES:
        op.create_index(name, table, columns, unique=unique)
    for table in APPEND_ONLY:
        append_only.guard(op, table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        append_only.unguard(op, table)
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for table in ("notification_cursors", *reversed(APPEND_ONLY)):
        op.drop_table(table)
