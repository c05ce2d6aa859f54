"""The correlation index's value indexes (kind and value, registered domain, IP range) end with
the page key (collection_id, stix_id).

A lookup by value (exact, or by registered domain) then walks that value's rows in the order of
its keyset page and stops after the page, instead of reading every row with the value and
sorting them: a domain under a busy registered domain took 8.5 ms at 100k objects, 0.5 ms with
the wider index (bench/analyst.py; decision 0013, "Lookups").

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-04
"""

from alembic import op

revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLE = "exchange_observables"


def upgrade() -> None:
    op.create_index("ix_exchange_observables_kind_value_collection_id_stix_id", TABLE,
                    ["kind", "value", "collection_id", "stix_id"])
    op.create_index("ix_exchange_observables_registered_collection_id_stix_id", TABLE,
                    ["registered", "collection_id", "stix_id"])
    op.create_index("ix_exchange_observables_ip_low_ip_high_collection_id_stix_id", TABLE,
                    ["ip_low", "ip_high", "collection_id", "stix_id"])
    op.drop_index("ix_exchange_observables_kind_value", table_name=TABLE)
    op.drop_index("ix_exchange_observables_registered", table_name=TABLE)
    op.drop_index("ix_exchange_observables_ip_low_ip_high", table_name=TABLE)


def downgrade() -> None:
    op.create_index("ix_exchange_observables_kind_value", TABLE, ["kind", "value"])
    op.create_index("ix_exchange_observables_registered", TABLE, ["registered"])
    op.create_index("ix_exchange_observables_ip_low_ip_high", TABLE, ["ip_low", "ip_high"])
    op.drop_index("ix_exchange_observables_ip_low_ip_high_collection_id_stix_id",
                  table_name=TABLE)
    op.drop_index("ix_exchange_observables_kind_value_collection_id_stix_id", table_name=TABLE)
    op.drop_index("ix_exchange_observables_registered_collection_id_stix_id", table_name=TABLE)
