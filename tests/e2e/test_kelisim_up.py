"""`kelisim up` as a new user runs it: a real process, a data folder, a token, real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port


def start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "KELISIM_DATA_DIR": str(data_dir)}
    env.pop("KELISIM_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "kelisim", "up", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("kelisim up did not start serving")


def read_token(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("kls_"):
            return line.strip()
    raise AssertionError("no token printed")


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=20)
    return output


def test_up_creates_the_data_folder_prints_a_token_serves_and_restarts_losing_nothing(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = start(data_dir, port)
    try:
        token = read_token(first)
        wait_ready(base, first)
        headers = {"Authorization": f"Bearer {token}"}
        recorded = httpx.post(f"{base}/api/v1/depositary/entries", headers=headers,
                              json={"kind": "signature", "party": "KAZ", "date": "2013-11-20"})
        assert recorded.status_code == 201
    finally:
        stop(first)
    assert (data_dir / "kelisim.db").exists()
    second = start(data_dir, port)
    try:
        wait_ready(base, second)
        status = httpx.get(f"{base}/api/v1/status", params={"on": "2014-01-01"},
                           headers=headers).json()
        kaz = next(p for p in status["parties"] if p["party"] == "KAZ")
        assert kaz["state"] == "signatory"
    finally:
        output = stop(second)
    assert "kls_" not in output, "a second start must not print a new token"
