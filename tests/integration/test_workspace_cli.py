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


def test_a_document_circulated_from_the_console(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from tests.workspace_documents_support import odt
    cli("depositary", "import", str(EXAMPLE))
    cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
        "--organization", "KZ-CERT")
    _, out, _ = cli("workspace", "propose", "Model law", "--as", "kz analyst",
                    "--direction", "2")
    pid = json.loads(out)["id"]
    draft = tmp_path / "draft.odt"
    draft.write_bytes(odt())
    code, out, _ = cli("workspace", "documents", "add", pid, str(draft), "--as", "kz analyst",
                       "--title", "Model law", "--language", "kk")
    assert code == 0, out
    made = json.loads(out)
    did = made["id"]
    assert made["versions"][0]["sha256"] == hashlib.sha256(odt()).hexdigest()
    cli("workspace", "documents", "circulate", pid, did, "--as", "kz analyst")
    _, out, _ = cli("workspace", "documents", "comment", pid, did, "Fine", "--as", "kz analyst")
    assert json.loads(out)["comments"][0]["party"] == "KAZ"
    _, out, _ = cli("workspace", "documents", "agree", pid, did, "--version", "1",
                    "--as", "kz analyst")
    assert json.loads(out)["state"] == "agreed"
    _, out, _ = cli("workspace", "documents", "adopt", pid, did, "--as", "kz analyst")
    assert json.loads(out)["state"] == "adopted"
    copy = tmp_path / "copy.odt"
    cli("workspace", "documents", "download", pid, did, "--as", "kz analyst", "-o", str(copy))
    assert copy.read_bytes() == odt()
    _, out, _ = cli("workspace", "documents", "list", pid, "--as", "kz analyst")
    assert [d["state"] for d in json.loads(out)] == ["adopted"]
