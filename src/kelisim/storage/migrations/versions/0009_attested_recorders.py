"""Every stored byte verifiable (issue 13, section 2): who recorded a chain entry is inside its
hashed body.

Since this revision a depositary or certification link carries `recorded_by` in its hashed body
(`domain.chain_columns`), and `ledger verify` / `certification verify-ledger` check the column
against it. An entry recorded before carries none, so its `recorded_by` column was a claim no
hash covered (and nothing read it): it is cleared here, rather than kept as an unverifiable
statement of who recorded the treaty record (docs/decisions/0001-foundation.md). The bodies and
hashes are untouched, so every chain's head stays what was published.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op

from kelisim.storage import append_only

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "cert_ledger_entries")


def upgrade() -> None:
    connection = op.get_bind()
    clear_unattested_recorders(connection)


def clear_unattested_recorders(connection: sa.Connection) -> None:
    for table in TABLES:
        rows = connection.execute(sa.text(
            f"SELECT seq, body FROM {table} WHERE recorded_by IS NOT NULL")).all()
        unattested = [row.seq for row in rows if "recorded_by" not in orjson.loads(
            row.body.encode() if isinstance(row.body, str) else bytes(row.body))]
        if not unattested:
            continue
        append_only.unguard(op, table)
        for start in range(0, len(unattested), 1000):
            connection.execute(
                sa.text(f"UPDATE {table} SET recorded_by = NULL WHERE seq IN :seqs")
                .bindparams(sa.bindparam("seqs", expanding=True)),
                {"seqs": unattested[start:start + 1000]})
        append_only.guard(op, table)


def downgrade() -> None:
    """Nothing to put back: the cleared recorders were never part of the record."""
