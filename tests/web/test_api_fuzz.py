"""A bounded schemathesis run over the whole documented API (issue 13 "Done means", issue 17).

schemathesis (the real tool, as a subprocess, from its own command line) reads
/api/openapi.json of a live node and sends what it generates - examples, boundary values,
random and NUL-bearing strings, stateful sequences - with a depositary's token and random path
ids, then with an analyst's token and ids pinned to a collection, an object and a Party that
exist, so that the requests reach the stores. Every answer must be no 500, of a documented
status and media type, and match the documented schema. The summary of each run is printed,
and on failure the whole report is the assertion message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import indicator, setup_exchange

pytestmark = pytest.mark.slow

TAXII = "application/taxii+json;version=2.1"
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
EXAMPLES = 8


def schemathesis(base_url: str, token: str, config: Path, report: Path) -> tuple[int, str]:
    command = [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
               "--config-file", str(config), "--no-color", "run",
               f"{base_url}/api/openapi.json", "--header", f"Authorization: Bearer {token}",
               "--checks", CHECKS, "--max-examples", str(EXAMPLES), "--seed", "2013",
               "--generation-deterministic", "--workers", "1",
               "--report", "junit", "--report-dir", str(report)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          cwd=report.parent)  # its cache (.schemathesis/) stays out of the tree
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(("who", "pinned"), [("depositary", False), ("kz", True)],
                         ids=["depositary-random-ids", "analyst-existing-ids"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
        live_server: LiveServer, tmp_path: Path, who: str, pinned: bool) -> None:
    exchange = setup_exchange(live_server.node)
    shared = indicator("shared indicator")
    posted = httpx.post(
        f"{live_server.base_url}/taxii2/api1/collections/{exchange.collection_id}/objects/",
        json={"objects": [shared]}, timeout=30,
        headers={"Authorization": f"Bearer {exchange.tokens['kz']}", "Accept": TAXII,
                 "Content-Type": TAXII})
    assert posted.status_code == 202, posted.text
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.collection_id" = "{exchange.collection_id}"\n'
        f'"path.key" = "{exchange.collection_id}"\n'
        f'"path.object_id" = "{shared["id"]}"\n'
        '"path.party" = "KAZ"\n' if pinned else "")
    code, output = schemathesis(live_server.base_url, exchange.tokens[who], config,
                                tmp_path / "report")
    summary = output[output.find("Test cases:"):].splitlines()[:2]
    print(f"\nschemathesis as {who} ({'existing' if pinned else 'random'} ids): "
          + " ".join(line.strip() for line in summary))
    assert code == 0, output
    assert "generated" in output and " passed" in output, output
