"""The certification registry (Art. 2; Art. 3, direction 14).

The hash-chained record of schemes, arrangements and certificate lifecycle events (append-only in
the database itself), and its projection: schemes, arrangements, certificates with their
requirement levels, validity periods and search terms; documents by SHA-256.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.create_table(
        "cert_ledger_entries",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("scheme", sa.String(64), nullable=True),
        sa.Column("number", sa.String(120), nullable=True),
        sa.Column("event_date", sa.Date, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_cert_ledger_entries"),
    )
    op.create_index("ix_cert_ledger_entries_number", "cert_ledger_entries", ["number"])
    op.create_index("ix_cert_ledger_entries_recorded_at", "cert_ledger_entries",
                    ["recorded_at"])
    op.create_table(
        "cert_schemes",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("party", sa.String(3), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cert_schemes"),
    )
    op.create_index("ix_cert_schemes_party", "cert_schemes", ["party"])
    op.create_table(
        "cert_arrangements",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("recognising_scheme", sa.String(64), nullable=False),
        sa.Column("recognising_party", sa.String(3), nullable=False),
        sa.Column("recognised_scheme", sa.String(64), nullable=False),
        sa.Column("recognised_party", sa.String(3), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cert_arrangements"),
        sa.ForeignKeyConstraint(["recognising_scheme"], ["cert_schemes.key"],
                                name="fk_cert_arrangements_recognising_scheme_cert_schemes"),
        sa.ForeignKeyConstraint(["recognised_scheme"], ["cert_schemes.key"],
                                name="fk_cert_arrangements_recognised_scheme_cert_schemes"),
    )
    op.create_index("ix_cert_arrangements_recognising_party_recognised_scheme",
                    "cert_arrangements", ["recognising_party", "recognised_scheme"])
    op.create_index("ix_cert_arrangements_recognised_scheme", "cert_arrangements",
                    ["recognised_scheme"])
    _certificates()
    _projection_details()
    op.create_table(
        "certificate_documents",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_certificate_documents"),
    )
    append_only.guard(op, "cert_ledger_entries")


def _certificates() -> None:
    op.create_table(
        "certificates",
        sa.Column("number", sa.String(120), nullable=False),
        sa.Column("scheme", sa.String(64), nullable=False),
        sa.Column("party", sa.String(3), nullable=False),
        sa.Column("product", sa.String(300), nullable=False),
        sa.Column("vendor", sa.String(300), nullable=False),
        sa.Column("vendor_key", sa.String(300), nullable=False),
        sa.Column("version", sa.String(100), nullable=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("technical_domain", sa.String(100), nullable=True),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("sort_key", sa.String(300), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_certificates"),
        sa.ForeignKeyConstraint(["scheme"], ["cert_schemes.key"],
                                name="fk_certificates_scheme_cert_schemes"),
    )
    for columns in (["sort_key", "number"], ["scheme", "sort_key", "number"],
                    ["party", "sort_key", "number"], ["category", "sort_key", "number"],
                    ["vendor_key"]):
        op.create_index(f"ix_certificates_{'_'.join(columns)}", "certificates", columns)


def _projection_details() -> None:
    op.create_table(
        "certificate_requirements",
        sa.Column("number", sa.String(120), nullable=False),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("level", sa.String(100), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("number", "document", name="pk_certificate_requirements"),
        sa.ForeignKeyConstraint(["number"], ["certificates.number"],
                                name="fk_certificate_requirements_number_certificates"),
    )
    op.create_index("ix_certificate_requirements_document_rank", "certificate_requirements",
                    ["document", "rank"])
    op.create_table(
        "certificate_periods",
        sa.Column("number", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("number", "position", name="pk_certificate_periods"),
        sa.ForeignKeyConstraint(["number"], ["certificates.number"],
                                name="fk_certificate_periods_number_certificates"),
    )
    op.create_table(
        "certificate_terms",
        sa.Column("term", sa.String(80).with_variant(sa.String(80, collation="C"), "postgresql"),
                  nullable=False),
        sa.Column("number", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("term", "number", name="pk_certificate_terms"),
        sa.ForeignKeyConstraint(["number"], ["certificates.number"],
                                name="fk_certificate_terms_number_certificates"),
    )
    op.create_index("ix_certificate_terms_number", "certificate_terms", ["number"])


def downgrade() -> None:
    append_only.unguard(op, "cert_ledger_entries")
    for table in ("certificate_documents", "certificate_terms", "certificate_periods",
                  "certificate_requirements", "certificates", "cert_arrangements",
                  "cert_schemes", "cert_ledger_entries"):
        op.drop_table(table)

