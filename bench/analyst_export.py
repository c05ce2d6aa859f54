"""Export benchmark (issue 16, "Done means": an export of 100k indicators, objects/s and RSS).

    python bench/analyst_export.py --quick        # 10k indicators, SQLite
    python bench/analyst_export.py                # 100k indicators, SQLite
    python bench/analyst_export.py --sizes 100000 --database-url postgresql+psycopg://...

Why: an analyst's sensor feed or MISP sync exports every indicator it may read; the export must
stream (memory flat whatever the size) and keep up. For each size N, in a fresh node (the same
set-up the tests use: three Parties in force, one collection), N GREEN indicators of mixed
kinds (IP, domain, URL, SHA-256: a quarter each) are posted through the normal intake (10,000
an envelope, untimed), then each format is exported in this process as an analyst of another
Party (`services.exchange.exports.export_objects`, pages of 500), the output counted and
dropped. Measured: indicators/s over the whole export, the process's RSS before it and its peak
during it (sampled every 10 ms by psutil), and the output's size. Prints a table; the bench
helper bench/analyst.py covers the other rows of the issue (correlation, search, ingest).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.conftest import TODAY  # noqa: E402
from tests.exchange_support import founding_history, indicator  # noqa: E402

from kelisim.config import Settings  # noqa: E402
from kelisim.domain.clock import FixedClock  # noqa: E402
from kelisim.services import accounts, depositary  # noqa: E402
from kelisim.services.bootstrap import initialize  # noqa: E402
from kelisim.services.exchange import collections, intake  # noqa: E402
from kelisim.services.exchange.exports import ExportFilter, export_objects  # noqa: E402
from kelisim.services.runtime import build_runtime  # noqa: E402

FORMATS = ("csv", "suricata", "stix", "misp")


def pattern(i: int) -> str:
    kind = i % 4
    if kind == 0:
        return f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']"
    if kind == 1:
        return f"[domain-name:value = 'h{i}.bench.example']"
    if kind == 2:
        return f"[url:value = 'http://u{i}.bench.example/p?i={i}']"
    return f"[file:hashes.'SHA-256' = '{i:064x}']"


def node(size: int, database_url: str | None, folder: Path) -> tuple[Any, Any]:
    settings = Settings(data_dir=folder, database_url=database_url, intake_processes=0)
    rt = build_runtime(settings, clock=FixedClock(TODAY))
    admin_token = initialize(rt)["token"]  # type: ignore[index]
    admin = accounts.authenticate(rt, admin_token)
    depositary.record_entries(rt, admin, founding_history())
    made = {}
    for key, party, body in (("kz", "KAZ", "KZ-CERT"), ("ru", "RUS", "RU-CERT")):
        created = accounts.create_account(rt, admin, name=f"{key} analyst", role="analyst",
                                          organization_kind="authorized_body", party=party,
                                          organization=body)
        made[key] = accounts.authenticate(rt, created["token"])
    found = collections.create_collection(rt, admin, title="Exchange", alias="main")
    for start in range(0, size, 10_000):
        objects = [{**indicator(f"n{i}", stix_id=f"indicator--{uuid.UUID(int=i + 1, version=4)}"),
                    "pattern": pattern(i)} for i in range(start, min(size, start + 10_000))]
        status = intake.accept_envelope(rt, made["kz"], found.id,
                                        orjson.dumps({"objects": objects}))
        intake.process_job(rt, status)
        done = intake.get_status(rt, made["kz"], status)
        assert done["success_count"] == len(objects), str(done)[:500]
    return rt, made["ru"]


def measure(rt: Any, reader: Any, fmt: str, size: int) -> dict[str, Any]:
    process = psutil.Process()
    before = process.memory_info().rss
    peak = [before]
    running = True

    def sample() -> None:
        while running:
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    written = 0
    for chunk in export_objects(rt, reader, fmt, ExportFilter(collection="main")).chunks:
        written += len(chunk)
    took = time.perf_counter() - started
    running = False
    sampler.join()
    return {"format": fmt, "indicators": size, "seconds": took, "per_s": size / took,
            "rss_before_mb": before / 2**20, "rss_peak_mb": peak[0] / 2**20,
            "output_mb": written / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k indicators")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--formats", nargs="*", default=list(FORMATS))
    args = parser.parse_args()
    sizes = args.sizes or ([10_000] if args.quick else [100_000])
    print("| indicators | format | seconds | indicators/s | RSS before (MiB) | "
          "RSS peak (MiB) | output (MiB) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            rt, reader = node(size, args.database_url, Path(folder))
            try:
                for fmt in args.formats:
                    r = measure(rt, reader, fmt, size)
                    print(f"| {size:,} | {fmt} | {r['seconds']:.1f} | {r['per_s']:,.0f} | "
                          f"{r['rss_before_mb']:.0f} | {r['rss_peak_mb']:.0f} | "
                          f"{r['output_mb']:.1f} |", flush=True)
            finally:
                rt.close()


if __name__ == "__main__":
    main()
