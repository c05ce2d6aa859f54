"""Concurrent appends queue on the ledger's lock: no lost entry, no fork in the chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kelisim.services import accounts, depositary, ledger
from tests.conftest import Node

PARTIES = ("AZE", "RUS", "ARM", "TJK", "BLR", "TKM", "KAZ", "UZB", "KGZ", "MDA")


def test_parallel_signatures_are_all_recorded_on_one_unbroken_chain(node: Node) -> None:
    principal = accounts.authenticate(node.runtime, node.admin_token)

    def sign(party: str) -> int:
        entry = {"kind": "signature", "party": party, "date": "2013-11-20"}
        return depositary.record_entries(node.runtime, principal, [entry])[0]["id"]

    with ThreadPoolExecutor(max_workers=5) as pool:
        ids = list(pool.map(sign, PARTIES))
    assert sorted(ids) == list(range(1, len(PARTIES) + 1))
    report = ledger.verify_ledger(node.runtime, principal)
    assert report["ok"] and report["entries"] == len(PARTIES)
