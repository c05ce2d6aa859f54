"""What /metrics reports from the database, the same whichever server process is asked."""

from __future__ import annotations

from dataclasses import dataclass

from kelisim.services.runtime import Runtime
from kelisim.storage import certification_ledger
from kelisim.storage.exchange_records import AUDIT_CHAIN, ExchangeRecords
from kelisim.storage.ledger_repository import DEPOSITARY_CHAIN

CHAINS = (DEPOSITARY_CHAIN, AUDIT_CHAIN, certification_ledger.CHAIN)


@dataclass(frozen=True)
class StoredGauges:
    intake_queue_depth: int
    """Accepted envelopes not yet stored (the durable queue of the exchange, TAXII 2.1 s. 5.5)."""
    chain_sizes: dict[str, int]
    """Entries in each hash chain: the depositary's ledger, the exchange audit, certification."""


def read_gauges(rt: Runtime) -> StoredGauges:
    with rt.unit_of_work(autocommit=True) as uow:
        sizes = {chain: 0 for chain in CHAINS} | uow.ledger.sizes()  # a chain begun: its size
        return StoredGauges(ExchangeRecords(uow.connection).queue_depth(), sizes)
