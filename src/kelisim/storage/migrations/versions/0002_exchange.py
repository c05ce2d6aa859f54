"""The exchange between authorized bodies (TAXII 2.1 / STIX 2.1; Art. 6, 9).

Collections, stored object versions with their derived index columns and compiled Art. 6 gates,
tombstones of deletions, TAXII status resources, the durable queue of accepted POSTs, the
hash-chained audit of reads of restricted-access information (append-only in the database) and
the secret that signs `next` tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.create_table(
        "exchange_collections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("alias", sa.String(100), nullable=True),
        sa.Column("owner_party", sa.String(3), nullable=True),
        sa.Column("read_parties", sa.Text, nullable=True),
        sa.Column("write_parties", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("last_added", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_collections"),
        sa.UniqueConstraint("alias", name="uq_exchange_collections_alias"),
    )
    op.create_table(
        "exchange_objects",
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("date_added", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(10), nullable=False),
        sa.Column("version", sa.String(27), nullable=False),
        sa.Column("producer_party", sa.String(3), nullable=True),
        sa.Column("producer_account", sa.Integer, nullable=True),
        sa.Column("tlp", sa.String(16), nullable=True),
        sa.Column("restricted_owner", sa.String(3), nullable=True),
        sa.Column("tlp_gate", sa.Text, nullable=True),
        sa.Column("restricted_gate", sa.Text, nullable=True),
        sa.Column("open_access", sa.Boolean, nullable=False),
        sa.Column("threat_class", sa.String(40), nullable=True),
        sa.Column("directions", sa.String(120), nullable=True),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("collection_id", "date_added", name="pk_exchange_objects"),
        sa.ForeignKeyConstraint(["collection_id"], ["exchange_collections.id"],
                                name="fk_exchange_objects_collection_id_exchange_collections"),
    )
    op.create_index("ix_exchange_objects_collection_id_stix_id_version", "exchange_objects",
                    ["collection_id", "stix_id", "version"], unique=True)
    op.create_index("ix_exchange_objects_collection_id_type_date_added", "exchange_objects",
                    ["collection_id", "type", "date_added"])
    op.create_index("ix_exchange_objects_collection_id_threat_class_date_added",
                    "exchange_objects", ["collection_id", "threat_class", "date_added"])
    op.create_table(
        "exchange_tombstones",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("version", sa.String(27), nullable=False),
        sa.Column("producer_party", sa.String(3), nullable=True),
        sa.Column("deleted_by", sa.Integer, nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_tombstones"),
        sa.ForeignKeyConstraint(["collection_id"], ["exchange_collections.id"],
                                name="fk_exchange_tombstones_collection_id_exchange_collections"),
    )
    op.create_index("ix_exchange_tombstones_collection_id_stix_id", "exchange_tombstones",
                    ["collection_id", "stix_id"])
    op.create_table(
        "exchange_statuses",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("request_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total_count", sa.Integer, nullable=False),
        sa.Column("success_count", sa.Integer, nullable=False),
        sa.Column("failure_count", sa.Integer, nullable=False),
        sa.Column("pending_count", sa.Integer, nullable=False),
        sa.Column("successes", sa.JSON, nullable=False),
        sa.Column("failures", sa.JSON, nullable=False),
        sa.Column("pendings", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_statuses"),
        sa.ForeignKeyConstraint(["collection_id"], ["exchange_collections.id"],
                                name="fk_exchange_statuses_collection_id_exchange_collections"),
    )
    op.create_table(
        "exchange_jobs",
        sa.Column("status_id", sa.String(36), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("status_id", name="pk_exchange_jobs"),
        sa.ForeignKeyConstraint(["status_id"], ["exchange_statuses.id"],
                                name="fk_exchange_jobs_status_id_exchange_statuses"),
    )
    op.create_table(
        "exchange_audit",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("owners", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_exchange_audit"),
    )
    op.create_table(
        "exchange_secrets",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_exchange_secrets"),
    )
    append_only.guard(op, "exchange_audit")


def downgrade() -> None:
    append_only.unguard(op, "exchange_audit")
    op.execute("DELETE FROM ledger_heads WHERE chain = 'exchange_audit'")
    for table in ("exchange_secrets", "exchange_audit", "exchange_jobs", "exchange_statuses",
                  "exchange_tombstones", "exchange_objects", "exchange_collections"):
        op.drop_table(table)

