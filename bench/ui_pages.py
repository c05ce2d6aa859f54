"""How fast the web UI's pages are with many STIX objects stored: `python bench/ui_pages.py`.

Builds a SQLite node (or PostgreSQL with `--backend postgresql`, a throwaway server from the
`pgserver` wheel), loads the fictional example history, a collection with `--objects` indicators
(default 100,000; issue 6 asks for 1,000,000: `--objects 1000000`) stored through the exchange's
own batch intake, serves kelisim on loopback with uvicorn, signs an analyst in, and times each
main page over HTTP (client-side, so an upper bound of server time). Reference: issue 6's target
of 200 ms per page, and `/health` (the framework's floor) measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kelisim.config import Settings
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS
from kelisim.services import accounts, depositary
from kelisim.services.bootstrap import initialize
from kelisim.services.exchange import collections
from kelisim.services.exchange.intake import store_objects
from kelisim.services.runtime import build_runtime
from kelisim.services.signin import set_password
from kelisim.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "illustrative-history.json"
PASSWORD = "bench password 1"
TARGET_MS = 200.0
TLPS = ["clear", "green", "amber", "red"]


def object_id(i: int) -> str:
    """A deterministic, valid UUIDv4 (STIX 2.1 §2.9) for the i-th object."""
    return f"indicator--{uuid.UUID(int=(i + 1) * 0x9E3779B97F4A7C15 % (1 << 128), version=4)}"


def indicator(i: int) -> dict[str, Any]:
    tlp = TLPS[i % len(TLPS)]
    stamp = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000Z"
    obj: dict[str, Any] = {
        "type": "indicator", "spec_version": "2.1", "id": object_id(i),
        "created": stamp, "modified": stamp, "name": f"bench indicator {i}",
        "pattern_type": "stix", "pattern": f"[ipv4-addr:value = '10.{i % 250}.{i % 199}.1']",
        "valid_from": stamp, "object_marking_refs": [TLP_MARKING_IDS[tlp]],
        "extensions": {KELISIM_EXTENSION_ID: {
            "extension_type": "property-extension", "art3_directions": [1 + i % 19],
            "threat_class": "information_crime",
            **({"recipients": {"parties": ["KAZ"]}} if tlp in ("amber", "red") else {})}},
    }
    return obj


def build(settings: Settings, objects: int) -> tuple[Any, str]:
    rt = build_runtime(settings)
    initialize(rt)
    operator = accounts.authenticate(rt, accounts.create_account(
        rt, None, name="bench depositary", role="depositary",
        organization_kind="depositary")["token"])
    depositary.record_entries(rt, operator, json.loads(EXAMPLE.read_text())["entries"])
    analyst = accounts.create_account(rt, None, name="bench analyst", role="analyst",
                                      organization_kind="authorized_body", party="KAZ")
    set_password(rt, None, str(analyst["id"]), PASSWORD)
    collection = collections.create_collection(rt, operator, title="Bench collection")
    with Progress() as progress:
        task = progress.add_task(f"storing {objects:,} objects", total=objects)
        for start in range(0, objects, 1000):
            batch = [indicator(i) for i in range(start, min(start + 1000, objects))]
            with rt.unit_of_work() as uow:
                _, failures = store_objects(rt, uow.connection, collection.id, batch,
                                            party="KAZ", account_id=analyst["id"])
                if failures:
                    raise SystemExit(f"the bench's own objects failed: {failures[:2]}")
                uow.commit()
            progress.advance(task, len(batch))
    return rt, collection.id


def serve(rt: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    server = uvicorn.Server(uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def sign_in(client: httpx.Client) -> None:
    page = client.get("/signin").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/signin", data={"csrf_token": token, "account": "bench analyst",
                                            "password": PASSWORD, "next": "/status"})
    if response.status_code != 303:
        raise SystemExit(f"sign-in failed: HTTP {response.status_code}")


def timed(client: httpx.Client, path: str, repeat: int) -> tuple[float, float, int]:
    samples, status = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kelisim-bench-ui-"))
    database_url = None
    if args.backend == "postgresql":
        import pgserver

        folder.chmod(0o755)
        database_url = pgserver.get_server(folder / "pg", cleanup_mode="stop").get_uri()
    rt, collection_id = build(Settings(data_dir=folder, database_url=database_url), args.objects)
    server, thread, base = serve(rt)
    pages = [("/health (floor)", "/health"), ("status", "/status"),
             ("status on a date", "/status?on=2016-06-01"), ("agreement", "/agreement"),
             ("party", "/status/parties/KAZ"), ("exchange", "/exchange"),
             ("objects, first page", f"/exchange/collections/{collection_id}"),
             ("objects, TLP amber", f"/exchange/collections/{collection_id}?tlp=amber"),
             ("objects, direction 7",
              f"/exchange/collections/{collection_id}?direction=7"),
             ("one object", f"/exchange/collections/{collection_id}/objects/"
                            f"{object_id(args.objects // 2)}"),
             ("certification search", "/certification")]
    table = Table(f"page ({args.objects:,} objects, {args.backend})", "p50 ms", "p99 ms",
                  "HTTP", f"under {TARGET_MS:.0f} ms")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            sign_in(client)
            for label, path in pages:
                p50, p99, status = timed(client, path, args.repeat)
                table.add_row(label, f"{p50:.1f}", f"{p99:.1f}", str(status),
                              "yes" if p99 < TARGET_MS and status == 200 else "NO")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        rt.close()
    Console().print(table)


if __name__ == "__main__":
    main()
