"""The federation of kelisim nodes (issue 14, docs/decisions/0014-federation.md): who this node
is, the depositary's roster of nodes, the checkpoints it verified and witnessed, its links with
peers, what it sent each peer and what it holds of theirs, and the hash-chained transfer log.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "federation_node",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("descriptor", sa.JSON, nullable=False),
        sa.Column("depositary_key", sa.String(64), nullable=True),
        sa.Column("depositary_url", sa.String(500), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_federation_node"))
    op.create_table(
        "federation_rosters",
        sa.Column("serial", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("signed", sa.JSON, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("serial", name="pk_federation_rosters"))
    op.create_table(
        "federation_admissions",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("party", sa.String(3), nullable=False),
        sa.Column("descriptor", sa.JSON, nullable=False),
        sa.Column("requested_by", sa.Integer, nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("decision", sa.String(10), nullable=True),
        sa.Column("decided_by", sa.Integer, nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("key_id", name="pk_federation_admissions"))
    op.create_table(
        "federation_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("signed", sa.JSON, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_federation_checkpoints"))
    op.create_index("ix_federation_checkpoints_size", "federation_checkpoints", ["size"])
    op.create_table(
        "federation_cosignatures",
        sa.Column("witness_key", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("cosignature", sa.JSON, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("witness_key", "size", name="pk_federation_cosignatures"))
    op.create_table(
        "federation_split_views",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("detected_at", TZ, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_federation_split_views"))
    op.create_table(
        "federation_peers",
        sa.Column("party", sa.String(3), primary_key=True),
        sa.Column("marks", sa.JSON, nullable=False),
        sa.Column("pulled_through", sa.BigInteger, nullable=False),
        sa.Column("pulled_head", sa.String(64), nullable=False),
        sa.Column("last_contact", TZ, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_pull_lag", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("party", name="pk_federation_peers"))
    op.create_table(
        "federation_sent",
        sa.Column("peer", sa.String(3), primary_key=True),
        sa.Column("collection_id", sa.String(36), primary_key=True),
        sa.Column("stix_id", sa.String(300), primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("peer", "collection_id", "stix_id", name="pk_federation_sent"))
    op.create_table(
        "federation_transfer_log",
        sa.Column("chain", sa.String(40), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("chain", "seq", name="pk_federation_transfer_log"))
    append_only.guard(op, "federation_transfer_log")
    op.create_table(
        "federation_receipts",
        sa.Column("chain", sa.String(40), primary_key=True),
        sa.Column("through", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("receipt", sa.JSON, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("chain", "through", name="pk_federation_receipts"))
    op.create_table(
        "federation_copies",
        sa.Column("origin_party", sa.String(3), primary_key=True),
        sa.Column("collection_id", sa.String(36), primary_key=True),
        sa.Column("stix_id", sa.String(300), primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("origin_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("origin_party", "collection_id", "stix_id",
                                name="pk_federation_copies"))
    op.create_table(
        "federation_quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("peer", sa.String(3), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("item", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_federation_quarantine"))


def downgrade() -> None:
    append_only.unguard(op, "federation_transfer_log")
    for table in ("federation_quarantine", "federation_copies", "federation_receipts",
                  "federation_transfer_log", "federation_sent", "federation_peers",
                  "federation_split_views", "federation_cosignatures", "federation_checkpoints",
                  "federation_admissions", "federation_rosters", "federation_node"):
        op.drop_table(table)
