"""Every stored byte verifiable (issue 13, section 2): who recorded a chain entry is inside its
hashed body, and a tombstone keeps its deleted version's Art. 6 gates.

Since this revision a depositary or certification link carries `recorded_by` in its hashed body
(`domain.chain_columns`), and `ledger verify` / `certification verify-ledger` check the column
against it. An entry recorded before carries none, so its `recorded_by` column was a claim no
hash covered (and nothing read it): it is cleared here, rather than kept as an unverifiable
statement of who recorded the treaty record (docs/decisions/0001-foundation.md). The bodies and
hashes are untouched, so every chain's head stays what was published.

Tombstones (listed at `/api/v1/exchange/collections/{key}/tombstones`) are shown to exactly the
readers who could read the deleted version, by its gates copied into the tombstone. A tombstone
left before this revision has none: it gets `domain.exchange_policy.producer_only` (shown to its
producer's Party alone; whether anyone else could read the version is no longer known).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op

from kelisim.domain.exchange_policy import producer_only
from kelisim.storage import append_only

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "cert_ledger_entries")


def upgrade() -> None:
    with op.batch_alter_table("exchange_tombstones") as batch:
        batch.add_column(sa.Column("restricted_owner", sa.String(3), nullable=True))
        batch.add_column(sa.Column("tlp_gate", sa.Text, nullable=True))
        batch.add_column(sa.Column("restricted_gate", sa.Text, nullable=True))
        batch.add_column(sa.Column("open_access", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    connection = op.get_bind()
    tombstones = sa.table("exchange_tombstones", sa.column("id"), sa.column("tlp_gate"),
                          sa.column("producer_party"))
    for row in connection.execute(sa.select(tombstones.c.id, tombstones.c.producer_party)).all():
        connection.execute(sa.update(tombstones).where(tombstones.c.id == row.id)
                           .values(tlp_gate=producer_only(row.producer_party).tlp))
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
    """The tombstones lose their gates; the cleared recorders were never part of the record."""
    with op.batch_alter_table("exchange_tombstones") as batch:
        for name in ("open_access", "restricted_gate", "tlp_gate", "restricted_owner"):
            batch.drop_column(name)
