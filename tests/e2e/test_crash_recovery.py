"""Crashes lose nothing acknowledged and leave nothing half-written (issue 13, "Done means").

A real `kelisim up` process on a data folder takes a 1,000-object TAXII envelope and is killed
with SIGKILL the moment its 202 arrives, or while the POST is still being processed; started again
on the same folder, every acknowledged object is there, an envelope is stored whole or not at all,
no job is left pending, and the ledger, audit and certification chains verify. A large
`kelisim depositary import` killed midway records all of its entries or none."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kelisim.storage.database import make_engine
from kelisim.storage.schema import exchange_jobs, exchange_objects, exchange_statuses
from tests.conftest import free_port
from tests.e2e.test_kelisim_up import wait_ready
from tests.web.ui_session import PASSWORD, csrf_of, sign_in

pytestmark = pytest.mark.slow

TAXII = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
FOUNDING = ([{"kind": "signature", "party": p, "date": "2013-11-20"}
             for p in ("KAZ", "RUS", "BLR", "ARM")]
            + [{"kind": "notification", "party": party, "received": received,
                "authorized_bodies": [{"name": body}]}
               for party, received, body in (("KAZ", "2014-03-01", "KZ-CERT"),
                                             ("RUS", "2014-04-01", "RU-CERT"),
                                             ("BLR", "2014-05-01", "BY-CERT"))])


def env_for(data_dir: Path, url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "KELISIM_DATA_DIR": str(data_dir), "KELISIM_INTAKE_PROCESSES": "0"}
    env.pop("KELISIM_DATABASE_URL", None)
    if url is not None:
        env["KELISIM_DATABASE_URL"] = url
    return env


def cli(data_dir: Path, *args: str, check: bool = True, url: str | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "kelisim", *args], capture_output=True,
                          text=True, env=env_for(data_dir, url), timeout=300, input=stdin)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def token_in(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.startswith("kls_"))


def start(data_dir: Path, port: int, url: str | None) -> subprocess.Popen[str]:
    """`kelisim up` in a session of its own, so that SIGKILL reaches every process it has."""
    return subprocess.Popen([sys.executable, "-m", "kelisim", "up", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                            env=env_for(data_dir, url), start_new_session=True)


def kill(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group; one that has just ended by itself is not an error (an
    import may finish in the moment between the poll and the kill)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def verify_chains(data_dir: Path, url: str | None = None) -> None:
    for command in (("ledger", "verify"), ("audit", "verify"),
                    ("certification", "verify-ledger")):
        done = cli(data_dir, *command, check=False, url=url)
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def envelope(count: int) -> tuple[list[str], bytes]:
    ids = [f"indicator--{uuid.uuid4()}" for _ in range(count)]
    objects = [{"type": "indicator", "spec_version": "2.1", "id": stix_id,
                "created": "2026-11-20T10:00:00.000Z", "modified": "2026-11-20T10:00:00.000Z",
                "name": f"bad domain {n}", "pattern_type": "stix",
                "pattern": f"[domain-name:value = 'bad{n}.example']",
                "valid_from": "2026-11-20T10:00:00Z", "object_marking_refs": [GREEN]}
               for n, stix_id in enumerate(ids)]
    return ids, json.dumps({"objects": objects}).encode()


def stored_state(url: str, ids: list[str]) -> tuple[int, list[dict[str, Any]], int]:
    """How many of these ids are stored, every status resource, and the jobs left queued."""
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            stored = db.execute(select(func.count()).where(
                exchange_objects.c.stix_id.in_(ids))).scalar_one()
            s = exchange_statuses
            statuses = [dict(zip(("id", "status", "total", "success", "failure", "pending"),
                                 row, strict=True)) for row in db.execute(select(
                s.c.id, s.c.status, s.c.total_count, s.c.success_count, s.c.failure_count,
                s.c.pending_count))]
            jobs = db.execute(select(func.count()).select_from(exchange_jobs)).scalar_one()
    finally:
        engine.dispose()
    return stored, statuses, jobs


class Node:
    """A data folder with a Party analyst and a collection, and its server when it runs."""

    def __init__(self, tmp_path: Path, url: str) -> None:
        self.data_dir, self.url = tmp_path / "data", url
        self.cli("init")
        founding = tmp_path / "founding.json"
        founding.write_text(json.dumps(FOUNDING))
        self.cli("depositary", "import", str(founding))
        self.token = token_in(self.cli("accounts", "add", "KZ analyst", "--role", "analyst",
                                       "--party", "KAZ", "--organization", "KZ-CERT").stdout)
        self.collection = json.loads(self.cli("collections", "add", "Exchange", "--alias",
                                              "main").stdout)["id"]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return cli(self.data_dir, *args, url=self.url, stdin=stdin)

    def verify_chains(self) -> None:
        verify_chains(self.data_dir, self.url)

    def up(self) -> None:
        self.process = start(self.data_dir, self.port, self.url)
        wait_ready(self.base, self.process)

    def kill(self) -> None:
        assert self.process is not None
        kill(self.process)
        self.process = None

    def post(self, body: bytes) -> httpx.Response:
        return httpx.post(f"{self.base}/taxii2/api1/collections/{self.collection}/objects/",
                          content=body, timeout=120,
                          headers={"Authorization": f"Bearer {self.token}", "Accept": TAXII,
                                   "Content-Type": TAXII})

    def status(self, status_id: str) -> dict[str, Any]:
        found = httpx.get(f"{self.base}/taxii2/api1/status/{status_id}/", timeout=30,
                          headers={"Authorization": f"Bearer {self.token}", "Accept": TAXII})
        assert found.status_code == 200, found.text
        return found.json()


@pytest.fixture
def node(tmp_path: Path, database_url: str) -> Any:
    made = Node(tmp_path, database_url)
    yield made
    if made.process is not None:
        kill(made.process)


def settled(node: Node, ids: list[str], earlier: frozenset[str] = frozenset()
            ) -> tuple[int, list[dict[str, Any]]]:
    """After a restart: the worker resumes any queued job; then the envelope must be stored
    whole, with a complete status, or not at all, with none (or one that stored nothing).
    `earlier`: the status ids of earlier posts, left out."""
    deadline = time.monotonic() + 60
    while True:
        stored, statuses, jobs = stored_state(node.url, ids)
        statuses = [s for s in statuses if s["id"] not in earlier]
        pending = [s for s in statuses if s["status"] != "complete"]
        if (not pending and not jobs) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not pending and jobs == 0, (pending, jobs)
    for status in statuses:
        assert status["total"] == status["success"] + status["failure"], status
        assert status["pending"] == 0, status
    assert stored in (0, len(ids)), f"half an envelope stored: {stored} of {len(ids)}"
    if stored:
        assert [s["success"] for s in statuses if s["success"]] == [len(ids)], statuses
    else:
        assert all(s["success"] == 0 for s in statuses), statuses
    return stored, statuses


def test_an_envelope_acknowledged_with_202_survives_sigkill(node: Node) -> None:
    node.up()
    ids, body = envelope(1000)
    answer = node.post(body)
    assert node.process is not None
    os.killpg(node.process.pid, signal.SIGKILL)  # the moment the 202 has arrived
    node.process.wait(timeout=20)
    node.process = None
    assert answer.status_code == 202, answer.text
    acknowledged = answer.json()
    assert acknowledged["status"] == "complete" and acknowledged["success_count"] == 1000
    node.up()
    assert node.status(acknowledged["id"]) == acknowledged
    stored, _ = settled(node, ids)
    assert stored == 1000
    node.kill()
    node.verify_chains()


def test_an_envelope_killed_before_its_status_is_complete_is_stored_whole_or_not_at_all(
        node: Node) -> None:
    node.up()
    _, warm = envelope(1000)
    began = time.monotonic()
    warmed = node.post(warm)  # how long one takes here, to kill inside the next ones
    took = time.monotonic() - began
    assert warmed.status_code == 202, warmed.text
    earlier = {warmed.json()["id"]}
    unanswered = 0
    for fraction in (0.2, 0.5, 0.8, 0.95):
        ids, body = envelope(1000)
        answers: list[httpx.Response | Exception] = []

        def post(body: bytes = body, answers: list[Any] = answers) -> None:
            try:
                answers.append(node.post(body))
            except httpx.HTTPError as error:  # the server died under it
                answers.append(error)

        sender = threading.Thread(target=post)
        sender.start()
        time.sleep(took * fraction)
        node.kill()
        sender.join(timeout=30)
        node.up()
        stored, statuses = settled(node, ids, frozenset(earlier))
        earlier |= {s["id"] for s in statuses}
        answer = answers[0]
        if isinstance(answer, httpx.Response):
            assert answer.status_code == 202, answer.text
            assert stored == 1000  # acknowledged: every object is there
            assert node.status(answer.json()["id"])["success_count"] == 1000
        else:
            unanswered += 1
    assert unanswered, "no round killed the server before it answered"
    node.kill()
    node.verify_chains()


def test_an_upload_queued_before_a_sigkill_is_resumed_after_the_restart(node: Node) -> None:
    """The web UI answers an upload before processing it (a `pending` status and its job,
    committed first): killed right after that answer, the restarted server's worker stores the
    envelope whole."""
    node.cli("accounts", "password", "KZ analyst", stdin=PASSWORD + "\n")
    node.up()
    ids, body = envelope(1000)
    with httpx.Client(base_url=node.base, timeout=120) as browser:
        signed_in = sign_in(browser, "KZ analyst")
        assert signed_in.status_code == 303, signed_in.text[-3000:]
        page = f"/exchange/collections/{node.collection}/submit"
        sent = browser.post(f"/exchange/collections/{node.collection}/upload",
                            data={"csrf_token": csrf_of(browser.get(page))},
                            files={"bundle": ("bundle.json", body, "application/json")})
        node.kill()  # the moment the answer arrives
    assert sent.status_code == 303, sent.text
    status_id = sent.headers["location"].split("/exchange/status/")[1].split("?")[0]
    node.up()
    stored, statuses = settled(node, ids)
    assert stored == 1000
    assert [s["id"] for s in statuses] == [status_id]
    assert node.status(status_id)["success_count"] == 1000
    node.kill()
    node.verify_chains()


def entries_recorded(data_dir: Path) -> int:
    done = cli(data_dir, "ledger", "verify")
    assert done.stdout.startswith("OK: "), done.stdout
    return int(done.stdout.split()[1])


def test_a_large_depositary_import_killed_midway_records_all_or_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    cli(data_dir, "init")
    founding = tmp_path / "founding.json"
    founding.write_text(json.dumps(FOUNDING))
    cli(data_dir, "depositary", "import", str(founding))
    changes = [{"kind": "authorized_bodies_change", "party": "KAZ",
                "changed": f"{2015 + n // 300}-{1 + n % 300 // 25:02d}-{1 + n % 25:02d}",
                "received": f"{2015 + n // 300}-{1 + n % 300 // 25:02d}-{2 + n % 25:02d}",
                "authorized_bodies": [{"name": "KZ-CERT"}, {"name": f"KZ-BODY-{n}"}]}
               for n in range(3000)]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(changes))
    before = entries_recorded(data_dir)
    # How long a whole import takes here, on a copy of the folder.
    rehearsal = tmp_path / "rehearsal"
    shutil.copytree(data_dir, rehearsal)
    began = time.monotonic()
    cli(rehearsal, "depositary", "import", str(big))
    took = time.monotonic() - began
    assert entries_recorded(rehearsal) == before + len(changes)
    killed_midway = 0
    for fraction in (0.5, 0.7, 0.85, 0.95):
        importing = subprocess.Popen([sys.executable, "-m", "kelisim", "depositary", "import",
                                      str(big)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env_for(data_dir),
                                     start_new_session=True)
        time.sleep(took * fraction)
        still_running = importing.poll() is None
        kill(importing)
        after = entries_recorded(data_dir)  # and the chain verifies
        assert after in (before, before + len(changes)), (before, after)
        if after != before:  # it had committed (and not yet exited): all of it
            break
        killed_midway += still_running
    assert killed_midway, "no round killed the import before it committed"
    verify_chains(data_dir)
    if after == before:  # and the same import, run to its end, records all of it
        cli(data_dir, "depositary", "import", str(big))
        assert entries_recorded(data_dir) == before + len(changes)
