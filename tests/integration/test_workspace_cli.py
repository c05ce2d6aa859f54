"""`kelisim workspace ...` on both databases: propose, add a stage, consent, record a cost, as a
named account; a refusal is one line citing the article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kelisim.domain.errors import PermissionDenied

EXAMPLE = Path(__file__).parents[2] / "examples" / "illustrative-history.json"


def test_a_project_from_the_console(cli) -> None:  # type: ignore[no-untyped-def]
    cli("depositary", "import", str(EXAMPLE))
    cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
        "--organization", "KZ-CERT")
    cli("accounts", "add", "kz reader", "--role", "reader", "--party", "KAZ",
        "--organization", "KZ-CERT")
    code, out, _ = cli("workspace", "propose", "Threat catalogue", "--as", "kz analyst",
                       "--direction", "9", "--direction", "1")
    assert code == 0, out
    pid = json.loads(out)["id"]
    code, out, _ = cli("workspace", "add-stage", pid, "Collect", "--deadline", "2030-01-01",
                       "--deliverable", "draft act", "--as", "kz analyst")
    stage = json.loads(out)["stages"][0]
    code, out, _ = cli("workspace", "consent", pid, stage["id"], "--revision", "1",
                       "--as", "kz analyst")
    assert json.loads(out)["stages"][0]["agreed"] is True
    code, out, _ = cli("workspace", "record-cost", pid, "--amount", "12.5", "--currency",
                       "kzt", "--as", "kz analyst")
    assert json.loads(out)["totals_by_party"] == {"KAZ": {"KZT": "12.5"}}
    with pytest.raises(PermissionDenied, match=r"Art\. 4"):
        cli("workspace", "join", pid, "--as", "kz reader")
