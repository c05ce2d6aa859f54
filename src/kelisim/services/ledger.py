"""Prove the depositary's record untouched, and hand it over so a third party can prove it too.

The export carries each entry's exact canonical body and hash plus the head; `verify_export`
runs the very same check as `verify_ledger`, so `kelisim ledger verify --file` on another machine
reaches the same verdict as the depositary's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.chain_columns import depositary_columns
from kelisim.domain.errors import InvalidInput
from kelisim.domain.ledger import (
    GENESIS_HASH,
    Head,
    Link,
    Problem,
    verify_chain,
    verify_stored,
)
from kelisim.services.runtime import Runtime

EXPORT_FORMAT = "kelisim-ledger/1"


def verify_ledger(rt: Runtime, principal: Principal) -> dict[str, Any]:
    """The chain recomputed from the stored bodies, and every column stored beside a body
    (kind, party, dates, who recorded it) checked against that body."""
    require(principal, Action.READ_LEDGER)
    with rt.unit_of_work() as uow:
        stored = list(uow.ledger.stored())
        head = uow.ledger.head()
    head = head or Head(0, GENESIS_HASH)
    return _report(len(stored), head, verify_stored(stored, head, depositary_columns))


def export_ledger(rt: Runtime, principal: Principal) -> dict[str, Any]:
    require(principal, Action.READ_LEDGER)
    with rt.unit_of_work() as uow:
        links = list(uow.ledger.links())
        head = uow.ledger.head() or Head(0, "0" * 64)
    return {
        "format": EXPORT_FORMAT,
        "chain": "depositary",
        "hashing": "sha256 over the UTF-8 bytes of `body` (RFC 8785 canonical JSON of "
                   "seq, recorded_at, entry, prev_hash and, from migration 0009 on, recorded_by)",
        "head": {"seq": head.seq, "hash": head.hash},
        "entries": [{"seq": link.seq, "body": link.body.decode(), "hash": link.hash}
                    for link in links],
    }


def verify_export(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise InvalidInput(f"Not a kelisim ledger export (expected format {EXPORT_FORMAT}).")
    try:
        links = [Link(int(e["seq"]), str(e["body"]).encode(), str(e["hash"]))
                 for e in document["entries"]]
        head = Head(int(document["head"]["seq"]), str(document["head"]["hash"]))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"The ledger export is malformed: {error}.") from None
    return _report(len(links), head, verify_chain(links, head))


def _report(entries: int, head: Head, problems: Sequence[Problem]) -> dict[str, Any]:
    return {"ok": not problems, "entries": entries,
            "head": {"seq": head.seq, "hash": head.hash},
            "problems": [str(p) for p in problems]}
