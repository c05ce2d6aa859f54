"""Node keys expire, on real nodes over loopback HTTP (issue 14 item 1; decision 0014, "Key
expiry"). The federation of `test_federation_nodes` (the depositary, KAZ on SQLite or
PostgreSQL in turn, RUS). The depositary's node admits KAZ's new key for a configured lifetime;
both KAZ and RUS warn before it ends and name `kelisim node rotate-key`; from its expiry day
KAZ's requests are refused and no one syncs with it, what it signed before still verifies, and
the expired key can no longer vouch for a successor (the party-admin asks a plain admission).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kelisim.cli import app
from kelisim.domain.errors import UntrustedSignature
from kelisim.services.federation import node as nodes
from kelisim.services.federation import record
from tests.conftest import TODAY
from tests.exchange_support import indicator
from tests.integration import test_federation_nodes as federation_fixtures
from tests.integration.test_federation_nodes import FEED, Federation, Member

pytestmark = pytest.mark.slow  # a federation of three nodes a test

template = federation_fixtures.template
kaz_database = federation_fixtures.kaz_database
fed = federation_fixtures.fed

TOMORROW = TODAY + timedelta(days=1)
LIFETIME = 10


def _federation_status_cli(member: Member, tmp_path: Path) -> str:
    """`kelisim federation status` on `member`'s node, at its clock; what it says on stderr."""
    clock = tmp_path / f"clock-{member.party}"
    clock.write_text(member.clock.now.isoformat())
    settings = member.rt.settings
    args = ["--data-dir", str(settings.data_dir), "federation", "status"]
    if settings.database_url:
        args = ["--database-url", settings.database_url, *args]
    result = CliRunner().invoke(app, args, env={"KELISIM_CLOCK_FILE": str(clock)})
    assert result.exit_code == 0, result.output
    return " ".join(result.stderr.split())


def test_a_key_admitted_for_a_lifetime_warns_then_expires_and_rotation_is_the_remedy(
        fed: Federation, tmp_path: Path) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    dep.rt.settings = dep.rt.settings.model_copy(
        update={"federation_key_lifetime_days": LIFETIME})
    made = nodes.prepare_rotation(kaz.rt)
    nodes.request_admission(dep.rt, dep.people["admin_KAZ"], made["request"])
    nodes.decide_admission(dep.rt, dep.admin, made["key_id"], admit=True)
    expiry = (TOMORROW + timedelta(days=LIFETIME)).date()
    entry = next(e for e in nodes.current_roster(dep.rt).entries if e.key_id == made["key_id"])
    assert (entry.valid_from, entry.valid_until) == (TOMORROW.date(), expiry)

    fed.move_clocks(TOMORROW)
    for member in (kaz, rus):
        assert "error" not in member.sync()["ledger"]
    assert kaz.key.key_id == made["key_id"]
    kaz.post(indicator("signed by a key that expires"))
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    kaz.sync()  # RUS's receipt is in at KAZ

    own = record.federation_status(kaz.rt, kaz.people["party_admin"])
    assert own["key_valid_until"] == expiry.isoformat()
    assert own["key_warnings"] == [{"party": "KAZ", "key_id": made["key_id"], "own": True,
                                    "expires_on": expiry.isoformat(), "days_left": LIFETIME,
                                    "remedy": "kelisim node rotate-key"}]
    said = _federation_status_cli(kaz, tmp_path)
    assert (f"WARNING: this node's key {made['key_id']} expires on {expiry.isoformat()} "
            f"(in {LIFETIME} days); run `kelisim node rotate-key` on this node") in said
    seen = record.federation_status(rus.rt, rus.people["party_admin"])
    assert [(w["party"], w["own"]) for w in seen["key_warnings"]] == [("KAZ", False)]
    assert {p["party"]: p["key_valid_until"] for p in seen["peers"]}["KAZ"] == expiry.isoformat()

    # From the expiry day on, the key speaks no more: requests refused, no sync with KAZ.
    fed.move_clocks(TOMORROW + timedelta(days=LIFETIME))
    assert kaz.signed_get(rus, FEED) == 401
    assert "KAZ" not in rus.sync()["peers"]
    assert record.federation_status(kaz.rt, kaz.people["party_admin"])["key_warnings"] == []
    # What it signed while it spoke still verifies, on both sides.
    assert record.verify_transfers(rus.rt, rus.people["party_admin"], direction="arrived",
                                   party="KAZ")["ok"]
    assert record.verify_transfers(kaz.rt, kaz.people["party_admin"], direction="sent",
                                   party="RUS")["ok"]
    # The expired key cannot vouch for its successor: a plain admission is asked instead.
    again = nodes.prepare_rotation(kaz.rt)
    with pytest.raises(UntrustedSignature, match="cannot vouch"):
        nodes.request_admission(dep.rt, dep.people["admin_KAZ"], again["request"])
