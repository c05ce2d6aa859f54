"""Two real `kelisim up` processes on one PostgreSQL, one of them with two workers, are one
service: a session opened on one is honoured by the other, sign-in failures on both count against
one budget, and /metrics sums the workers' counts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kelisim.cli import app as cli_app
from tests.conftest import TEMPLATE_DB, free_port, new_postgres_database
from tests.e2e.test_kelisim_up import read_token, stop, wait_ready
from tests.web.ui_session import PASSWORD, csrf_of, sign_in

pytestmark = pytest.mark.slow

METRICS_TOKEN = "scrape-me-please-0123456789"
ADMIN = "Depositary administrator"
EN = {"Accept-Language": "en"}


def start(url: str, data_dir: Path, port: int, *options: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KELISIM_DATA_DIR": str(data_dir), "KELISIM_DATABASE_URL": url,
           "KELISIM_METRICS_TOKEN": METRICS_TOKEN, "KELISIM_INTAKE_PROCESSES": "0"}
    return subprocess.Popen([sys.executable, "-m", "kelisim", "up", "--port", str(port),
                             *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


@pytest.fixture
def two_nodes(postgres_server_url: str, postgres_template: str,
              tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = new_postgres_database(postgres_server_url, TEMPLATE_DB)
    first_port, second_port = free_port(), free_port()
    first = start(url, tmp_path / "a", first_port)
    second = None
    try:
        read_token(first)
        wait_ready(f"http://127.0.0.1:{first_port}", first)
        second = start(url, tmp_path / "b", second_port, "--workers", "2")
        wait_ready(f"http://127.0.0.1:{second_port}", second)
        result = CliRunner().invoke(cli_app, ["--database-url", url, "accounts", "password",
                                              ADMIN], input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        yield f"http://127.0.0.1:{first_port}", f"http://127.0.0.1:{second_port}"
    finally:
        stop(first)
        if second is not None:
            output = stop(second)
            assert "Traceback" not in output, output


def test_a_session_opened_on_one_process_is_honoured_by_the_other_and_its_workers(
        two_nodes: tuple[str, str]) -> None:
    first, second = two_nodes
    with httpx.Client(base_url=first, timeout=10) as on_first:
        assert sign_in(on_first, ADMIN).status_code == 303
        cookies = dict(on_first.cookies)
    for _ in range(6):  # fresh connections, so that both workers of the second answer
        with httpx.Client(base_url=second, timeout=10, cookies=cookies) as on_second:
            page = on_second.get("/depositary")
            assert page.status_code == 200, page.headers.get("location")
    with httpx.Client(base_url=second, timeout=10, cookies=cookies) as on_second:
        token = csrf_of(on_second.get("/depositary"))
        signed_out = on_second.post("/signout", data={"csrf_token": token})
        assert signed_out.status_code == 303
    with httpx.Client(base_url=first, timeout=10, cookies=cookies) as on_first:
        assert on_first.get("/depositary").status_code == 303  # the session ended everywhere


def test_sign_in_failures_on_both_processes_count_against_one_budget(
        two_nodes: tuple[str, str]) -> None:
    first, second = two_nodes
    spellings = ["1", "01", ADMIN, "001", "0001"]  # the first account is account 1
    for number, spelling in enumerate(spellings):
        with httpx.Client(base_url=(first, second)[number % 2], timeout=10, headers=EN) as client:
            assert "password is wrong" in sign_in(client, spelling, "a wrong guess!").text
    for base in (first, second):
        with httpx.Client(base_url=base, timeout=10, headers=EN) as client:
            assert sign_in(client, ADMIN).status_code == 429  # even the right password waits


def test_metrics_sum_the_workers_and_need_the_token(two_nodes: tuple[str, str]) -> None:
    _, second = two_nodes
    for _ in range(8):
        with httpx.Client(base_url=second, timeout=10) as client:
            assert client.get("/status/parties/KAZ").status_code == 303
    assert httpx.get(f"{second}/metrics").status_code == 401
    scraped = httpx.get(f"{second}/metrics",
                        headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    lines = scraped.text.splitlines()
    counted = [line for line in lines if line.startswith("kelisim_http_requests_total{")
               and 'route="/status/parties/{code}"' in line and 'status="303"' in line]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) == 8.0, counted
    assert "kelisim_intake_queue_depth 0.0" in lines
    assert 'kelisim_ledger_head_seq{chain="depositary"} 0.0' in lines
