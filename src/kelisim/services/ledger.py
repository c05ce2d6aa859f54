"""Prove the depositary's record untouched, and hand it over so a third party can prove it too.

The export carries each entry's exact canonical body and hash plus the head; `verify_export`
runs the very same check as `verify_ledger`, so `kelisim ledger verify --file` on another machine
reaches the same verdict as the depositary's own.
"""

from __future__ import annotations

from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput
from kelisim.domain.ledger import Head, Link, verify_chain
from kelisim.services.runtime import Runtime

EXPORT_FORMAT = "kelisim-ledger/1"


def verify_ledger(rt: Runtime, principal: Principal) -> dict[str, Any]:
    require(principal, Action.READ_LEDGER)
    with rt.unit_of_work() as uow:
        links = list(uow.ledger.links())
        head = uow.ledger.head()
    return _report(links, head or Head(0, "0" * 64))


def export_ledger(rt: Runtime, principal: Principal) -> dict[str, Any]:
    require(principal, Action.READ_LEDGER)
    with rt.unit_of_work() as uow:
        links = list(uow.ledger.links())
        head = uow.ledger.head() or Head(0, "0" * 64)
    return {
        "format": EXPORT_FORMAT,
        "chain": "depositary",
        "hashing": "sha256 over the UTF-8 bytes of `body` (RFC 8785 canonical JSON of "
                   "seq, recorded_at, entry, prev_hash)",
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
    return _report(links, head)


def _report(links: list[Link], head: Head) -> dict[str, Any]:
    problems = verify_chain(links, head)
    return {"ok": not problems, "entries": len(links),
            "head": {"seq": head.seq, "hash": head.hash},
            "problems": [str(p) for p in problems]}
