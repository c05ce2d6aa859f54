"""`kelisim treaties`, `kelisim status --treaty` and `kelisim agreement text`, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kelisim.domain.errors import NotFound
from tests.protocol_history import HISTORY, P1


def test_protocols_from_the_command_line(cli, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps(HISTORY))
    code, out, _ = cli("depositary", "import", str(history))
    assert code == 0 and f"Recorded {len(HISTORY)} entries" in out
    code, out, _ = cli("treaties", "--on", "2022-01-01")
    assert code == 0 and P1 in out and "2021-02-10" in out and "3/3" in out
    code, out, _ = cli("treaties", "--json", "--on", "2022-01-01")
    assert [t["id"] for t in json.loads(out)["treaties"]] == ["cis-infosec-2013", P1]
    code, out, _ = cli("status", "--treaty", P1, "--on", "2022-07-10", "--json")
    parties = {p["party"]: p["state"] for p in json.loads(out)["parties"]}
    assert parties["KAZ"] == "in_force" and parties["RUS"] == "withdrawn"
    code, out, _ = cli("status", "--treaty", P1, "--on", "2022-07-10")
    assert code == 0 and "is in force" in out and "agreement_not_in_force (Art. 11)" in out
    code, out, _ = cli("status", "--on", "2016-01-01", "--json")  # the Agreement, unchanged
    assert json.loads(out)["agreement"]["entry_into_force"] == "2014-05-31"
    code, out, _ = cli("agreement", "text", "--party", "KAZ", "--on", "2021-03-01",
                       "--lang", "ru")
    assert code == 0 and "Статья 8 в новой редакции." in out
    assert "Article 3-1 — Пункты связи  [insert_after by cis-infosec-2013-p1]" in out
    assert "(repealed)" in out
    code, out, _ = cli("agreement", "text", "--party", "KAZ", "--on", "2021-03-01", "--json")
    assert json.loads(out)["protocols_in_force"][0]["in_force_from"] == "2021-02-10"


def test_an_unknown_treaty_is_refused_with_the_reason(cli) -> None:
    with pytest.raises(NotFound, match="No treaty no-such is tracked"):
        cli("status", "--treaty", "no-such", "--on", "2022-01-01")
