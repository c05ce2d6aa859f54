"""The audit of reads of restricted-access information (Art. 2, 6), hash-chained.

Every page or object served that contains an object bearing a restricted-access marking (and
every manifest, versions or tombstones list naming one) appends one entry - who read, when,
through which endpoint, which object versions, whose information - before the page is served,
in a transaction of its own (a page whose audit fails is not served), chained with
`domain.ledger` like the depositary's record (a separate chain, `exchange_audit`, append-only in
the database). The owner Party's party-admin reads the entries about its own information;
`kelisim audit verify` proves the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.chain_columns import audit_columns
from kelisim.domain.ledger import (
    GENESIS_HASH,
    Head,
    decode_body,
    verify_stored,
)
from kelisim.services.exchange.collections import state_today
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords


class Served(Protocol):
    """What a read served of one object version: an object, a manifest or versions row, a
    tombstone."""

    @property
    def stix_id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def restricted_owner(self) -> str | None: ...


class Listed(Served, Protocol):
    """An object a result names beside TAXII (correlation, sightings, the graph): and where."""

    @property
    def collection_id(self) -> str: ...


def record_reads(records: ExchangeRecords, principal: Principal, at: datetime, *,
                 endpoint: str, collection_id: str, rows: Sequence[Served]) -> bool:
    """Append one entry if the rows served hold restricted-access information."""
    restricted = [row for row in rows if row.restricted_owner]
    if not restricted:
        return False
    owners = sorted({row.restricted_owner for row in restricted if row.restricted_owner})
    entry = {
        "kind": "read", "endpoint": endpoint, "collection": collection_id,
        "reader": {"account": principal.account_id, "name": principal.name,
                   "party": principal.party, "organization": principal.organization},
        "owners": owners,
        "objects": [{"id": row.stix_id, "version": row.version, "owner": row.restricted_owner}
                    for row in restricted],
    }
    head = records.lock_audit()
    records.append_audit(head, at, entry)
    return True


def read_audit(rt: Runtime, principal: Principal, party: str | None = None) -> list[dict[str, Any]]:
    """Entries about a Party's information, for that Party's party-admin.

    One read may have served several Parties' restricted information; each owner sees only its
    own objects in it (Art. 6: nothing leaks across Parties, not even through the audit).
    """
    owner = party or principal.party
    require_exchange(principal, ExchangeAction.READ_AUDIT, state_today(rt, principal),
                     party=owner)
    with rt.unit_of_work() as uow:
        bodies = ExchangeRecords(uow.connection).audit_entries(owner)
    return [_owned_part(decode_body(body), owner) for body in bodies]


def _owned_part(body: dict[str, Any], owner: str | None) -> dict[str, Any]:
    entry = body["entry"]
    own = [o for o in entry["objects"] if o.get("owner") == owner]
    return {"seq": body["seq"], "recorded_at": body["recorded_at"],
            "entry": {**entry, "owners": [owner], "objects": own}}


def verify_audit(rt: Runtime) -> dict[str, Any]:
    """Check the whole chain against its head, and each column stored beside a body against
    that body; run by the local operator (`kelisim audit verify`)."""
    with rt.unit_of_work() as uow:
        records = ExchangeRecords(uow.connection)
        stored = list(records.audit_stored())
        head = records.audit_head() or Head(0, GENESIS_HASH)
    problems = verify_stored(stored, head, audit_columns)
    return {"ok": not problems, "entries": len(stored),
            "head": {"seq": head.seq, "hash": head.hash},
            "problems": [str(p) for p in problems]}
