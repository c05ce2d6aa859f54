"""TAXII 2.1 benchmark: kelisim (SQLite, PostgreSQL) against medallion and OpenTAXII.

    python bench/taxii.py [--sizes 10000,100000,1000000] [--only kelisim-sqlite,...] [--quick]

Why: issue 4 ("Performance") sets kelisim's targets as ratios to the reference servers measured
in the same run, on this machine, one server at a time, same workload, same client. This script
starts each server on 127.0.0.1 (see taxii_servers.py), drives the workload of
taxii_workload.py through one plain httpx client speaking TAXII 2.1 (media type
``application/taxii+json;version=2.1``), and grows each store through the sizes:

* ingest: 1,000-object envelopes POSTed one after the other, each polled on its status resource
  until ``complete`` (TAXII 2.1 section 4.3); the rate "at N stored" is that of the last 10
  envelopes before the store reaches N; the envelope latency is POST to status complete;
* full GET: every object of the collection, 1,000 a page, following ``next`` (or, for a server
  that says ``more`` without ``next``, ``added_after`` = the page's X-TAXII-Date-Added-Last);
  three passes (as many as fit in the read budget), the median rate reported;
* ``match[id]`` point GETs of random stored ids, and ``added_after`` pages (limit 100) after
  random moments of the ingest: p50 and p99;
* for kelisim, once the largest size is reached: the same latencies side by side with a second
  server whose store is rebuilt to the smallest size, requests to each in turn, so that the
  flatness ratios are not ratios of this VM's speed minutes apart (see ``side_by_side``);
* at the end, kelisim and OpenTAXII all started at once on stores rebuilt to 100k, full GET
  passes one server after the other in rounds, for the full GET ratio (``full_get_in_turn``).

Plus a "raw SQLite insert" line: the same rows inserted with executemany (WAL,
synchronous=FULL), at the start of the run and, for the ratio at 100k, again right after each
kelisim server's window to 100k (``raw_in_turn``). Every loop is bounded by a count and a
time budget; a phase over budget is printed as "skipped (over N min)". Results go to
bench/results/ as JSON; docs/benchmarks.md says how to read them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from taxii_report import machine, print_report, write_json
from taxii_servers import SERVERS, TAXII, Server
from taxii_workload import ENVELOPE_SIZE, envelope, sample_ids

WINDOW = 10  # envelopes: the ingest rate "at N stored" is measured over the last 10 before N
FULL_GET_PASSES = 3  # a full read takes about a second at 100k: one pass measures the VM's mood
SEED = 20131120
ORDER = ["kelisim-sqlite", "kelisim-postgresql", "opentaxii", "medallion"]


@dataclass
class Budget:
    ingest_s: float
    read_s: float
    point_count: int


@dataclass
class Phase:
    """One measured phase: its numbers, or why it was not measured."""

    values: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**self.values, "skipped": self.skipped}


class OverBudget(Exception):
    pass


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Driver:
    """The one TAXII 2.1 client, driving one server through every size."""

    def __init__(self, server: Server, budget: Budget) -> None:
        self.server = server
        self.budget = budget
        self.client = httpx.Client(headers={"Accept": TAXII, **server.headers},
                                   auth=server.auth, timeout=60)
        self.stored = 0
        self.envelopes = 0
        self.marks: list[str] = []  # a moment just before each envelope was POSTed
        self.window: list[tuple[int, float]] = []
        self.rng = random.Random(SEED)
        # Set when a request was abandoned at its timeout: the server may still be working on
        # it, so anything measured afterwards would be slowed by it and is not measured.
        self.busy: str | None = None
        self.objects_url, self.status_url = self._discover()

    def _discover(self) -> tuple[str, str]:
        """Discovery -> default API root -> the collection titled "bench" (sections 4.1-5.1)."""
        discovery = self._get(self.server.base_url).json()
        root = urljoin(self.server.base_url, discovery.get("default") or
                       discovery["api_roots"][0])
        if not root.endswith("/"):
            root += "/"
        collections = self._get(root + "collections/").json().get("collections", [])
        chosen = [c for c in collections if c.get("title") == "bench" and c.get("can_write")]
        if not chosen:
            raise RuntimeError(f"no writable collection 'bench' at {root}: {collections}")
        return f"{root}collections/{chosen[0]['id']}/objects/", f"{root}status/"

    def _get(self, url: str, params: dict[str, Any] | None = None,
             timeout: float = 60) -> httpx.Response:
        response = self.client.get(url, params=params, timeout=timeout)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} {params}: HTTP {response.status_code} "
                               f"{response.text[:300]}")
        return response

    # --- ingest -------------------------------------------------------------------------------

    def grow(self, target: int) -> Phase:
        """POST envelopes until ``target`` objects are stored, within the ingest budget."""
        needed = (target - self.stored + ENVELOPE_SIZE - 1) // ENVELOPE_SIZE
        if self.window:
            rate = self.window_rate()
            projected = needed * ENVELOPE_SIZE / rate
            if projected > self.budget.ingest_s:
                return Phase({"stored": self.stored, "last_rate": rate},
                             f"skipped (over {self.budget.ingest_s / 60:.0f} min: projected "
                             f"{projected / 60:.0f} min at {rate:,.0f} obj/s)")
        deadline = time.monotonic() + self.budget.ingest_s
        latencies: list[float] = []
        failures = 0
        failure_example = None
        started = time.perf_counter()
        for _ in range(needed):
            if time.monotonic() > deadline:
                return Phase({"stored": self.stored, "last_rate": self.window_rate()},
                             f"skipped (over {self.budget.ingest_s / 60:.0f} min at "
                             f"{self.stored:,} stored)")
            elapsed, status = self.post_next(deadline)
            latencies.append(elapsed)
            self.window = [*self.window[-(WINDOW - 1):], (ENVELOPE_SIZE, elapsed)]
            bad = int(status.get("failure_count", 0))
            if bad:
                failures += bad
                failure_example = failure_example or (status.get("failures") or [None])[0]
        total = time.perf_counter() - started
        return Phase({"stored": self.stored, "rate_at_size": self.window_rate(),
                      "rate_step": len(latencies) * ENVELOPE_SIZE / total,
                      "envelope_p50_ms": 1000 * pct(latencies, 0.5),
                      "envelope_p99_ms": 1000 * pct(latencies, 0.99),
                      "failed_objects": failures, "failure_example": failure_example})

    def replay(self, envelopes: int) -> None:
        """Post the workload's next ``envelopes`` envelopes, untimed: to rebuild a fresh
        server's store (after a restart, or for the side-by-side and in-turn phases)."""
        deadline = time.monotonic() + self.budget.ingest_s
        for _ in range(envelopes):
            if time.monotonic() > deadline:
                raise OverBudget(f"rebuilding a store took over "
                                 f"{self.budget.ingest_s / 60:g} min")
            elapsed, _status = self.post_next(deadline)
            self.window = [*self.window[-(WINDOW - 1):], (ENVELOPE_SIZE, elapsed)]

    def post_next(self, deadline: float) -> tuple[float, dict[str, Any]]:
        """POST the next envelope of the workload until its status is complete: the seconds
        from POST to complete, and the status."""
        body = orjson.dumps({"objects": envelope(SEED, self.envelopes)})
        self.marks.append(stamp(datetime.now(UTC)))
        t0 = time.perf_counter()
        status = self._post(body, deadline)
        elapsed = time.perf_counter() - t0
        self.envelopes += 1
        self.stored += int(status.get("success_count", 0))
        return elapsed, status

    def timed_get(self, params: dict[str, Any]) -> float:
        t0 = time.perf_counter()
        self._get(self.objects_url, params, timeout=self.budget.read_s).json()
        return time.perf_counter() - t0

    def window_rate(self) -> float:
        return sum(n for n, _ in self.window) / sum(t for _, t in self.window)

    def _post(self, body: bytes, deadline: float) -> dict[str, Any]:
        try:
            response = self.client.post(self.objects_url, content=body,
                                        headers={"Content-Type": TAXII},
                                        timeout=max(5.0, deadline - time.monotonic()))
        except httpx.TimeoutException as timeout:
            raise OverBudget("a POST was still running at the end of the ingest budget, "
                             f"{self.stored:,} stored") from timeout
        if response.status_code not in (200, 202):
            raise RuntimeError(f"POST envelope: HTTP {response.status_code} "
                               f"{response.text[:500]}")
        status: dict[str, Any] = response.json()
        pause = 0.002
        for _ in range(100_000):
            if status.get("status") == "complete":
                return status
            if time.monotonic() > deadline:
                raise OverBudget("status still pending at the end of the ingest budget")
            time.sleep(pause)
            pause = min(pause * 1.5, 0.05)
            status = self._get(f"{self.status_url}{status['id']}/").json()
        raise OverBudget("status never complete")

    # --- reads --------------------------------------------------------------------------------

    def _over(self) -> str:
        return f"skipped (over {self.budget.read_s / 60:g} min)"

    def _abandon(self) -> str:
        self.busy = "skipped (server still busy with an abandoned request)"
        return f"skipped (one request over {self.budget.read_s / 60:g} min)"

    def full_get(self) -> Phase:
        """Every object, 1,000 a page, FULL_GET_PASSES times (a pass is started only if it can
        end within the budget at the first pass's pace); the rate is the passes' median."""
        deadline = time.monotonic() + self.budget.read_s
        passes: list[dict[str, Any]] = []
        for _ in range(FULL_GET_PASSES):
            if passes and time.monotonic() + passes[0]["seconds"] > deadline:
                break
            one = self.full_get_pass(deadline)
            if one.skipped:
                if not passes:
                    return one
                break
            passes.append(one.values)
        rates = [p["rate"] for p in passes]
        return Phase({**passes[-1], "rate": statistics.median(rates), "rates": rates})

    def full_get_pass(self, deadline: float) -> Phase:
        """One full read; the budget is checked between pages."""
        params: dict[str, Any] = {"limit": 1000}
        count, pages, via = 0, 0, "next"
        started = time.perf_counter()
        for _ in range(self.stored // 1000 + 100):
            if time.monotonic() > deadline:
                return Phase({"objects": count, "rate_partial": count / self.budget.read_s},
                             self._over())
            try:
                response = self._get(self.objects_url, params, timeout=self.budget.read_s)
            except httpx.TimeoutException:
                return Phase({"objects": count}, self._abandon())
            page = response.json()
            count += len(page.get("objects", []))
            pages += 1
            if not page.get("more"):
                break
            if page.get("next"):
                params = {"limit": 1000, "next": page["next"]}
            else:
                via = "added_after"
                params = {"limit": 1000,
                          "added_after": response.headers["X-TAXII-Date-Added-Last"]}
        elapsed = time.perf_counter() - started
        return Phase({"objects": count, "pages": pages, "seconds": elapsed,
                      "rate": count / elapsed, "complete": count == self.stored, "via": via})

    def match_id(self) -> Phase:
        ids = sample_ids(SEED, self.envelopes, self.budget.point_count, self.rng)
        return self._latencies([{"match[id]": i} for i in ids], expect_one=True)

    def added_after(self) -> Phase:
        marks = [self.rng.choice(self.marks) for _ in range(self.budget.point_count)]
        return self._latencies([{"added_after": m, "limit": 100} for m in marks],
                               expect_one=False)

    def _latencies(self, queries: list[dict[str, Any]], expect_one: bool) -> Phase:
        """Time each query in turn; the budget is checked between requests."""
        deadline = time.monotonic() + self.budget.read_s
        samples: list[float] = []
        empty = 0
        skipped = self._over()
        for params in queries:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            try:
                page = self._get(self.objects_url, params, timeout=self.budget.read_s).json()
            except httpx.TimeoutException:
                skipped = self._abandon()
                break
            samples.append(time.perf_counter() - t0)
            found = page.get("objects", [])
            if not found or (expect_one and found[0]["id"] != params["match[id]"]):
                empty += 1
        values: dict[str, Any] = {"n": len(samples), "planned": len(queries),
                                  "empty_answers": empty}
        if samples:
            values.update(p50_ms=1000 * pct(samples, 0.5), p99_ms=1000 * pct(samples, 0.99))
        if len(samples) < len(queries):
            if not samples:
                return Phase(values, skipped)
            values["partial"] = f"{len(samples)} of {len(queries)} within the budget"
        return Phase(values, None)

    def close(self) -> None:
        self.client.close()


SIDE_ENVELOPES = 10  # envelopes POSTed to each store side by side (the small one grows by 10k)
SIDE_BLOCK = 10
"""GETs to one store before turning to the other: a server woken for every single request
(one request each in turn) answered ~1 ms slower, adding the same constant to both sides."""


def _in_turn(drivers: tuple[Driver, Driver], queries: list[list[dict[str, Any]]],
             deadline: float) -> tuple[list[float], list[float]]:
    """Each driver's GETs timed, `SIDE_BLOCK` to one store, then `SIDE_BLOCK` to the other."""
    timed: tuple[list[float], list[float]] = ([], [])
    for start in range(0, max(len(q) for q in queries), SIDE_BLOCK):
        if time.monotonic() > deadline:
            break
        for driver, asked, out in zip(drivers, queries, timed, strict=True):
            out.extend(driver.timed_get(q) for q in asked[start:start + SIDE_BLOCK])
    return timed


def side_by_side(name: str, workdir: Path, large: Driver, small_size: int,
                 budget: Budget) -> dict[str, Any]:
    """The per-request latencies of the grown store and of a fresh store of ``small_size``,
    measured in the same minutes, in turn.

    Why: the sizes are measured one after the other, the largest some ten minutes after the
    smallest, and this virtual machine's speed drifts by up to 30 % over such spans; a ratio of
    two latencies measured minutes apart then measures the drift as much as the server. Here a
    second server of the same kind is started on a store rebuilt to ``small_size`` (the same
    envelopes, untimed), and the requests alternate between the two, so that both see the
    same machine. GETs go in blocks of ``SIDE_BLOCK`` to each in turn, envelopes one to each in
    turn: the next ones of each store (the small store grows from ``small_size`` by
    ``SIDE_ENVELOPES`` thousand)."""
    deadline = time.monotonic() + budget.read_s
    with SERVERS[name](_fresh(workdir, name, 99)) as server, \
            closing(Driver(server, budget)) as small:
        small.replay(small_size // ENVELOPE_SIZE)
        large_size = large.stored
        drivers = (large, small)
        samples: dict[str, tuple[list[float], list[float]]] = {}
        samples["match_id"] = _in_turn(drivers, [
            [{"match[id]": i} for i in sample_ids(SEED, d.envelopes, budget.point_count, d.rng)]
            for d in drivers], deadline)
        samples["added_after"] = _in_turn(drivers, [
            [{"added_after": d.rng.choice(d.marks), "limit": 100}
             for _ in range(budget.point_count)] for d in drivers], deadline)
        samples["envelope"] = ([], [])
        for _ in range(SIDE_ENVELOPES):
            for d, out in zip(drivers, samples["envelope"], strict=True):
                out.append(d.post_next(deadline + budget.ingest_s)[0])
        return {"small_store": small_size, "large_store": large_size,
                **{f"{phase}_{which}_{q}_ms": 1000 * pct(values[n], quantile)
                   for phase, values in samples.items() if values[0]
                   for n, which in enumerate(("large", "small"))
                   for q, quantile in (("p50", 0.5), ("p99", 0.99))},
                "samples": {phase: len(values[0]) for phase, values in samples.items()}}


IN_TURN_SIZE = 100_000  # the full GET ratio's size (issue 4 compares at 100k)
IN_TURN_ROUNDS = 5  # a round is one pass of each server: ~1 s for kelisim, ~7 s for OpenTAXII


def full_get_in_turn(names: list[str], workdir: Path, budget: Budget) -> dict[str, Any]:
    """Full GET passes of every server, one pass each in turn, all stores at the same size.

    Why: the full GET target is a ratio between servers, and each server's own full GET is
    measured when its turn comes, minutes or a quarter of an hour after the others', on a VM
    whose speed drifts by a third over such spans (26 November, 08:38 UTC: kelisim's phases
    fell in a slow spell and OpenTAXII's did not). Here every server is started at once on a
    store rebuilt to ``IN_TURN_SIZE`` (the same envelopes, untimed), and the passes go round,
    each server idle while another is read, so that each ratio compares passes minutes apart at
    most."""
    rates: dict[str, list[float]] = {name: [] for name in names}
    with ExitStack() as stack:
        drivers = {}
        for name in names:
            server = stack.enter_context(SERVERS[name](_fresh(workdir, f"{name}-turn", 0)))
            driver = stack.enter_context(closing(Driver(server, budget)))
            print(f"  full GET in turn: rebuilding {name} to {IN_TURN_SIZE:,} ...", flush=True)
            driver.replay(IN_TURN_SIZE // ENVELOPE_SIZE)
            drivers[name] = driver
        for round_number in range(IN_TURN_ROUNDS):
            order = names[round_number % len(names):] + names[:round_number % len(names)]
            for name in order:
                one = drivers[name].full_get_pass(time.monotonic() + budget.read_s)
                if one.skipped or not one.values.get("complete"):
                    return {"size": IN_TURN_SIZE, "rates": rates,
                            "skipped": f"{name}: {one.skipped or 'incomplete'}"}
                rates[name].append(one.values["rate"])
    return {"size": IN_TURN_SIZE, "rates": rates, "skipped": None,
            "median": {name: statistics.median(r) for name, r in rates.items()}}


def drive(name: str, workdir: Path, sizes: list[int], budget: Budget) -> dict[str, Any]:
    """Every size in turn for one server; a size not reached skips the larger ones.

    A server left busy by an abandoned request is restarted for the next size, in a fresh
    working directory, and its store rebuilt by re-posting the same envelopes (untimed), so
    that the next growth step is measured on an idle server.
    """
    result: dict[str, Any] = {"notes": [], "sizes": {}}
    with ExitStack() as stack:
        server = stack.enter_context(SERVERS[name](_fresh(workdir, name, 0)))
        result["notes"] = list(server.notes)
        driver = stack.enter_context(closing(Driver(server, budget)))
        for restarts, size in enumerate(sizes, start=1):
            entry: dict[str, Any] = {}
            result["sizes"][str(size)] = entry
            try:
                if driver.busy:
                    previous = driver
                    stack.close()
                    print(f"  {name}: restarting, rebuilding {previous.stored:,} objects ...",
                          flush=True)
                    server = stack.enter_context(SERVERS[name](_fresh(workdir, name, restarts)))
                    driver = stack.enter_context(closing(Driver(server, budget)))
                    driver.replay(previous.envelopes)
                    result["notes"].append(
                        f"restarted before {size:,} (a request had been abandoned); store "
                        f"rebuilt to {driver.stored:,} by re-posting the same envelopes, untimed")
                print(f"  {name}: growing to {size:,} ...", flush=True)
                ingest = driver.grow(size)
            except OverBudget as over:
                rate = driver.window_rate() if driver.window else None
                ingest = Phase({"stored": driver.stored, "last_rate": rate}, f"skipped ({over})")
            entry["ingest"] = ingest.as_dict()
            if ingest.skipped:
                break
            if name.startswith("kelisim") and size == IN_TURN_SIZE:
                entry["raw_in_turn"] = {"rate_at_size": raw_in_turn(workdir, size)}
            # Cheapest first: a reference whose request runs past the budget is abandoned, and
            # what comes after it on that server is not measured (see Driver.busy).
            for phase_name, phase in (("match_id", driver.match_id),
                                      ("added_after", driver.added_after),
                                      ("full_get", driver.full_get)):
                print(f"  {name}: {phase_name} at {driver.stored:,} ...", flush=True)
                entry[phase_name] = (Phase({}, driver.busy) if driver.busy else phase()).as_dict()
        reached = [int(s) for s, e in result["sizes"].items() if not e["ingest"]["skipped"]]
        if name.startswith("kelisim") and len(reached) > 1 and not driver.busy:
            print(f"  {name}: side by side, {max(reached):,} and {min(reached):,} stored ...",
                  flush=True)
            result["side_by_side"] = side_by_side(name, workdir, driver, min(reached), budget)
    return result


def _fresh(workdir: Path, name: str, number: int) -> Path:
    path = workdir / f"{name}-{number}"
    path.mkdir(parents=True, exist_ok=True)
    return path


RAW_NOTE = ("rows (collection, id, type, spec_version, modified, date_added, raw JSON); primary "
            "key (collection, id, modified), index (collection, date_added); one transaction "
            "per 1,000 rows; timed: executemany + COMMIT")


def _raw_db(path: Path) -> Any:
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS objects (collection TEXT NOT NULL, id TEXT NOT NULL, "
               "type TEXT NOT NULL, spec_version TEXT NOT NULL, modified TEXT, "
               "date_added INTEGER NOT NULL, raw BLOB NOT NULL, "
               "PRIMARY KEY (collection, id, modified))")
    db.execute("CREATE INDEX IF NOT EXISTS objects_added ON objects (collection, date_added)")
    return db


def _raw_batch(db: Any, number: int) -> float:
    """Insert envelope ``number``'s rows in one transaction; the seconds it took."""
    now = time.time_ns() // 1000
    rows = [("bench", o["id"], o["type"], o["spec_version"], o.get("modified"), now + i,
             orjson.dumps(o)) for i, o in enumerate(envelope(SEED, number))]
    t0 = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    return time.perf_counter() - t0


def raw_sqlite(sizes: list[int], workdir: Path) -> dict[str, Any]:
    """The floor: the rows a TAXII store needs, executemany into SQLite (WAL, FULL)."""
    db = _raw_db(workdir / "raw.db")
    result: dict[str, Any] = {"notes": [RAW_NOTE], "sizes": {}}
    stored, number = 0, 0
    window: list[float] = []
    for size in sizes:
        while stored < size:
            window = [*window[-(WINDOW - 1):], _raw_batch(db, number)]
            stored += ENVELOPE_SIZE
            number += 1
        result["sizes"][str(size)] = {"ingest": {"stored": stored, "skipped": None,
                                                 "rate_at_size": len(window) * ENVELOPE_SIZE
                                                 / sum(window)}}
    db.close()
    return result


def raw_in_turn(workdir: Path, size: int) -> float:
    """The raw insert's rate over its last ``WINDOW`` batches to ``size``, timed now: right
    after a kelisim server's own window to ``size``, so that the two rates of the "within 3x"
    ratio are seconds apart, not the quarter of an hour between the raw line (measured first)
    and a server's growth. The store before the window is built once, untimed, and copied."""
    first = size // ENVELOPE_SIZE - WINDOW
    base = workdir / f"raw-{size}-base.db"
    if not base.exists():
        db = _raw_db(base)
        for number in range(first):
            _raw_batch(db, number)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    copy = workdir / f"raw-{size}-turn.db"
    for stale in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(base, copy)
    with copy.open("rb+") as written:  # on disk before timing: the first checkpoint's fsync
        os.fsync(written.fileno())     # would otherwise flush the whole copy
    db = _raw_db(copy)
    seconds = [_raw_batch(db, number) for number in range(first, first + WINDOW)]
    db.close()
    return WINDOW * ENVELOPE_SIZE / sum(seconds)


def validate_sample() -> str:
    """Check the workload once with the OASIS validator (stix2-validator), refuse if invalid."""
    from stix2validator import ValidationOptions, validate_instance

    options = ValidationOptions(version="2.1")
    sample = envelope(SEED, 0)
    errors = [r for r in (validate_instance(o, options) for o in sample) if not r.is_valid]
    if errors:
        raise SystemExit(f"workload is not valid STIX 2.1: {errors[0].errors[0]}")
    return f"{len(sample)} objects of envelope 0 valid under stix2-validator"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--only", default=",".join(ORDER),
                        help="comma-separated: " + ", ".join(ORDER))
    parser.add_argument("--quick", action="store_true", help="10k only, short budgets")
    parser.add_argument("--ingest-budget-min", type=float, default=None,
                        help="time budget of one growth step per server (default 15; quick 3)")
    parser.add_argument("--read-budget-min", type=float, default=None,
                        help="time budget of one read phase (default 3; quick 0.5)")
    parser.add_argument("--points", type=int, default=200, help="point GETs per phase")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SERVERS)
    if unknown:
        parser.error(f"unknown server(s) {sorted(unknown)}; choose from {ORDER}")
    budget = Budget(ingest_s=60 * (args.ingest_budget_min or (3 if args.quick else 15)),
                    read_s=60 * (args.read_budget_min or (0.5 if args.quick else 3)),
                    point_count=args.points)
    results: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                               "machine": machine(), "sizes": sizes, "seed": SEED,
                               "budget": vars(budget), "servers": {}}
    print(validate_sample(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="kelisim-bench-"))
    try:
        print("raw SQLite insert ...", flush=True)
        results["raw_sqlite"] = raw_sqlite(sizes, workdir)
        for name in [n for n in ORDER if n in only]:
            print(f"{name}: starting", flush=True)
            started = time.monotonic()
            try:
                results["servers"][name] = drive(name, workdir, sizes, budget)
            except Exception as error:  # a server that fails is reported, the others still run
                results["servers"][name] = {"error": f"{type(error).__name__}: {error}",
                                            "sizes": {}}
                print(f"{name}: FAILED: {error}", flush=True)
            results["servers"][name]["wall_seconds"] = time.monotonic() - started
        in_turn = [n for n in ORDER if n in only and n != "medallion"]
        if "opentaxii" in in_turn and len(in_turn) > 1 and IN_TURN_SIZE in sizes:
            print("full GET in turn ...", flush=True)
            try:
                results["full_get_in_turn"] = full_get_in_turn(in_turn, workdir, budget)
            except Exception as error:
                results["full_get_in_turn"] = {"skipped": f"{type(error).__name__}: {error}"}
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["load_average_end"] = list(os.getloadavg())
    print_report(results)
    path = write_json(results)
    print(f"results: {path}" + (f"; work dir kept: {workdir}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
