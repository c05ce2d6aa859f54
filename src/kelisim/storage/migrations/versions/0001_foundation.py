"""The foundation: the Agreement's text, CIS states, the depositary's ledger, accounts.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("titles", sa.JSON, nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("place", sa.JSON, nullable=False),
        sa.Column("depositary", sa.JSON, nullable=False),
        sa.Column("preamble_kk", sa.Text, nullable=False),
        sa.Column("signature_blocks", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_agreements"),
    )
    op.create_table(
        "articles",
        sa.Column("agreement_key", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("text_kk", sa.Text, nullable=False),
        sa.Column("titles", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("agreement_key", "number", name="pk_articles"),
        sa.ForeignKeyConstraint(["agreement_key"], ["agreements.key"],
                                name="fk_articles_agreement_key_agreements"),
    )
    op.create_table(
        "glossary_terms",
        sa.Column("agreement_key", sa.String(64), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("texts", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("agreement_key", "key", name="pk_glossary_terms"),
        sa.ForeignKeyConstraint(["agreement_key"], ["agreements.key"],
                                name="fk_glossary_terms_agreement_key_agreements"),
    )
    op.create_table(
        "states",
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("names", sa.JSON, nullable=False),
        sa.Column("cis_periods", sa.JSON, nullable=False),
        sa.Column("in_signature_blocks", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_states"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("event_date", sa.Date, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_entries"),
    )
    op.create_index("ix_ledger_entries_party", "ledger_entries", ["party"])
    op.create_table(
        "ledger_heads",
        sa.Column("chain", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_ledger_heads"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("organization_kind", sa.String(40), nullable=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("organization", sa.String(300), nullable=True),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("token_id", name="uq_accounts_token_id"),
    )
    append_only.create_function(op)
    append_only.guard(op, "ledger_entries")


def downgrade() -> None:
    append_only.unguard(op, "ledger_entries")
    append_only.drop_function(op)
    for table in ("accounts", "ledger_heads", "ledger_entries", "states", "glossary_terms",
                  "articles", "agreements"):
        op.drop_table(table)

