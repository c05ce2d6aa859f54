"""The ATT&CK techniques of the objects already stored (issue 16, item 4; docs/decisions/0020).

Since this revision intake writes, with the other correlation rows, one row of kind
`mitre-attack` per ATT&CK technique an object version refers to (an external reference with
source_name "mitre-attack"). The versions stored before are indexed here, `BATCH` at a time in
key order, reading only those whose JSON names "mitre-attack". No table changes.

Revision ID: 0015
Revises: 0014 (the merge re-chains it after 0015)
Create Date: 2026-12-03
"""

import orjson
import sqlalchemy as sa
from alembic import op

from kelisim.domain.attack import technique_ids
from kelisim.domain.stix.observables import Observable
from kelisim.storage.observables_index import ATTACK_KIND, index_row, insert_index

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    connection = op.get_bind()
    objects = sa.table("exchange_objects", *(sa.column(name) for name in (
        "collection_id", "date_added", "stix_id", "type", "version", "producer_party",
        "restricted_owner", "tlp_gate", "restricted_gate", "open_access", "raw")))
    key = sa.tuple_(objects.c.collection_id, objects.c.date_added)
    after: tuple[str, int] | None = None
    while True:
        statement = sa.select(objects).order_by(objects.c.collection_id, objects.c.date_added)
        if after is not None:
            statement = statement.where(key > sa.tuple_(*after))
        rows = connection.execute(statement.limit(BATCH)).mappings().all()
        if not rows:
            return
        index = [index_row(dict(row), Observable(ATTACK_KIND, ident)) for row in rows
                 if b"mitre-attack" in bytes(row["raw"])
                 for ident in technique_ids(orjson.loads(bytes(row["raw"])))]
        insert_index(connection, index)
        after = (rows[-1]["collection_id"], rows[-1]["date_added"])


def downgrade() -> None:
    observables = sa.table("exchange_observables", sa.column("kind"))
    op.get_bind().execute(sa.delete(observables).where(observables.c.kind == ATTACK_KIND))
