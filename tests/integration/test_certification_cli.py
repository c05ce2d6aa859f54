"""The certification commands on both databases, as an operator types them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kelisim.cli import app
from kelisim.domain.errors import KelisimError
from tests.certification_data import ARRANGEMENTS, DEPOSITARY_HISTORY, SCHEMES, certificate_json


def test_the_registry_from_the_console(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["--database-url", database_url,
                                     "--data-dir", str(tmp_path), *args])
        if isinstance(result.exception, KelisimError):  # what `kelisim.cli.main` prints
            return 1, result.stdout, f"{result.stderr}error: {result.exception.reason}"
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    run("init")
    history = tmp_path / "history.json"
    history.write_text(json.dumps(DEPOSITARY_HISTORY))
    assert run("depositary", "import", str(history))[0] == 0
    for raw in SCHEMES.values():
        assert run("schemes", "add", json.dumps(raw))[0] == 0
    for raw in ARRANGEMENTS.values():
        path = tmp_path / f"{raw['key']}.json"
        path.write_text(json.dumps(raw))
        assert run("arrangements", "add", str(path))[0] == 0
    code, _, _ = run("certificates", "add", json.dumps(certificate_json(
        "RU-1", "RU-FSTEC", document="FSTEC-UD", level="4")))
    assert code == 0
    code, out, _ = run("certificates", "verify", "RU-1", "--in", "KAZ", "--on", "2022-01-01")
    assert code == 0 and "VALID in KAZ on 2022-01-01" in out and "KAZ-RU" in out
    code, _, _ = run("certificates", "event", "RU-1", "withdrawn", "--on", "2023-01-01",
                     "--reason", "vendor request")
    assert code == 0
    code, out, _ = run("certificates", "verify", "RU-1", "--in", "KAZ", "--on", "2023-01-01",
                       "--json")
    assert code == 2
    assert json.loads(out)["verdict"]["reasons"][-1]["code"] == "withdrawn"
    code, _, err = run("certificates", "add", json.dumps(certificate_json(
        "RU-2", "RU-FSTEC", document="FSTEC-UD", level="4", expires="2020-01-01")))
    assert code == 1 and "must come after the issue date" in err
    csv_file = tmp_path / "registry.csv"
    assert run("certificates", "export", "--extended", "-o", str(csv_file))[0] == 0
    assert "RU-1" in csv_file.read_text() and "withdrawn" in csv_file.read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_file.read_text().replace("03/01/2021", "March 1st"))
    code, _, err = run("certificates", "import", str(bad), "--scheme", "RU-FSTEC")
    assert code == 1 and "line 2" in err and "MM/DD/YYYY" in err
    code, out, _ = run("certification", "verify-ledger")
    assert code == 0 and "OK: 8 entries" in out
