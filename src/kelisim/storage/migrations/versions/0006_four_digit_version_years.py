"""Version keys of years below 1000 get their leading zeros (RFC 3339: four-digit years).

kelisim wrote such versions through `strftime`, which on glibc drops the zeros: "999-05-01..."
sorted after "2020-01-01..." as text, so an object's oldest version counted as its latest
(`match[version]=last`, TAXII 2.1 section 3.4). The keys are padded and the `superseded` flag
of the objects concerned is worked out again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("exchange_objects", "exchange_tombstones")


def upgrade() -> None:
    position = "strpos" if op.get_bind().dialect.name == "postgresql" else "instr"
    dash = f"{position}(version, '-')"
    for table in TABLES:
        op.execute(f"UPDATE {table} SET version = substr('000', 1, 5 - {dash}) || version "
                   f"WHERE {dash} BETWEEN 2 AND 4")
    op.execute(
        "UPDATE exchange_objects SET superseded = EXISTS ("
        "SELECT 1 FROM exchange_objects AS later "
        "WHERE later.collection_id = exchange_objects.collection_id "
        "AND later.stix_id = exchange_objects.stix_id "
        "AND later.version > exchange_objects.version) "
        "WHERE stix_id IN (SELECT stix_id FROM exchange_objects WHERE version < '1000')")


def downgrade() -> None:
    """Nothing to undo: a padded key is what the earlier code meant, and it reads it as well."""
