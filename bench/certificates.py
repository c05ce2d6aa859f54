"""Benchmark of the certification registry: `python bench/certificates.py` prints a table.

100,000 certificates across 11 schemes (one per Party), each Party in force recognising every
other scheme (80 arrangements), loaded through the real CSV import (CCRA layout, all or
nothing); then verification queries (`verify_certificate`: certificate, scheme, arrangements,
Parties' states) and search pages (filters + prefix full text + keyset cursor) through the
service functions the API calls, on SQLite and on PostgreSQL (a throwaway server started by the
`pgserver` wheel, as the tests do). Reference (issue 5): verification p50/p99 < 5 ms on SQLite,
search pages < 20 ms.

Options: `--certificates N` (default 100000), `--queries N` (default 2000), `--backend
sqlite|postgresql|both`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kelisim.config import Settings
from kelisim.domain.certification.ccra import COLUMNS, EXTENDED, us_date, write_csv
from kelisim.domain.certification.schemes import CATEGORY_LABELS
from kelisim.domain.clock import FixedClock
from kelisim.services import accounts, depositary
from kelisim.services.bootstrap import initialize
from kelisim.services.certification import catalogue, recording, verification
from kelisim.services.runtime import Runtime, build_runtime
from kelisim.storage.database import normalize_url

PARTIES = ["ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UKR", "UZB"]
IN_FORCE = ["ARM", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "UZB"]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EALS = [f"EAL{n}" for n in range(1, 8)]
WORDS = ["Alatau", "Steppe", "Nomad", "Baikal", "Caspian", "Pamir", "Tengri", "Altai", "Aral",
         "Orion", "Vector", "Sentinel", "Bastion", "Citadel", "Aegis", "Falcon", "Argus",
         "Kestrel", "Granite", "Quartz", "Zenith", "Polaris", "Helix", "Cobalt", "Titan"]
KINDS = ["Firewall", "Gateway", "Crypto Module", "Antivirus", "IDS Sensor", "SIEM",
         "Access Manager", "Token", "VPN", "DLP Agent"]
CATEGORIES = ["firewall", "firewall", "cryptographic_tool", "anti_malware",
              "intrusion_detection", "siem", "access_control", "smart_card", "network_device",
              "data_protection"]


def setup(rt: Runtime) -> None:
    admin = accounts.authenticate(rt, initialize(rt)["token"])  # type: ignore[index]
    history: list[dict] = [{"kind": "signature", "party": p, "date": "2013-11-20"}
                           for p in PARTIES]
    history += [{"kind": "notification", "party": p,
                 "received": (date(2014, 3, 1) + timedelta(days=10 * i)).isoformat(),
                 "authorized_bodies": [{"name": f"{p} body"}]} for i, p in enumerate(IN_FORCE)]
    depositary.record_entries(rt, admin, history)
    for party in PARTIES:
        recording.record_scheme(rt, admin, {
            "key": f"{party}-CS", "party": party, "name": f"{party} certification scheme",
            "documents": [{"key": "CC-3.1", "title": "Common Criteria", "scale": EALS},
                          {"key": f"{party}-NAT", "title": "National requirements",
                           "scale": ["6", "5", "4", "3", "2", "1"]}],
            "public_fields": ["product", "vendor", "category"]})
    for recognising in IN_FORCE:
        for recognised in PARTIES:
            if recognised != recognising:
                recording.record_arrangement(rt, admin, {
                    "key": f"{recognising}-{recognised}", "name": "bench",
                    "recognising_scheme": f"{recognising}-CS",
                    "recognised_scheme": f"{recognised}-CS",
                    "caps": [{"document": "CC-3.1", "level": "EAL4"},
                             {"document": "CC-3.1", "level": "EAL7",
                              "technical_domain": "smart_cards"}],
                    "valid_from": "2015-01-01", "recognition_period_months": 60})


def registry_csv(party: str, count: int, start: int, rng: random.Random) -> str:
    rows = []
    for i in range(start, start + count):
        issued = date(2018, 1, 1) + timedelta(days=rng.randint(0, 3100))
        category = rng.choice(CATEGORIES)
        rows.append([CATEGORY_LABELS[category],
                     f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i % 97}",
                     f"{rng.choice(WORDS)} {rng.choice(['Labs', 'Soft', 'Systems', 'Group'])}",
                     f"{party}-CS", rng.choice(EALS[:5]), "", us_date(issued),
                     us_date(issued + timedelta(days=5 * 365)), "", "", "", "", "", "",
                     f"{party}-{i:06d}", f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
                     us_date(issued + timedelta(days=5 * 365)),
                     "smart_cards" if category == "smart_card" else "", ""])
    return write_csv((*COLUMNS, *EXTENDED), rows)


def timed(calls: list[Callable[[], object]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def run(url: str, backend: str, total: int, queries: int) -> dict[str, object]:
    rt = build_runtime(Settings(database_url=url, data_dir=Path(tempfile.mkdtemp())),
                       clock=FixedClock(NOW))
    setup(rt)
    operator = accounts.authenticate(rt, accounts.create_account(
        rt, None, name="bench", role="depositary", organization_kind="depositary")["token"])
    rng = random.Random(5)
    per_scheme = total // len(PARTIES)
    files = {p: registry_csv(p, per_scheme + (total % len(PARTIES) if p == PARTIES[-1] else 0),
                             i * per_scheme, rng) for i, p in enumerate(PARTIES)}
    started = time.perf_counter()
    imported = sum(catalogue.import_csv(rt, operator, f"{p}-CS", body)["imported"]
                   for p, body in files.items())
    import_seconds = time.perf_counter() - started
    with rt.unit_of_work() as uow:  # fresh planner statistics, as after any bulk load
        uow.connection.execute(text("ANALYZE"))
        uow.commit()
    numbers = [f"{p}-{i * per_scheme + j:06d}" for i, p in enumerate(PARTIES)
               for j in range(0, per_scheme, 97)]
    verify_calls = [
        (lambda n=rng.choice(numbers), party=rng.choice(PARTIES),
         on=date(2018, 1, 1) + timedelta(days=rng.randint(0, 4000)):
         verification.verify_certificate(rt, operator, n, party, on))
        for _ in range(queries)]
    verify_calls[0]()  # warm the connection pool
    verify_ms = timed(verify_calls)
    today_ms = timed([(lambda n=rng.choice(numbers), party=rng.choice(PARTIES):
                       verification.verify_certificate(rt, operator, n, party, NOW.date()))
                      for _ in range(queries)])
    search_calls = []
    for _ in range(max(queries // 4, 50)):
        filters = rng.choice([
            {"text": rng.choice(WORDS)[:4].lower()},
            {"text": f"{rng.choice(WORDS)} {rng.choice(KINDS).split()[0]}"},
            {"category": rng.choice(CATEGORIES), "party": rng.choice(PARTIES)},
            {"state": "valid", "on": date(2022, 6, 1), "party": rng.choice(PARTIES)},
            {"requirement": "CC-3.1", "level": rng.choice(EALS[:5]),
             "scheme": f"{rng.choice(PARTIES)}-CS"},
            {},
        ])
        search_calls.append(lambda f=filters: catalogue.search_certificates(
            rt, operator, limit=50, **f))
        first = catalogue.search_certificates(rt, operator, limit=50, **filters)
        if first["next"]:
            search_calls.append(lambda f=filters, c=first["next"]: catalogue.search_certificates(
                rt, operator, limit=50, cursor=c, **f))
    search_ms = timed(search_calls)
    rt.close()
    return {"backend": backend, "certificates": imported,
            "import": f"{imported / import_seconds:,.0f} rows/s ({import_seconds:.1f} s)",
            "verify_p50": percentile(verify_ms, 50), "verify_p99": percentile(verify_ms, 99),
            "today_p50": percentile(today_ms, 50), "today_p99": percentile(today_ms, 99),
            "verifications": len(verify_ms),
            "search_p50": percentile(search_ms, 50), "search_p99": percentile(search_ms, 99),
            "pages": len(search_ms)}


def postgres_url(workdir: Path) -> tuple[str, Callable[[], None]]:
    import pgserver

    server = pgserver.get_server(workdir / "pgdata", cleanup_mode="stop")
    admin_url = normalize_url(server.get_uri())
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS kelisim_bench"))
        conn.execute(text("CREATE DATABASE kelisim_bench"))
    engine.dispose()
    url = make_url(admin_url).set(database="kelisim_bench").render_as_string(False)
    return url, server.cleanup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        if args.backend in ("sqlite", "both"):
            results.append(run(f"sqlite:///{Path(workdir) / 'bench.db'}", "SQLite",
                               args.certificates, args.queries))
        if args.backend in ("postgresql", "both"):
            url, stop = postgres_url(Path(workdir))
            try:
                results.append(run(url, "PostgreSQL 16", args.certificates, args.queries))
            finally:
                stop()
    print_table(results)


def print_table(results: list[dict[str, object]]) -> None:
    header = ("backend", "certificates", "CSV import", "verify today p50/p99",
              "verify any date p50/p99", "search page p50", "search page p99")
    rows = [(str(r["backend"]), f"{r['certificates']:,}", str(r["import"]),
             f"{r['today_p50']:.2f} / {r['today_p99']:.2f} ms",
             f"{r['verify_p50']:.2f} / {r['verify_p99']:.2f} ms",
             f"{r['search_p50']:.2f} ms", f"{r['search_p99']:.2f} ms") for r in results]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print(f"\nReference (issue 5): verification p50/p99 < 5 ms on SQLite; search pages < 20 ms. "
          f"Verifications: {results[0]['verifications']} for today and as many on random dates "
          f"2018-2028 (each new date computes the Parties' states once); search pages: "
          f"{results[0]['pages']} (first pages and keyset next pages).", file=sys.stdout)


if __name__ == "__main__":
    main()
