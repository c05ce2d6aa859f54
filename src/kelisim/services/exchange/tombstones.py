"""The tombstones a collection's deletions left (TAXII 2.1 section 5.7), for those who may read.

Who may list them is decided exactly as for a read of the collection's objects: the reader's
Party's state today, read access to the collection (`reading.readable`), and, tombstone by
tombstone, the deleted version's own Art. 6 gates in SQL (`storage.exchange_objects.visibility`,
the filter of every object read), so a tombstone tells its id and version only to those who could
read the version. A listing that names restricted-access information is audited first, like a
manifest page (Art. 6): it tells the reader that the owner's objects existed.
"""

from __future__ import annotations

from typing import Any

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.taxii import stix_version
from kelisim.services.exchange.audit import record_reads
from kelisim.services.exchange.collections import find_in, state_today
from kelisim.services.exchange.reading import readable
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.exchange_records import ExchangeRecords

ENDPOINT = "tombstones"


def list_tombstones(rt: Runtime, principal: Principal, collection_key: str) -> dict[str, Any]:
    """Who deleted which version of which object, and when; oldest deletion first."""
    with rt.unit_of_work() as uow:
        state = state_today(rt, principal, uow)
        require_exchange(principal, ExchangeAction.READ_OBJECTS, state)
        collection = readable(find_in(uow, principal, collection_key, state))
        reach = policy.scope(policy.Reader.of(principal, state))
        found = ObjectsRepository(uow.connection).tombstones(collection.id, reach)
    if any(t.restricted_owner for t in found):
        with rt.unit_of_work() as uow:
            record_reads(ExchangeRecords(uow.connection), principal, rt.clock(),
                         endpoint=ENDPOINT, collection_id=collection.id, rows=found)
            uow.commit()
    return {"collection": collection.id, "tombstones": [
        {"id": t.stix_id, "version": stix_version(t.version), "producer_party": t.producer_party,
         "deleted_by": {"account": t.deleted_by, "party": t.producer_party},
         "deleted_at": t.deleted_at.isoformat()} for t in found]}
