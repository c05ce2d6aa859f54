"""The command line on both databases, in process (Typer's runner), as an operator uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kelisim.cli import main
from kelisim.domain.errors import NotFound

EXAMPLE = Path(__file__).parents[2] / "examples" / "illustrative-history.json"


def test_import_status_and_untc_table(cli) -> None:
    code, out, _ = cli("depositary", "import", str(EXAMPLE))
    assert code == 0 and "Recorded 17 entries" in out and "late_change_notice" in out
    code, out, _ = cli("status", "--on", "2016-01-01", "--json")
    body = json.loads(out)
    assert body["agreement"]["in_force"] is True
    assert {p["party"]: p["state"] for p in body["parties"]}["KAZ"] == "in_force"
    code, out, _ = cli("status", "--on", "2022-03-01", "--format", "untc")
    assert "Turkmenistan,,1 Apr 2016 a,1 May 2016,28 Feb 2022" in out
    code, out, _ = cli("status", "--on", "2016-01-01")
    assert "Agreement is in force" in out and "KAZ" in out and "in_force" in out


def test_ledger_verify_and_export_roundtrip(cli, tmp_path: Path) -> None:
    cli("depositary", "import", str(EXAMPLE))
    code, out, _ = cli("ledger", "verify")
    assert code == 0 and "17 entries, chain intact" in out
    exported = tmp_path / "ledger.json"
    cli("ledger", "export", "-o", str(exported))
    code, out, _ = cli("ledger", "verify", "--file", str(exported))
    assert code == 0
    document = json.loads(exported.read_text())
    document["entries"][9]["body"] = document["entries"][9]["body"].replace("BLR", "RUS")
    exported.write_text(json.dumps(document))
    code, _, err = cli("ledger", "verify", "--file", str(exported))
    assert code == 1 and "entry 10: content changed" in err


def test_record_and_accounts(cli) -> None:
    code, out, _ = cli("depositary", "record",
                       '{"kind": "signature", "party": "kaz", "date": "2013-11-20"}')
    assert code == 0 and json.loads(out)["entry"]["party"] == "KAZ"
    code, out, _ = cli("accounts", "add", "Analyst A", "--role", "analyst", "--party", "KAZ")
    assert code == 0 and out.strip().splitlines()[-1].startswith("kls_")
    code, out, _ = cli("accounts", "list")
    listed = json.loads(out)
    assert [a["role"] for a in listed] == ["depositary", "analyst"]
    assert "token" not in out.lower().replace("token_", "")


def test_glossary_in_three_languages(cli) -> None:
    code, out, _ = cli("glossary", "--json")
    assert code == 0
    terms = json.loads(out)
    assert len(terms) == 25 and all({"kk", "ru", "en"} <= set(t) for t in terms)


def test_a_refusal_exits_non_zero_with_the_reason(database_url: str, tmp_path: Path,
                                                    monkeypatch, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"kind": "notification", "party": "KAZ",
                                "received": "2014-01-01"}]))
    for argv in (["init"], ["depositary", "import", str(bad)]):
        monkeypatch.setattr("sys.argv", ["kelisim", "--database-url", database_url, *argv])
        with pytest.raises(SystemExit) as exit_info:
            main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "error: Entry 1 of the request: KAZ has no signature recorded" in err
    assert "(Art. 13)" in err


def test_accounts_disable_from_the_console(cli) -> None:
    code, out, _ = cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
                       "--organization", "KZ-CERT")
    assert code == 0
    token = out.strip().splitlines()[-1]
    code, out, _ = cli("accounts", "disable", "kz analyst")
    assert code == 0 and "disabled at" in out
    code, out, _ = cli("accounts", "list")
    listed = {a["name"]: a for a in json.loads(out)}
    assert listed["kz analyst"]["disabled_at"]
    assert token.startswith("kls_")
    with pytest.raises(NotFound, match="No active account is named"):  # exit 1 in `kelisim`
        cli("accounts", "disable", "kz analyst")
