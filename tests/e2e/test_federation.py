"""Four real kelisim nodes federated on loopback (issue 14, "Done means").

The depositary's node, KAZ's, RUS's (on PostgreSQL) and BLR's run as separate `kelisim up`
processes with separate databases, all on one clock file. The walk: instruments at the
depositary give the same status on every node; KAZ posts GREEN, AMBER for RUS and
restricted-access information for BLR, and each node ends up holding exactly its share (checked
exhaustively in each node's database); a revocation, a deletion, a declassification and a
reclassification reach every node and purge where needed; RUS's node is stopped while KAZ posts,
then catches up; RUS's node is killed with SIGKILL while it takes a large envelope and, once
restarted, holds every object once; BLR's withdrawal cuts its node off on the effective date,
and what it was sent before stays. Every transfer chain and its receipts verify.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS
from kelisim.storage.database import make_engine
from kelisim.storage.schema import exchange_objects
from tests.conftest import free_port, new_postgres_database
from tests.exchange_support import TAXII, restricted_marking

pytestmark = pytest.mark.slow

HISTORY = ([{"kind": "signature", "party": p, "date": "2013-11-20"} for p in ("KAZ", "RUS", "BLR")]
           + [{"kind": "notification", "party": party, "received": received,
               "authorized_bodies": [{"name": body}]}
              for party, received, body in (("KAZ", "2014-03-01", "KZ-CERT"),
                                            ("RUS", "2014-04-01", "RU-CERT"),
                                            ("BLR", "2014-05-01", "BY-CERT"))])
START = "2026-11-25T12:00:00+00:00"
AFTER_WITHDRAWAL = "2026-12-05T12:00:00+00:00"
PATIENCE = 30.0


@dataclass
class Node:
    name: str
    party: str | None
    folder: Path
    port: int
    clock_file: Path
    database_url: str | None = None
    process: subprocess.Popen[str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "KELISIM_DATA_DIR": str(self.folder),
               "KELISIM_INTAKE_PROCESSES": "0", "KELISIM_CLOCK_FILE": str(self.clock_file),
               "KELISIM_SYNC_INTERVAL": "1"}
        env.pop("KELISIM_DATABASE_URL", None)
        if self.database_url:
            env["KELISIM_DATABASE_URL"] = self.database_url
        return env

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "kelisim", *args], capture_output=True,
                              text=True, env=self.env(), timeout=300)
        if check:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args).stdout)

    def start(self) -> None:
        with (self.folder / "up.log").open("a") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kelisim", "up", "--port", str(self.port)], stdout=log,
                stderr=subprocess.STDOUT, text=True, env=self.env(), start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start: {(self.folder / 'up.log').read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.process = None

    def held(self) -> set[tuple[str, str]]:
        """(id, version) of every object of KAZ's this node's database holds."""
        engine = make_engine(self.database_url or f"sqlite:///{self.folder / 'kelisim.db'}")
        try:
            with engine.connect() as db:
                rows = db.execute(select(exchange_objects.c.stix_id, exchange_objects.c.version)
                                  .where(exchange_objects.c.producer_party == "KAZ")).all()
        finally:
            engine.dispose()
        return {(r[0], r[1]) for r in rows}


@dataclass
class Federation:
    depositary: Node
    parties: dict[str, Node]
    collection: str

    def node(self, party: str) -> Node:
        return self.parties[party]

    def taxii(self, party: str, who: str = "analyst") -> httpx.Client:
        node = self.node(party)
        return httpx.Client(base_url=f"{node.url}/taxii2/api1/collections/{self.collection}/",
                            timeout=60, headers={"Authorization": f"Bearer {node.tokens[who]}",
                                                 "Accept": TAXII, "Content-Type": TAXII})

    def post(self, *objects: dict[str, Any]) -> None:
        with self.taxii("KAZ") as client:
            answer = client.post("objects/", content=json.dumps({"objects": list(objects)}))
            assert answer.status_code == 202, answer.text
            status = answer.json()
            deadline = time.monotonic() + PATIENCE
            while status["status"] != "complete" and time.monotonic() < deadline:
                time.sleep(0.2)
                status = client.get(f"../../status/{status['id']}/").json()
            assert status["failure_count"] == 0, status["failures"]


def set_clock(path: Path, instant: str) -> None:
    path.write_text(instant)


def eventually(check: Callable[[], bool], what: str, patience: float = PATIENCE) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {patience} s: {what}")


def eventually_holds(node: Node, share: set[tuple[str, str]], what: str,
                     patience: float = PATIENCE) -> None:
    """`node` holds exactly `share` within `patience`; else say what is missing or extra."""
    deadline = time.monotonic() + patience
    held = node.held()
    while held != share and time.monotonic() < deadline:
        time.sleep(0.25)
        held = node.held()
    assert held == share, (f"not within {patience} s: {what}: missing {sorted(share - held)}, "
                           f"extra {sorted(held - share)}")


def indicator(name: str, tlp: str, *, recipients: list[str] | None = None,
              markings: list[str] = (), stix_id: str | None = None,
              modified: str = "2026-11-20T10:00:00.000Z", revoked: bool = False
              ) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator", "spec_version": "2.1", "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T10:00:00.000Z", "modified": modified, "name": name,
        "pattern_type": "stix", "pattern": f"[domain-name:value = '{name}.example']",
        "valid_from": "2026-11-20T10:00:00Z",
        "object_marking_refs": [TLP_MARKING_IDS[tlp], *markings]}
    if recipients:
        obj["extensions"] = {KELISIM_EXTENSION_ID: {"extension_type": "property-extension",
                                                    "recipients": {"parties": recipients}}}
    if revoked:
        obj["revoked"] = True
    return obj


def ref(obj: dict[str, Any]) -> tuple[str, str]:
    return obj["id"], obj["modified"].replace(".000Z", ".000000Z")


BODIES = {"KAZ": "KZ-CERT", "RUS": "RU-CERT", "BLR": "BY-CERT"}


def federate(depositary: Node, parties: dict[str, Node], folder: Path) -> Federation:
    """Initialize every node, import HISTORY at the depositary's, give each Party its
    party-admin (at the depositary's node) and analyst (at its own), start the nodes, and admit
    each Party's node: its party-admin asks at the depositary's node, the depositary admits."""
    nodes = [depositary, *parties.values()]
    for node in nodes:
        node.folder.mkdir()
        node.cli("init")
    history = folder / "history.json"
    history.write_text(json.dumps(HISTORY))  # in force with the third notification
    made = depositary.json("node", "init", "--depositary", "--url", depositary.url)
    depositary_key = made["descriptor"]["descriptor"]["public_key"]
    depositary.cli("depositary", "import", str(history))
    for party, node in parties.items():
        node.json("node", "init", "--party", party, "--url", node.url, "--depositary-url",
                  depositary.url, "--depositary-key", depositary_key)
        admin = depositary.cli("accounts", "add", f"{party} admin", "--role", "party-admin",
                               "--party", party, "--organization", BODIES[party])
        node.tokens["admin_at_depositary"] = next(w for w in admin.stdout.split()
                                                  if w.startswith("kls_"))
        analyst = node.cli("accounts", "add", f"{party} analyst", "--role", "analyst",
                           "--party", party, "--organization", BODIES[party])
        node.tokens["analyst"] = next(w for w in analyst.stdout.split() if w.startswith("kls_"))
    collection = parties["KAZ"].json("collections", "add", "KZ indicators")["id"]
    for node in nodes:
        node.start()
    for node in parties.values():
        node.cli("node", "request-admission", "--token", node.tokens["admin_at_depositary"])
    for asked in depositary.json("node", "admissions"):
        depositary.cli("node", "admit", asked["key_id"])
    return Federation(depositary, parties, collection)


@pytest.fixture
def federation(tmp_path: Path, postgres_server_url: str) -> Iterator[Federation]:
    clock = tmp_path / "clock"
    set_clock(clock, START)
    depositary = Node("depositary", None, tmp_path / "dep", free_port(), clock)
    parties = {party: Node(party, party, tmp_path / party.lower(), free_port(), clock)
               for party in ("KAZ", "RUS", "BLR")}
    parties["RUS"].database_url = new_postgres_database(postgres_server_url, None)
    try:
        yield federate(depositary, parties, tmp_path)
    finally:
        for node in [depositary, *parties.values()]:
            node.stop(signal.SIGKILL)


def test_four_nodes_exchange_exactly_what_the_law_and_the_markings_allow(
        federation: Federation) -> None:
    kaz, rus, blr = (federation.node(p) for p in ("KAZ", "RUS", "BLR"))
    # One law everywhere: every node computes the same status from the replicated ledger.
    for node in (kaz, rus, blr):
        eventually(lambda node=node: node.json("status", "--json", "--on", "2026-11-25")
                   == federation.depositary.json("status", "--json", "--on", "2026-11-25"),
                   f"{node.name} has the depositary's ledger")

    only_blr = restricted_marking("KAZ", ["BLR"])
    green = indicator("green", "green")
    amber_rus = indicator("amber-rus", "amber", recipients=["RUS"])
    for_blr = indicator("for-blr", "green", markings=[only_blr["id"]])
    red = indicator("red", "red")
    federation.post(only_blr, green, amber_rus, for_blr, red)
    marking_ref = (only_blr["id"], only_blr["created"].replace(".000Z", ".000000Z"))
    expected = {"RUS": {ref(green), ref(amber_rus)},
                "BLR": {ref(green), ref(for_blr), marking_ref}}
    for party, share in expected.items():
        eventually_holds(federation.node(party), share, f"{party} holds exactly its share")
    assert ref(red) in kaz.held()

    # Revocation, deletion, declassification and reclassification reach every node.
    revoked = {**green, "modified": "2026-11-21T10:00:00.000Z", "revoked": True}
    declassified = {**red, "modified": "2026-11-21T10:00:00.000Z",
                    "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    reclassified = {**{k: v for k, v in amber_rus.items() if k != "extensions"},
                    "modified": "2026-11-21T10:00:00.000Z",
                    "object_marking_refs": [TLP_MARKING_IDS["red"]]}  # RED, RUS no longer named
    federation.post(revoked, declassified, reclassified)
    with federation.taxii("KAZ") as client:
        assert client.delete(f"objects/{for_blr['id']}/").status_code == 200
    expected = {"RUS": {ref(green), ref(revoked), ref(declassified)},
                "BLR": {ref(green), ref(revoked), ref(declassified), marking_ref}}
    for party, share in expected.items():
        eventually_holds(federation.node(party), share, f"{party} follows every change")

    # RUS's node is offline while KAZ posts, then catches up.
    rus.stop()
    while_away = [indicator(f"away-{n}", "green") for n in range(50)]
    federation.post(*while_away)
    rus.start()
    expected["RUS"] |= {ref(o) for o in while_away}
    eventually_holds(rus, expected["RUS"], "RUS catches up after being offline")

    # SIGKILL while RUS takes a large envelope: after restart, every object once.
    large = [indicator(f"large-{n}", "green") for n in range(1500)]
    federation.post(*large)
    time.sleep(0.5)
    rus.stop(signal.SIGKILL)
    rus.start()
    expected["RUS"] |= {ref(o) for o in large}
    eventually_holds(rus, expected["RUS"], "RUS holds every object after a kill -9", patience=90)
    engine = make_engine(str(rus.database_url))
    with engine.connect() as db:
        rows = db.execute(select(exchange_objects.c.stix_id).where(
            exchange_objects.c.producer_party == "KAZ")).all()
    engine.dispose()
    assert len(rows) == len(expected["RUS"])  # nothing duplicated

    # BLR's withdrawal takes effect by itself: from that day its node is cut off.
    withdrawal = federation.depositary.folder / "withdrawal.json"
    withdrawal.write_text(json.dumps([{"kind": "withdrawal_notice", "party": "BLR",
                                       "received": "2026-06-01"}]))
    federation.depositary.cli("depositary", "import", str(withdrawal))
    eventually(lambda: kaz.json("status", "--json", "--on", "2026-12-05")
               == federation.depositary.json("status", "--json", "--on", "2026-12-05"),
               "KAZ has the withdrawal")
    states = {p["party"]: p["state"] for p in
              kaz.json("status", "--json", "--on", "2026-12-05")["parties"]}
    assert states["BLR"] == "withdrawn"
    set_clock(federation.depositary.clock_file, AFTER_WITHDRAWAL)
    held_before = blr.held()
    after = indicator("after-withdrawal", "green")
    federation.post(after)
    expected["RUS"].add(ref(after))
    eventually_holds(rus, expected["RUS"], "RUS still receives")
    time.sleep(3)  # several sync intervals
    assert blr.held() == held_before  # nothing new, and nothing taken back
    signed = httpx.get(f"{kaz.url}/federation/v1/feed")
    assert signed.status_code == 401  # unsigned requests are refused outright

    # The record of every transfer verifies on both sides, receipts included.
    for party in ("RUS", "BLR"):
        report = kaz.json("transfers", "verify", party)
        assert report["ok"], report
        assert report["receipts"] >= 1
    arrived = rus.json("transfers", "verify", "KAZ", "--direction", "arrived")
    assert arrived["ok"] and arrived["entries"] >= len(expected["RUS"]) - 1
    status = kaz.json("federation", "status", "--json")
    peers = {p["party"]: p for p in status["peers"]}
    assert peers["RUS"]["pending_receipts"] == 0
    assert peers["BLR"]["state"] == "withdrawn"
