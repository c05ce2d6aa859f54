"""A 200 MB workspace document uploaded and downloaded through a real server process, with the
server's resident memory watched (issue 15's target: RSS grows by less than 50 MB).

One command: ``PYTHONPATH=src python bench/workspace_documents.py [--mb 200]``. It makes a node
in a temporary folder with kelisim's own CLI (SQLite), starts ``kelisim up`` in its own process
group, proposes a project, warms the routes with a small upload, then streams a generated PDF
of ``--mb`` MiB as multipart/form-data (chunked: neither side holds the file), downloads it and
checks the SHA-256, sampling the server's VmRSS (/proc/<pid>/status) every 20 ms throughout.
It prints a table: throughput each way, the baseline and peak RSS, the growth against the target.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.taxii_servers import PARTY, REPO, free_port, process, run

TARGET_MB = 50.0
CHUNK = 1024 * 1024
BOUNDARY = "kelisimbench"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Watch(threading.Thread):
    """The peak VmRSS of a process, sampled until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, rss_kb(pid), threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            self.peak = max(self.peak, rss_kb(self.pid))


def body(mb: int, digest: hashlib._Hash) -> Iterator[bytes]:
    """A multipart body around a PDF of `mb` MiB, generated chunk by chunk."""
    dash = f"--{BOUNDARY}\r\n".encode()
    for name, value in (("title", "Bench model law"), ("language", "en")):
        yield dash + f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    yield dash + b'Content-Disposition: form-data; name="file"; filename="bench.pdf"\r\n' \
                 b"Content-Type: application/pdf\r\n\r\n"
    block = bytes(range(256)) * (CHUNK // 256)
    head = b"%PDF-1.7\n"
    digest.update(head)
    yield head
    for _ in range(mb):
        digest.update(block)
        yield block
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def wait_health(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /health")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kelisim-docbench-") as folder:
        work = Path(folder)
        log = work / "server.log"
        env = {**os.environ, "KELISIM_DATA_DIR": str(work / "data"),
               "KELISIM_MAX_DOCUMENT_BYTES": str((args.mb + 10) * CHUNK),
               "PYTHONPATH": str(REPO / "src")}
        env.pop("KELISIM_DATABASE_URL", None)
        cli = [sys.executable, "-m", "kelisim"]
        run([*cli, "init"], log, env)
        run([*cli, "depositary", "import", str(REPO / "examples" / "illustrative-history.json")],
            log, env)
        token = run([*cli, "accounts", "add", "bench-analyst", "--role", "analyst", "--party",
                     PARTY, "--organization", "National Security Committee (fictional entry)"],
                    log, env).split()[-1]
        port = free_port()
        with process([*cli, "up", "--port", str(port)], log, env=env, cwd=work) as proc:
            base = f"http://127.0.0.1:{port}"
            wait_health(f"{base}/health")
            print(measure(base, token, proc.pid, args.mb))


def measure(base: str, token: str, pid: int, mb: int) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as http:
        pid_project = http.post("/api/v1/workspace/projects", json={
            "kind": "project", "title": "Bench", "directions": [1]}).json()["id"]
        api = f"/api/v1/workspace/projects/{pid_project}/documents"
        warm = http.post(api, data={"title": "warm", "language": "en"},
                         files={"file": ("warm.pdf", b"%PDF-1.4\n" + b"0" * 100_000)})
        warm.raise_for_status()
        http.get(f"{api}/{warm.json()['id']}/versions/1/file").raise_for_status()
        baseline = rss_kb(pid)
        watch = Watch(pid)
        watch.start()
        sent = hashlib.sha256()
        started = time.perf_counter()
        made = http.post(api, content=body(mb, sent), headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}"})
        up_s = time.perf_counter() - started
        made.raise_for_status()
        doc = made.json()
        received = hashlib.sha256()
        started = time.perf_counter()
        with http.stream("GET", f"{api}/{doc['id']}/versions/1/file") as got:
            got.raise_for_status()
            for chunk in got.iter_bytes(CHUNK):
                received.update(chunk)
        down_s = time.perf_counter() - started
        watch.stopped.set()
        watch.join()
    same = sent.hexdigest() == received.hexdigest() == doc["versions"][0]["sha256"]
    growth = (watch.peak - baseline) / 1024
    verdict = "PASS" if growth < TARGET_MB and same else "FAIL"
    rows = [("file", f"{mb} MiB PDF, multipart, chunked"),
            ("upload", f"{up_s:.1f} s ({mb / up_s:.0f} MiB/s)"),
            ("download", f"{down_s:.1f} s ({mb / down_s:.0f} MiB/s)"),
            ("SHA-256 sent = stored = downloaded", "yes" if same else "NO"),
            ("server RSS before", f"{baseline / 1024:.1f} MB"),
            ("server RSS peak", f"{watch.peak / 1024:.1f} MB"),
            ("RSS growth (target < 50 MB)", f"{growth:.1f} MB  {verdict}")]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"| {name.ljust(width)} | {value} |" for name, value in rows)


if __name__ == "__main__":
    main()
