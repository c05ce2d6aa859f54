"""Key rotation with real nodes as processes (issue 14 item 1; decision 0014, "Rotation").

The depositary's node, KAZ's and RUS's run as separate `kelisim up` processes on one clock file.
KAZ's node makes a new key with `kelisim node rotate-key` (its party-admin's token asks at the
depositary's node), the depositary admits it, and on the new key's first day KAZ's node switches
by itself: sync goes on, and `kelisim transfers verify` still verifies what the old key signed.
Then the depositary's node rotates the trust anchor with `kelisim node rotate-key`, and both
Parties' nodes follow it, replicating the ledger under the new anchor.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.e2e.test_federation import (
    START,
    Federation,
    Node,
    eventually,
    eventually_holds,
    federate,
    indicator,
    ref,
    set_clock,
)

pytestmark = pytest.mark.slow

TOMORROW = "2026-11-26T12:00:00+00:00"


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[Federation]:
    clock = tmp_path / "clock"
    set_clock(clock, START)
    depositary = Node("depositary", None, tmp_path / "dep", free_port(), clock)
    parties = {party: Node(party, party, tmp_path / party.lower(), free_port(), clock)
               for party in ("KAZ", "RUS")}
    try:
        yield federate(depositary, parties, tmp_path)
    finally:
        for node in [depositary, *parties.values()]:
            node.stop(signal.SIGKILL)


def _serial(node: Node) -> int | None:
    serial: int | None = node.json("federation", "status", "--json")["roster_serial"]
    return serial


def test_a_node_rotates_its_key_then_the_depositary_its_anchor_and_sync_goes_on(
        federation: Federation) -> None:
    dep, kaz, rus = federation.depositary, federation.node("KAZ"), federation.node("RUS")
    for node in (kaz, rus):
        eventually(lambda node=node: node.json("status", "--json", "--on", "2026-11-25")
                   == dep.json("status", "--json", "--on", "2026-11-25"),
                   f"{node.name} has the depositary's ledger")
    first = indicator("before-rotation", "green")
    federation.post(first)
    eventually_holds(rus, {ref(first)}, "RUS holds KAZ's first object")
    old_key = kaz.json("node", "show")["key_id"]

    # KAZ's node asks for a new key from tomorrow; the depositary admits it.
    made = kaz.json("node", "rotate-key", "--token", kaz.tokens["admin_at_depositary"])
    assert made["previous_key_id"] == old_key and made["asked"]["rotates"] == old_key
    asked = {a["key_id"]: a for a in dep.json("node", "admissions")}
    assert asked[made["key_id"]]["rotates"] == old_key
    serial = dep.json("node", "admit", made["key_id"])["roster_serial"]
    for node in (kaz, rus):
        eventually(lambda node=node: _serial(node) == serial, f"{node.name} takes the roster")
    assert kaz.json("node", "show")["key_id"] == old_key  # not before its first day

    set_clock(kaz.clock_file, TOMORROW)
    eventually(lambda: kaz.json("node", "show")["key_id"] == made["key_id"],
               "KAZ switches to its new key on its first day")
    assert (kaz.folder / f"node.key.{old_key}.retired").is_file()
    second = indicator("after-rotation", "green")
    federation.post(second)
    eventually_holds(rus, {ref(first), ref(second)}, "RUS takes what the new key signed")

    def verified() -> bool:
        sent = kaz.json("transfers", "verify", "RUS")
        arrived = rus.json("transfers", "verify", "KAZ", "--direction", "arrived")
        return bool(sent["ok"] and arrived["ok"] and arrived["entries"] >= 2
                    and sent["receipts"] >= 2)

    eventually(verified, "both sides verify the transfers of the old key and the new")

    # The depositary's node rotates the trust anchor; both Parties' nodes follow it.
    anchor = dep.json("node", "rotate-key")
    new_anchor = dep.json("node", "show")
    assert new_anchor["key_id"] == anchor["key_id"] != anchor["previous_key_id"]
    for node in (kaz, rus):
        eventually(lambda node=node: node.json("node", "show")["depositary_key"]
                   == new_anchor["public_key"], f"{node.name} trusts the new anchor")
    later = dep.folder / "later.json"
    later.write_text(json.dumps([{"kind": "signature", "party": "KGZ", "date": "2026-11-26"}]))
    dep.cli("depositary", "import", str(later))
    for node in (kaz, rus):
        eventually(lambda node=node: node.json("status", "--json", "--on", "2026-11-26")
                   == dep.json("status", "--json", "--on", "2026-11-26"),
                   f"{node.name} replicates the ledger under the new anchor")
    third = indicator("after-anchor-rotation", "green")
    federation.post(third)
    eventually_holds(rus, {ref(first), ref(second), ref(third)}, "sync goes on")
    eventually(verified, "the transfers still verify")
