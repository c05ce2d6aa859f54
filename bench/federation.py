"""Federation benchmark (issue 14): kelisim nodes syncing on loopback, against what operators do.

    python bench/federation.py --quick              # 10k objects, SQLite (about 5 minutes)
    python bench/federation.py                      # 100k and 1M objects (long)
    python bench/federation.py --sizes 100000 --postgresql

Why: issue 14 ("Done means") states the federation's targets as ratios to references measured
in the same run, on this machine. Every node is a real `kelisim up` process on 127.0.0.1 with
its own database, set up only through kelisim's CLI as tests/e2e/test_federation.py does
(`init`, `node init`, `depositary import`, `accounts add`, `node request-admission`, `node
admit`, `sync --once`). For each size N, in a fresh federation (the depositary's node, KAZ's
node as the origin, RUS's as the receiver, on SQLite or, with --postgresql, RUS on PostgreSQL):

* **receiver's own ingest**: the N objects (the seeded workload of bench/taxii_workload.py,
  1,000-object envelopes) POSTed over TAXII 2.1 into a collection of RUS's own at RUS's node,
  each envelope polled on its status until complete; obj/s over the whole load;
* **initial sync**: RUS's node is stopped while KAZ's takes the same N objects (KAZ's own
  ingest rate is kept for information), then started; obj/s from the moment it answers
  /health to the moment its database holds all N copies (its start-up is given apart);
* **catch-up**: RUS's node stopped again while KAZ's takes M more objects, then started:
  seconds from /health to holding them all;
* **polling loop**, the reference of "what operators do today": a `taxii2-client` loop
  (`as_pages(get_objects, per_request=1000, added_after=...)`, each page posted with
  `add_objects(wait_for_completion=True)`) from one OpenTAXII 0.10.0b1 server loaded with
  the N objects (untimed) into another; and the same loop between KAZ's and RUS's nodes as
  TAXII servers (KAZ's collection into a third collection at RUS's node);
* **propagation latency** to three peers (RUS's, BLR's and ARM's nodes, all running, the sync
  interval 30 s so that what is measured is the notify hint): a new object, a deletion, a
  declassification (a RED object's new GREEN version); from just before the request to KAZ's
  node to the moment each peer's database holds (or no longer holds) it, polled every 5 ms;
* **signing and verifying** one object (the domain functions `replication.snapshot_statement`
  + `NodeKey.sign`, and `signing.verify`), microseconds, in this process: what a transfer costs
  per object; the page's one signature of the chain's head is shared by up to 500.

Results go to bench/results/federation-*.json; docs/benchmarks.md says how to read them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from taxii_report import RESULTS, machine
from taxii_servers import TAXII, Server, free_port, opentaxii, postgres
from taxii_workload import ENVELOPE_SIZE, envelope

from kelisim.domain.stix.extension import TLP_MARKING_IDS as TLP

SEED = 20131120
SYNC_INTERVAL = "30"  # seconds: longer than any phase's wait, so the notify hint is measured
PARTIES = {"KAZ": "KZ-CERT", "RUS": "RU-CERT", "BLR": "BY-CERT", "ARM": "AM-CERT"}
HISTORY = ([{"kind": "signature", "party": p, "date": "2013-11-20"} for p in PARTIES]
           + [{"kind": "notification", "party": party, "received": f"2014-0{n + 3}-01",
               "authorized_bodies": [{"name": body}]}
              for n, (party, body) in enumerate(PARTIES.items())])
PEERS = ("RUS", "BLR", "ARM")
PATIENCE = 120.0  # seconds one awaited change may take before the phase is reported failed

# Targets (issue 14, "Done means").
SYNC_VS_INGEST = 0.7
SYNC_VS_POLLING = 10.0
PROPAGATION_P99_S = 2.0
CATCH_UP_OBJECTS, CATCH_UP_SECONDS = 1_000_000, 300.0


# --- nodes ---------------------------------------------------------------------------------------

@dataclass
class Node:
    name: str
    party: str | None
    folder: Path
    port: int = field(default_factory=free_port)
    database_url: str | None = None
    process: subprocess.Popen[str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    startups: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "KELISIM_DATA_DIR": str(self.folder),
               "KELISIM_INTAKE_PROCESSES": "0", "KELISIM_SYNC_INTERVAL": SYNC_INTERVAL}
        env.pop("KELISIM_DATABASE_URL", None)
        if self.database_url:
            env["KELISIM_DATABASE_URL"] = self.database_url
        return env

    def cli(self, *args: str, check: bool = True) -> str:
        done = subprocess.run([sys.executable, "-m", "kelisim", *args], capture_output=True,
                              text=True, env=self.env(), timeout=600)
        with (self.folder / "cli.log").open("a") as log:
            log.write(f"$ kelisim {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        if check and done.returncode != 0:
            raise RuntimeError(f"{self.name}: kelisim {' '.join(args[:3])} failed: "
                               f"{(done.stderr or done.stdout)[-1500:]}")
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args))

    def token(self, *args: str) -> str:
        return next(w for w in self.cli(*args).split() if w.startswith("kls_"))

    def start(self) -> float:
        """Start `kelisim up`; returns the monotonic moment it first answered /health."""
        spawned = time.monotonic()
        with (self.folder / "up.log").open("a") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kelisim", "up", "--port", str(self.port)], stdout=log,
                stderr=subprocess.STDOUT, text=True, env=self.env(), start_new_session=True)
        while time.monotonic() < spawned + 90:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    ready = time.monotonic()
                    self.startups.append(ready - spawned)
                    return ready
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not start: {(self.folder / 'up.log').read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def taxii(self, collection: str) -> Taxii:
        return Taxii(f"{self.url}/taxii2/api1/", collection, self.tokens["analyst"])


class Store:
    """Read-only access to a node's database, to see what it holds without asking its server."""

    def __init__(self, node: Node) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(node.database_url or
                                    f"sqlite:///{node.folder / 'kelisim.db'}")

    def count(self, collection: str, producer: str) -> int:
        from sqlalchemy import func, select

        from kelisim.storage.schema import exchange_objects as t

        with self.engine.connect() as db:
            return int(db.execute(select(func.count()).where(
                t.c.collection_id == collection, t.c.producer_party == producer)).scalar_one())

    def versions(self, collection: str, stix_id: str) -> set[str]:
        from sqlalchemy import select

        from kelisim.storage.schema import exchange_objects as t

        with self.engine.connect() as db:
            return {r[0] for r in db.execute(select(t.c.version).where(
                t.c.collection_id == collection, t.c.stix_id == stix_id))}

    def close(self) -> None:
        self.engine.dispose()


class Taxii:
    """One plain TAXII 2.1 client (httpx) for one collection of one node."""

    def __init__(self, root: str, collection: str, token: str) -> None:
        self.client = httpx.Client(base_url=root, timeout=300, headers={
            "Authorization": f"Bearer {token}", "Accept": TAXII, "Content-Type": TAXII})
        self.objects = f"collections/{collection}/objects/"

    def post(self, objects: list[dict[str, Any]]) -> dict[str, Any]:
        """POST one envelope and poll its status until complete."""
        answer = self.client.post(self.objects, content=orjson.dumps({"objects": objects}))
        if answer.status_code != 202:
            raise RuntimeError(f"POST: HTTP {answer.status_code} {answer.text[:300]}")
        status: dict[str, Any] = answer.json()
        pause = 0.002
        deadline = time.monotonic() + PATIENCE
        while status["status"] != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError("an envelope's status was never complete")
            time.sleep(pause)
            pause = min(pause * 1.5, 0.05)
            status = self.client.get(f"status/{status['id']}/").json()
        if status.get("failure_count"):
            raise RuntimeError(f"objects refused: {status.get('failures', [])[:1]}")
        return status

    def post_async(self, objects: list[dict[str, Any]]) -> None:
        answer = self.client.post(self.objects, content=orjson.dumps({"objects": objects}))
        if answer.status_code != 202:
            raise RuntimeError(f"POST: HTTP {answer.status_code} {answer.text[:300]}")

    def delete(self, stix_id: str) -> None:
        answer = self.client.delete(f"{self.objects}{stix_id}/")
        if answer.status_code != 200:
            raise RuntimeError(f"DELETE: HTTP {answer.status_code} {answer.text[:300]}")

    def close(self) -> None:
        self.client.close()


@dataclass
class Federation:
    depositary: Node
    nodes: dict[str, Node]
    collections: dict[str, str]  # bulk (KAZ, read KAZ+RUS), live (KAZ, every Party), own (RUS),
                                 # polled (RUS)

    def all(self) -> list[Node]:
        return [self.depositary, *self.nodes.values()]


@contextlib.contextmanager
def federation(workdir: Path, receiver_database: str | None) -> Iterator[Federation]:
    """The depositary's node and the four Parties' nodes, admitted and synced once; only the
    depositary's, KAZ's and RUS's are left running."""
    depositary = Node("depositary", None, workdir / "dep")
    nodes = {party: Node(party, party, workdir / party.lower()) for party in PARTIES}
    nodes["RUS"].database_url = receiver_database
    everyone = [depositary, *nodes.values()]
    try:
        for node in everyone:
            node.folder.mkdir(parents=True)
        each(everyone, lambda node: node.cli("init"))
        history = workdir / "history.json"
        history.write_text(json.dumps(HISTORY))
        made = depositary.json("node", "init", "--depositary", "--url", depositary.url)
        anchor = made["descriptor"]["descriptor"]["public_key"]
        depositary.cli("depositary", "import", str(history))

        def made(node: Node) -> None:
            party = str(node.party)
            node.json("node", "init", "--party", party, "--url", node.url, "--depositary-url",
                      depositary.url, "--depositary-key", anchor)
            node.tokens["analyst"] = node.token(
                "accounts", "add", f"{party} analyst", "--role", "analyst", "--party", party,
                "--organization", PARTIES[party])

        each(list(nodes.values()), made)
        for party, node in nodes.items():  # one writer of the depositary's database at a time
            node.tokens["admin"] = depositary.token(
                "accounts", "add", f"{party} admin", "--role", "party-admin", "--party", party,
                "--organization", PARTIES[party])
        kaz, rus = nodes["KAZ"], nodes["RUS"]
        collections = {
            "bulk": kaz.json("collections", "add", "bulk", "--owner", "KAZ", "--read", "KAZ",
                             "--read", "RUS", "--write", "KAZ")["id"],
            "live": kaz.json("collections", "add", "live", "--owner", "KAZ",
                             "--write", "KAZ")["id"],
            "own": rus.json("collections", "add", "own", "--owner", "RUS", "--read", "RUS",
                            "--write", "RUS")["id"],
            "polled": rus.json("collections", "add", "polled", "--owner", "RUS", "--read",
                               "RUS", "--write", "RUS")["id"]}
        depositary.start()
        each(list(nodes.values()), lambda node: node.cli(
            "node", "request-admission", "--token", node.tokens["admin"]))
        for asked in depositary.json("node", "admissions"):
            depositary.cli("node", "admit", asked["key_id"])
        # The roster and the ledger before any exchange (the peers are not up yet: that part
        # of the sync fails, as it says).
        each(list(nodes.values()), lambda node: node.cli("sync", "--once", check=False))
        kaz.start()
        rus.start()
        yield Federation(depositary, nodes, collections)
    finally:
        for node in everyone:
            node.stop(signal.SIGKILL)


def each(nodes: list[Node], step: Callable[[Node], Any]) -> None:
    """One CLI step on every node at once (each its own process and database)."""
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        for done in [pool.submit(step, node) for node in nodes]:
            done.result()


# --- phases --------------------------------------------------------------------------------------

def load(client: Taxii, first: int, count: int) -> float:
    """POST envelopes first.. (count objects) one after the other; obj/s over the whole load."""
    bodies = [envelope(SEED, n) for n in range(first, first + count // ENVELOPE_SIZE)]
    started = time.perf_counter()
    for body in bodies:
        client.post(body)
    return len(bodies) * ENVELOPE_SIZE / (time.perf_counter() - started)


def wait_count(store: Store, collection: str, producer: str, wanted: int,
               patience: float) -> float:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if store.count(collection, producer) >= wanted:
            return time.monotonic()
        time.sleep(0.05)
    raise RuntimeError(f"not within {patience:.0f} s: {store.count(collection, producer):,} of "
                       f"{wanted:,} objects")


def sync_phases(fed: Federation, size: int, catch_up: int) -> dict[str, Any]:
    kaz, rus = fed.nodes["KAZ"], fed.nodes["RUS"]
    bulk = fed.collections["bulk"]
    out: dict[str, Any] = {}
    print(f"  receiver's own ingest of {size:,} ...", flush=True)
    own = rus.taxii(fed.collections["own"])
    out["receiver_ingest_rate"] = load(own, 0, size)
    own.close()
    rus.stop()
    print(f"  origin takes {size:,} (receiver stopped) ...", flush=True)
    origin = kaz.taxii(bulk)
    out["origin_ingest_rate"] = load(origin, 0, size)
    store = Store(rus)
    patience = max(PATIENCE, size / 20)  # 20 obj/s at least, or the phase fails
    print("  initial sync ...", flush=True)
    ready = rus.start()
    done = wait_count(store, bulk, "KAZ", size, patience)
    out["initial_sync"] = {"objects": size, "seconds": done - ready,
                           "rate": size / (done - ready), "startup_s": rus.startups[-1]}
    rus.stop()
    print(f"  origin takes {catch_up:,} more (receiver stopped) ...", flush=True)
    load(origin, size // ENVELOPE_SIZE, catch_up)
    ready = rus.start()
    done = wait_count(store, bulk, "KAZ", size + catch_up, patience)
    out["catch_up"] = {"objects": catch_up, "seconds": done - ready,
                       "rate": catch_up / (done - ready), "startup_s": rus.startups[-1]}
    origin.close()
    store.close()
    return out


class BearerAuth:
    """requests' auth hook for taxii2-client: a bearer token on every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def polling_loop(source: tuple[str, str], target: tuple[str, str], expected: int) -> float:
    """What operators do today: one taxii2-client poll of the source collection (pages by
    `next`, from `added_after` of the last poll: none for the first) posted page by page into
    the target collection, each waited for. (collection URL, bearer token) each; obj/s."""
    from taxii2client.v21 import Collection, as_pages

    src = Collection(source[0], auth=BearerAuth(source[1]))
    dst = Collection(target[0], auth=BearerAuth(target[1]))
    moved = 0
    started = time.perf_counter()
    for page in as_pages(src.get_objects, per_request=1000):
        objects = page.get("objects", [])
        if objects:
            status = dst.add_objects({"objects": objects}, wait_for_completion=True,
                                     poll_interval=0.05, timeout=600)
            moved += int(status.success_count)
    elapsed = time.perf_counter() - started
    if moved < expected:
        raise RuntimeError(f"the polling loop moved {moved:,} of {expected:,} objects")
    return moved / elapsed


def opentaxii_loop(workdir: Path, size: int) -> dict[str, Any]:
    """Two OpenTAXII servers; the first loaded with the N objects (untimed), then the loop."""
    with opentaxii(_fresh(workdir, "otx-source")) as source, \
            opentaxii(_fresh(workdir, "otx-target")) as target:
        src_url, dst_url = _collection_url(source), _collection_url(target)
        loader = httpx.Client(headers={"Accept": TAXII, "Content-Type": TAXII, **source.headers},
                              timeout=600)
        for n in range(size // ENVELOPE_SIZE):
            answer = loader.post(f"{src_url}objects/",
                                 content=orjson.dumps({"objects": envelope(SEED, n)}))
            if answer.status_code not in (200, 202):
                raise RuntimeError(f"OpenTAXII POST: HTTP {answer.status_code}")
        loader.close()
        rate = polling_loop((src_url, _bearer(source)), (dst_url, _bearer(target)), size)
        return {"rate": rate, "notes": source.notes}


def _collection_url(server: Server) -> str:
    client = httpx.Client(headers={"Accept": TAXII, **server.headers}, timeout=60)
    discovery = client.get(server.base_url).json()
    root = urljoin(server.base_url, discovery.get("default") or discovery["api_roots"][0])
    root = root if root.endswith("/") else root + "/"
    collections = client.get(f"{root}collections/").json()["collections"]
    client.close()
    return f"{root}collections/{collections[0]['id']}/"


def _bearer(server: Server) -> str:
    return server.headers["Authorization"].removeprefix("Bearer ")


def indicator(tlp: str, stix_id: str | None = None,
              modified: str = "2026-11-20T10:00:00.000Z") -> dict[str, Any]:
    name = uuid.uuid4().hex[:12]
    return {"type": "indicator", "spec_version": "2.1",
            "id": stix_id or f"indicator--{uuid.uuid4()}", "created": "2026-11-20T10:00:00.000Z",
            "modified": modified, "name": name, "pattern_type": "stix",
            "pattern": f"[domain-name:value = '{name}.example']",
            "valid_from": "2026-11-20T10:00:00Z", "object_marking_refs": [TLP[tlp]]}


def version_of(obj: dict[str, Any]) -> str:
    return str(obj["modified"]).replace(".000Z", ".000000Z")


def propagation(fed: Federation, samples: int) -> dict[str, Any]:
    """Latency of a new object, a deletion and a declassification to every peer."""
    for party in PEERS:
        if fed.nodes[party].process is None:
            fed.nodes[party].start()
    live = fed.collections["live"]
    client = fed.nodes["KAZ"].taxii(live)
    stores = {party: Store(fed.nodes[party]) for party in PEERS}
    try:
        first = indicator("green")  # every peer's first pull: materializes KAZ's whole store
        client.post([first])
        _arrivals(stores, live, first["id"], lambda held: version_of(first) in held,
                  time.monotonic(), patience=600)
        found: dict[str, list[float]] = {"new object": [], "deletion": [],
                                         "declassification": []}
        for _ in range(samples):
            new = indicator("green")
            t0 = time.monotonic()
            client.post_async([new])
            found["new object"] += _arrivals(stores, live, new["id"],
                                             holding(version_of(new)), t0)
            t0 = time.monotonic()
            client.delete(new["id"])
            found["deletion"] += _arrivals(stores, live, new["id"], lambda held: not held, t0)
            red = indicator("red")
            client.post([red])
            green = {**red, "modified": "2026-11-21T10:00:00.000Z",
                     "object_marking_refs": [TLP["green"]]}
            t0 = time.monotonic()
            client.post_async([green])
            found["declassification"] += _arrivals(
                stores, live, red["id"], holding(version_of(green)), t0)
        return {kind: {"n": len(values), "p50_s": pct(values, 0.5), "p99_s": pct(values, 0.99),
                       "max_s": max(values)} for kind, values in found.items()}
    finally:
        client.close()
        for store in stores.values():
            store.close()


def holding(version: str) -> Callable[[set[str]], bool]:
    return lambda held: version in held


def _arrivals(stores: dict[str, Store], collection: str, stix_id: str,
              arrived: Callable[[set[str]], bool], t0: float,
              patience: float = PATIENCE) -> list[float]:
    """Seconds from t0 until each peer's store shows the change (polled every 5 ms)."""
    pending = dict(stores)
    seen: list[float] = []
    while pending:
        if time.monotonic() > t0 + patience:
            raise RuntimeError(f"not within {patience:.0f} s at {sorted(pending)}")
        for party, store in list(pending.items()):
            if arrived(store.versions(collection, stix_id)):
                seen.append(time.monotonic() - t0)
                del pending[party]
        time.sleep(0.005)
    return seen


def signing_cost(count: int) -> dict[str, float]:
    """Microseconds per object: the statement + Ed25519 signature, and its verification."""
    from kelisim.domain.federation.replication import Snapshot, snapshot_statement
    from kelisim.domain.federation.signing import NodeKey, verify

    key = NodeKey.generate()
    public, kid = key.public_key, key.key_id
    digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(count)]
    ids = [f"indicator--{uuid.uuid4()}" for _ in range(count)]
    started = time.perf_counter()
    snapshots = [Snapshot("c", i, 1, (("2026-11-20T10:00:00.000000Z", d),))
                 for i, d in zip(ids, digests, strict=True)]
    signatures = [key.sign(snapshot_statement(kid, "RUS", s)) for s in snapshots]
    signed = time.perf_counter() - started
    started = time.perf_counter()
    ok = all(verify(public, snapshot_statement(kid, "RUS", s), signature)
             for s, signature in zip(snapshots, signatures, strict=True))
    verified = time.perf_counter() - started
    if not ok:
        raise RuntimeError("a signature did not verify")
    return {"sign_us": 1e6 * signed / count, "verify_us": 1e6 * verified / count, "n": count}


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fresh(workdir: Path, name: str) -> Path:
    path = workdir / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- one size ------------------------------------------------------------------------------------

def run_size(workdir: Path, size: int, catch_up: int, samples: int, postgresql: bool,
             references: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"size": size}
    with contextlib.ExitStack() as stack:
        database = (stack.enter_context(postgres(_fresh(workdir, "pg"))) if postgresql
                    else None)
        fed = stack.enter_context(federation(_fresh(workdir, "nodes"), database))
        result.update(sync_phases(fed, size, catch_up))
        kaz, rus = fed.nodes["KAZ"], fed.nodes["RUS"]
        print("  polling loop, kelisim to kelisim ...", flush=True)
        result["polling_kelisim"] = {"rate": polling_loop(
            (f"{kaz.url}/taxii2/api1/collections/{fed.collections['bulk']}/",
             kaz.tokens["analyst"]),
            (f"{rus.url}/taxii2/api1/collections/{fed.collections['polled']}/",
             rus.tokens["analyst"]), size + catch_up)}
        print(f"  propagation to {', '.join(PEERS)}, {samples} of each ...", flush=True)
        result["propagation"] = propagation(fed, samples)
        result["startup_s"] = {n.name: statistics.median(n.startups) for n in fed.all()
                               if n.startups}
    if references:
        print("  polling loop, OpenTAXII to OpenTAXII ...", flush=True)
        try:
            result["polling_opentaxii"] = opentaxii_loop(_fresh(workdir, "otx"), size)
        except Exception as error:  # a reference that cannot run is reported, not fatal
            result["polling_opentaxii"] = {"skipped": f"{type(error).__name__}: {error}"[:300]}
    return result


# --- report --------------------------------------------------------------------------------------

def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, measured, verdict) for each size's figures and issue 14's targets."""
    out: list[tuple[str, str, str]] = []
    for one in results["sizes"]:
        n = f"{one['size']:,}"
        if one.get("error"):
            out.append((f"{n}: run", f"failed: {one['error']}"[:200], "FAIL"))
            continue
        sync, ingest = one["initial_sync"]["rate"], one["receiver_ingest_rate"]
        out.append((f"{n}: initial sync KAZ -> RUS", f"{sync:,.0f} obj/s "
                    f"({one['initial_sync']['seconds']:.1f} s)", ""))
        out.append((f"{n}: receiver's own ingest over TAXII", f"{ingest:,.0f} obj/s", ""))
        out.append((f"{n}: origin's own ingest over TAXII",
                    f"{one['origin_ingest_rate']:,.0f} obj/s", ""))
        out.append((f"{n}: sync >= {SYNC_VS_INGEST:.0%} of the receiver's ingest",
                    f"{sync / ingest:.0%}", verdict(sync / ingest >= SYNC_VS_INGEST)))
        polled = one.get("polling_kelisim", {}).get("rate")
        if polled:
            out.append((f"{n}: taxii2-client loop, kelisim -> kelisim",
                        f"{polled:,.0f} obj/s (sync is {sync / polled:.1f}x)", ""))
        otx = one.get("polling_opentaxii") or {}
        if otx.get("rate"):
            out.append((f"{n}: sync >= {SYNC_VS_POLLING:g}x taxii2-client loop, OpenTAXII -> "
                        "OpenTAXII", f"{sync / otx['rate']:.1f}x ({otx['rate']:,.0f} obj/s)",
                        verdict(sync / otx["rate"] >= SYNC_VS_POLLING)))
        elif otx.get("skipped"):
            out.append((f"{n}: taxii2-client loop, OpenTAXII", str(otx["skipped"]), "-"))
        catch = one["catch_up"]
        needed = CATCH_UP_OBJECTS / CATCH_UP_SECONDS
        out.append((f"{n}: catch-up of {catch['objects']:,} after being stopped",
                    f"{catch['seconds']:.1f} s ({catch['rate']:,.0f} obj/s; 1M in 5 min needs "
                    f"{needed:,.0f})", verdict(catch["rate"] >= needed)
                    + ("" if catch["objects"] >= CATCH_UP_OBJECTS else " (projected)")))
        for kind, lat in one.get("propagation", {}).items():
            out.append((f"{n}: propagation of a {kind} to {len(PEERS)} peers, p50 / p99",
                        f"{lat['p50_s'] * 1000:,.0f} / {lat['p99_s'] * 1000:,.0f} ms "
                        f"(n={lat['n']})", verdict(lat["p99_s"] < PROPAGATION_P99_S)))
    cost = results.get("signing")
    if cost:
        out.append(("sign one object (snapshot_statement + NodeKey.sign)",
                    f"{cost['sign_us']:,.0f} us", ""))
        out.append(("verify one object's signature", f"{cost['verify_us']:,.0f} us", ""))
    return out


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def print_report(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    info = results["machine"]
    console = Console(width=160)
    table = Table(title=f"Federation benchmark, {results['date']}, {info['cpu']}, "
                        f"{info['cores']} cores, receiver on {results['receiver']}")
    for column in ("what", "measured", "target"):
        table.add_column(column, overflow="fold")
    for what, measured, target in rows(results):
        table.add_row(escape(what), escape(measured), target)
    console.print(table)
    console.print("  every node a `kelisim up` process on 127.0.0.1 (one uvicorn process, "
                  "KELISIM_INTAKE_PROCESSES=0, KELISIM_SYNC_INTERVAL=30); the polling loop is "
                  "taxii2-client 2.3.0 as_pages + add_objects(poll_interval=0.05)",
                  highlight=False)
    console.print(f"  load average at start {info.get('load_average_start')}, at end "
                  f"{info.get('load_average_end')}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--quick", action="store_true", help="10k objects, 10 samples")
    parser.add_argument("--catch-up", type=int, default=None,
                        help="objects taken while the receiver is stopped (default N/10)")
    parser.add_argument("--samples", type=int, default=None,
                        help="propagation samples of each kind (default 30; quick 10)")
    parser.add_argument("--postgresql", action="store_true", help="the receiver on PostgreSQL")
    parser.add_argument("--no-opentaxii", action="store_true",
                        help="skip the OpenTAXII polling loop")
    parser.add_argument("--opentaxii-max", type=int, default=100_000,
                        help="largest size at which the OpenTAXII loop runs (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    samples = args.samples or (10 if args.quick else 30)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "receiver": "PostgreSQL 16 (pgserver)" if args.postgresql else "SQLite (WAL)",
        "seed": SEED, "sizes": []}
    workdir = Path(tempfile.mkdtemp(prefix="kelisim-fedbench-"))
    workdir.chmod(0o755)  # pgserver runs PostgreSQL as an unprivileged user when root
    try:
        results["signing"] = signing_cost(20_000)
        for size in sizes:
            catch_up = args.catch_up or max(ENVELOPE_SIZE, size // 10 // ENVELOPE_SIZE
                                            * ENVELOPE_SIZE)
            print(f"{size:,} objects (catch-up {catch_up:,}):", flush=True)
            try:
                results["sizes"].append(run_size(
                    _fresh(workdir, str(size)), size, catch_up, samples, args.postgresql,
                    not args.no_opentaxii and size <= args.opentaxii_max))
            except Exception as error:
                print(f"  FAILED: {error}", flush=True)
                results["sizes"].append({"size": size, "error": f"{type(error).__name__}: "
                                                                f"{error}"[:500]})
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["load_average_end"] = list(os.getloadavg())
    print_report(results)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"federation-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print(f"results: {path}" + (f"; work dir kept: {workdir}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
