"""Analyst benchmark (issue 16): full-text search, correlation lookups, and what the indexes
cost at intake, in one process against a real database.

    python bench/analyst.py --quick                 # 100k objects, SQLite
    python bench/analyst.py                         # 100k and 1M objects, SQLite (long)
    python bench/analyst.py --sizes 100000 --postgresql

Why: issue 16 ("Done means") asks for search and lookup latencies at 100k and 1M stored objects
(p50 < 10 ms, p99 < 50 ms for a correlation lookup; p99 < 100 ms for a full-text search at
1M), and for the ingest rate with the analyst's indexes on as a ratio to the rate without
them *in the same run* (target >= 0.8). Everything goes through kelisim's own services
(`intake`, `search.search_objects`, `correlation.search_value` / `where_else`), in this
process, as the API, the UI and the CLI call them; HTTP is bench/taxii.py's subject.

For each size N, in a fresh database (the exchange of tests/exchange_support.py: four Parties,
their bodies, one collection), on SQLite or, with --postgresql, on a throwaway PostgreSQL:

* **load**: N objects of bench/taxii_workload.py (1,000-object envelopes posted by KAZ's
  analyst through the intake, indexes on), obj/s over the whole load;
* **full-text search**: as RUS's analyst, each kind of query `--repeat` times: a rare token
  (one object), a malware family word (~0.8% of objects), a technique phrase, a prefix, a
  common word (most indicators and malware) alone and with a type filter, a pattern value;
  first page (50), p50/p99 ms;
* **correlation**: `search_value` for IP addresses, domains and hashes drawn from the stored
  indicators' patterns, and `where_else` for stored indicators; p50/p99 ms;
* **ingest ratio**: then, into a second collection, rounds of three envelopes in random order,
  one each with no index, with the correlation index only, and with both (correlation and
  full-text); obj/s per mode over all rounds, and the ratios.

The modes are switched by replacing the batch's two index writers with no-ops (benchmark only).
Results go to bench/results/analyst-*.json; docs/benchmarks.md ("Analyst") reads them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from taxii_report import RESULTS, machine  # noqa: E402
from taxii_workload import ENVELOPE_SIZE, FAMILIES, TECHNIQUES, envelope  # noqa: E402
from tests.conftest import TODAY, Node  # noqa: E402
from tests.exchange_support import Exchange, setup_exchange  # noqa: E402

from kelisim.config import Settings  # noqa: E402
from kelisim.domain.clock import FixedClock  # noqa: E402
from kelisim.domain.stix.observables import observables  # noqa: E402
from kelisim.domain.stix.warning_lists import warning_index  # noqa: E402
from kelisim.services.bootstrap import initialize  # noqa: E402
from kelisim.services.exchange import batch, collections, correlation, intake, search  # noqa: E402
from kelisim.services.runtime import Runtime, build_runtime  # noqa: E402
from kelisim.storage import analyst_indexes as indexes_module  # noqa: E402

SEED = 20131120
TARGETS = {"lookup_p50_ms": 10.0, "lookup_p99_ms": 50.0, "search_p99_ms": 100.0,
           "ingest_ratio": 0.8}
MODES = ("off", "correlation", "both")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def post(rt: Runtime, ex: Exchange, collection_id: str, objects: list[dict[str, Any]]) -> None:
    status_id = intake.accept_envelope(rt, ex.principals["kz"], collection_id,
                                       orjson.dumps({"objects": objects}))
    intake.process_job(rt, status_id)
    status = intake.get_status(rt, ex.principals["kz"], status_id)
    if status["failure_count"]:
        raise SystemExit(f"the workload was refused: {status['failures'][:1]}")


@contextmanager
def indexes(mode: str) -> Iterator[None]:
    """The batch writes both indexes ("both"), the correlation index only, or none ("off")."""
    saved = indexes_module.insert_index, indexes_module.insert_text, batch.warnings_for
    if mode in ("off", "correlation"):
        indexes_module.insert_text = lambda *_args: None  # type: ignore[assignment]
    if mode == "off":  # "on" checks each value against the MISP warning lists too (item 5)
        indexes_module.insert_index = lambda *_args: None  # type: ignore[assignment]
        batch.warnings_for = lambda _values: []  # type: ignore[assignment]
    try:
        yield
    finally:
        indexes_module.insert_index, indexes_module.insert_text, batch.warnings_for = saved


def database(postgresql: bool, folder: Path, size: int) -> tuple[str, Callable[[], None]]:
    if not postgresql:
        return f"sqlite:///{folder / f'analyst-{size}.db'}", lambda: None
    import pgserver
    from sqlalchemy import create_engine, make_url, text

    from kelisim.storage.database import normalize_url

    pgdata = Path(tempfile.mkdtemp(prefix="kelisim-bench-pg-"))
    pgdata.chmod(0o755)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    admin_url = normalize_url(server.get_uri())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE kelisim_analyst"))
    admin.dispose()
    # pgserver's address names its socket folder in the query (`?host=/tmp/...`): the database
    # is set on the parsed URL, not by editing the string.
    url = make_url(admin_url).set(database="kelisim_analyst").render_as_string(False)
    return url, server.cleanup


def queries(rng: random.Random, envelopes: int) -> dict[str, list[tuple[str, Any]]]:
    """Query kinds -> (query, filters) samples drawn from the stored workload."""
    rare, values, indicator_ids, ips = [], [], [], []
    for number in rng.sample(range(envelopes), k=min(envelopes, 20)):
        for obj in envelope(SEED, number):
            if obj["type"] != "indicator":
                continue
            indicator_ids.append(obj["id"])
            rare.append(obj["id"][-12:])
            for found in observables(obj):
                values.append((found.value, _family(found.kind)))
                if found.kind == "ipv4-addr" and "/" not in found.value:
                    ips.append(found.value)
    none = search.Filters()
    malware_only = search.Filters(types=("malware",))
    return {
        "rare token (1 object)": [(r, none) for r in rng.sample(rare, k=50)],
        "family word (~0.8%)": [(f, none) for f in FAMILIES],
        "technique phrase": [(f'"{t.split(" for ")[0]}"', none) for t in TECHNIQUES],
        "prefix (stepp*, kettle*...)": [(f[:5].lower() + "*", none) for f in FAMILIES],
        "common word (fictional)": [("fictional", none)],
        "common word + type=malware": [("fictional", malware_only)],
        "IP address as text": [(ip, none) for ip in rng.sample(ips, k=min(50, len(ips)))],
        **{f"_values {family}": [(v, None) for v, f in values if f == family][:200]
           for family in ("IP address or network", "domain, URL or e-mail", "hash or file name")},
        "_objects": [(i, None) for i in rng.sample(indicator_ids, k=50)],
    }


def _family(kind: str) -> str:
    if kind in ("ipv4-addr", "ipv6-addr"):
        return "IP address or network"
    if kind in ("domain-name", "url", "email-addr"):
        return "domain, URL or e-mail"
    return "hash or file name"


def measure(size: int, postgresql: bool, repeat: int, rounds: int,
            folder: Path) -> dict[str, Any]:
    url, stop = database(postgresql, folder, size)
    try:
        rt = build_runtime(Settings(database_url=url, data_dir=folder), clock=FixedClock(TODAY))
        admin = initialize(rt)
        assert admin is not None
        ex = setup_exchange(Node(rt, FixedClock(TODAY), admin["token"]))
        envelopes = max(1, size // ENVELOPE_SIZE)
        start = time.perf_counter()
        for number in range(envelopes):
            post(rt, ex, ex.collection_id, envelope(SEED, number))
            if number % 10 == 9:
                print(f"  {size:,}: {(number + 1) * ENVELOPE_SIZE:,} objects stored",
                      file=sys.stderr)
        load_rate = envelopes * ENVELOPE_SIZE / (time.perf_counter() - start)
        result: dict[str, Any] = {"size": size, "database": "postgresql" if postgresql
                                  else "sqlite", "load_obj_s": round(load_rate),
                                  "search": {}, "correlation": {}}
        rng = random.Random(SEED)
        drawn = queries(rng, envelopes)
        ru = ex.principals["ru"]
        for kind, samples in drawn.items():
            if kind.startswith("_"):
                continue
            p50, p99, hits = searched(rt, ru, samples, repeat)
            result["search"][kind] = {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                                      "hits_per_page": round(statistics.mean(hits), 1)}
        for kind, samples in drawn.items():
            if not kind.startswith("_values") or not samples:
                continue
            values = iter(samples * (repeat // len(samples) + 1))
            p50, p99 = timed(lambda values=values: correlation.search_value(  # type: ignore[misc]
                rt, ru, next(values)[0]), repeat)
            result["correlation"][f"value: {kind.split(' ', 1)[1]}"] = {
                "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}
        objects = iter(drawn["_objects"] * (repeat // len(drawn["_objects"]) + 1))
        p50, p99 = timed(lambda: correlation.where_else(rt, ru, "main", next(objects)[0]),
                         repeat)
        result["correlation"]["where else (one object)"] = {"p50_ms": round(p50, 2),
                                                            "p99_ms": round(p99, 2)}
        result["ingest"] = ratio(rt, ex, envelopes, rounds, rng)
        rt.close()
        return result
    finally:
        stop()


def searched(rt: Runtime, reader: Any, samples: list[tuple[str, Any]],
             repeat: int) -> tuple[float, float, list[int]]:
    cycle = iter(samples * (repeat // len(samples) + 1))
    hits: list[int] = []

    def one() -> None:
        q, filters = next(cycle)
        hits.append(len(search.search_objects(rt, reader, q, filters).hits))

    p50, p99 = timed(one, repeat)
    return p50, p99, hits


def ratio(rt: Runtime, ex: Exchange, first: int, rounds: int,
          rng: random.Random) -> dict[str, Any]:
    """Rounds of one envelope per mode, in random order, into a second collection."""
    second = collections.create_collection(rt, ex.admin, title="ratio", alias="ratio")
    spent = dict.fromkeys(MODES, 0.0)
    number = first
    for _ in range(rounds):
        for mode in rng.sample(MODES, k=len(MODES)):
            objects = envelope(SEED, number)
            number += 1
            with indexes(mode):
                start = time.perf_counter()
                post(rt, ex, second.id, objects)
                spent[mode] += time.perf_counter() - start
    rates = {mode: rounds * ENVELOPE_SIZE / spent[mode] for mode in MODES}
    return {"rounds": rounds, **{f"{mode}_obj_s": round(rates[mode]) for mode in MODES},
            "ratio_both_to_off": round(rates["both"] / rates["off"], 3),
            "ratio_both_to_correlation": round(rates["both"] / rates["correlation"], 3)}


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n{r['size']:,} stored objects, {r['database']} "
                     f"(loaded at {r['load_obj_s']:,} obj/s with both indexes)")
        lines.append(f"  {'measurement':<38} {'p50 ms':>8} {'p99 ms':>8}  target")
        for kind, m in r["search"].items():
            target = f"p99 < {TARGETS['search_p99_ms']:.0f} ms (at 1M)"
            verdict = "PASS" if m["p99_ms"] < TARGETS["search_p99_ms"] else "FAIL"
            lines.append(f"  search: {kind:<30} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f}  "
                         f"{target} {verdict}  ({m['hits_per_page']} hits/page)")
        for kind, m in r["correlation"].items():
            verdict = "PASS" if m["p50_ms"] < TARGETS["lookup_p50_ms"] and \
                m["p99_ms"] < TARGETS["lookup_p99_ms"] else "FAIL"
            lines.append(f"  correlation {kind:<26} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f}  "
                         f"p50 < 10, p99 < 50 ms {verdict}")
        i = r["ingest"]
        verdict = "PASS" if i["ratio_both_to_off"] >= TARGETS["ingest_ratio"] else "FAIL"
        lines.append(f"  ingest, {i['rounds']} rounds of 1,000 per mode: no index "
                     f"{i['off_obj_s']:,} obj/s, correlation {i['correlation_obj_s']:,}, "
                     f"both {i['both_obj_s']:,}")
        lines.append(f"  ingest ratio both/none {i['ratio_both_to_off']:.3f} (target >= 0.8: "
                     f"{verdict}); full-text alone (both/correlation) "
                     f"{i['ratio_both_to_correlation']:.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k objects on SQLite")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--repeat", type=int, default=200, help="samples per measurement")
    warning_index()  # the lists are read once per process (seconds): not part of any figure
    parser.add_argument("--rounds", type=int, default=10, help="ingest-ratio rounds")
    args = parser.parse_args()
    sizes = [100_000] if args.quick else args.sizes
    folder = Path(tempfile.mkdtemp(prefix="kelisim-analyst-"))
    results = [measure(size, args.postgresql, args.repeat, args.rounds, folder)
               for size in sizes]
    print(table(results))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"analyst-{stamp}.json"
    out.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
