"""Key rotation and revocation across real nodes (issue 14 item 1; decision 0014, "Rotation"):
each node its own Runtime, clock, data folder and database on loopback HTTP, as in
`test_federation_nodes` (whose fixtures build the federation; KAZ's database is SQLite or
PostgreSQL in turn). A Party's node rotates its key and sync goes on, the transfers signed
before still verifying; the depositary rotates the trust anchor and every node follows it,
refusing what the old anchor signs after; a revoked key's signatures dated after its
revocation are refused by `transfers verify`.
"""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from kelisim.domain.errors import InvalidInput, PermissionDenied, UntrustedSignature
from kelisim.domain.federation import roster as rosters
from kelisim.domain.ledger import decode_body
from kelisim.services import depositary
from kelisim.services.federation import node as nodes
from kelisim.services.federation import record
from kelisim.storage.node_keys import key_path, load_key_file, pending_key_path, retired_key_path
from tests.conftest import TODAY
from tests.exchange_support import indicator
from tests.integration import test_federation_nodes as federation_fixtures
from tests.integration.test_federation_nodes import FEED, LEDGER, Federation, Member, ref

pytestmark = pytest.mark.slow  # a federation of three nodes a test

# The federation of `test_federation_nodes` (the depositary, KAZ on SQLite or PostgreSQL, RUS).
template = federation_fixtures.template
kaz_database = federation_fixtures.kaz_database
fed = federation_fixtures.fed

TOMORROW = TODAY + timedelta(days=1)


def _key_file(member: Member) -> tuple[str, str]:
    path = key_path(member.rt.settings.data_dir, None)
    return str(path), load_key_file(path).key_id


def _rotate_kaz(fed: Federation) -> tuple[str, str]:
    """KAZ's node makes a new key from tomorrow; its party-admin asks at the depositary's node
    and the depositary admits it. Returns (old key id, new key id)."""
    dep, kaz = fed.depositary, fed["KAZ"]
    made = nodes.prepare_rotation(kaz.rt)
    assert made["valid_from"] == TOMORROW.date().isoformat()
    asked = nodes.request_admission(dep.rt, dep.people["admin_KAZ"], made["request"])
    assert asked["rotates"] == made["previous_key_id"]
    listed = {a["key_id"]: a for a in nodes.list_admissions(dep.rt, dep.admin)}
    assert listed[made["key_id"]]["rotates"] == made["previous_key_id"]
    admitted = nodes.decide_admission(dep.rt, dep.admin, made["key_id"], admit=True)
    assert admitted["decision"] == "admitted"
    return made["previous_key_id"], made["key_id"]


def test_a_partys_node_rotates_its_key_and_sync_goes_on_with_old_transfers_verifying(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    before = indicator("signed by the old key")
    kaz.post(before)
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    old_id, new_id = _rotate_kaz(fed)
    path = key_path(kaz.rt.settings.data_dir, None)
    pending = pending_key_path(path)
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600

    # Until the roster names the new key for today, the node signs with the old one.
    for member in (rus, kaz):
        report = member.sync()
        assert "error" not in report["ledger"], report
        assert all("error" not in p for p in report["peers"].values()), report
    assert kaz.key.key_id == old_id and nodes.require_node(kaz.rt).key.key_id == old_id
    assert pending.exists()
    status = record.federation_status(kaz.rt, kaz.people["party_admin"])
    assert (status["key_id"], status["pending_key_id"]) == (old_id, new_id)

    # From its first day the node switches by itself; the old key file is kept, renamed.
    fed.move_clocks(TOMORROW)
    report = kaz.sync()
    assert "error" not in report["ledger"], report
    assert all("error" not in p for p in report["peers"].values()), report
    assert kaz.key.key_id == new_id and nodes.require_node(kaz.rt).key.key_id == new_id
    retired = retired_key_path(path, old_id)
    assert load_key_file(retired).key_id == old_id
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert not pending.exists()
    status = record.federation_status(kaz.rt, kaz.people["party_admin"])
    assert (status["key_id"], status["pending_key_id"]) == (new_id, None)
    shown = nodes.require_node(kaz.rt).descriptor["descriptor"]
    assert (shown["key_id"], shown["valid_from"]) == (new_id, TOMORROW.date().isoformat())

    after = indicator("signed by the new key")
    kaz.post(after)
    report = rus.sync()
    assert report["peers"]["KAZ"]["stored"] == 1, report
    assert rus.held("KAZ") == {ref(before), ref(after)}
    kaz.sync()  # KAZ takes RUS's objects and RUS's receipts are in

    # Old arrivals verify with the old key (its span stays on the roster), new with the new.
    arrivals = rus.repo(lambda r: r.links("arrivals:KAZ"))
    assert [decode_body(link.body)["entry"]["origin_key"] for link in arrivals] == [old_id,
                                                                                    new_id]
    for member, direction in ((rus, "arrived"), (kaz, "sent")):
        party = "KAZ" if member is rus else "RUS"
        checked = record.verify_transfers(member.rt, member.people["party_admin"],
                                          direction=direction, party=party)
        assert checked["ok"], checked
    assert kaz.signed_get(dep, LEDGER, load_key_file(retired)) == 401  # the old key ended
    assert kaz.signed_get(rus, FEED) == 200


def test_a_rotation_is_asked_by_the_partys_admin_and_vouched_for_by_a_key_that_speaks(
        fed: Federation) -> None:
    dep, kaz = fed.depositary, fed["KAZ"]
    made = nodes.prepare_rotation(kaz.rt)
    again = nodes.prepare_rotation(kaz.rt)  # the pending key again, not a third one
    assert again["key_id"] == made["key_id"]
    with pytest.raises(PermissionDenied, match="own Party"):
        nodes.request_admission(dep.rt, dep.people["admin_RUS"], made["request"])
    forged = {**made["request"], "rotation": {**made["request"]["rotation"],
                                              "signature": fed["RUS"].key.sign({"type": "x"})}}
    with pytest.raises(UntrustedSignature, match="not signed by the key it replaces"):
        nodes.request_admission(dep.rt, dep.people["admin_KAZ"], forged)

    # Asked, then the old key is revoked (found compromised): the rotation is not admitted.
    nodes.request_admission(dep.rt, dep.people["admin_KAZ"], made["request"])
    nodes.revoke_node(dep.rt, dep.admin, made["previous_key_id"], TODAY.date())
    serial = nodes.current_roster(dep.rt).serial
    with pytest.raises(UntrustedSignature, match="cannot vouch"):
        nodes.decide_admission(dep.rt, dep.admin, made["key_id"], admit=True)
    assert nodes.current_roster(dep.rt).serial == serial
    with pytest.raises(InvalidInput, match="rotates the trust anchor"):
        nodes.prepare_rotation(dep.rt)


def test_the_depositary_rotates_the_anchor_and_every_node_follows_it(fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    old_anchor = dep.key
    kaz.post(indicator("before the anchor rotation"))
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    signed_by_old = nodes.signed_roster_json(dep.rt)
    fed.move_clocks(TOMORROW)
    rotated = nodes.rotate_anchor(dep.rt, dep.admin)
    new_anchor = dep.key
    assert rotated["previous_key_id"] == old_anchor.key_id != new_anchor.key_id
    assert load_key_file(retired_key_path(key_path(dep.rt.settings.data_dir, None),
                                          old_anchor.key_id)) == old_anchor
    depositary.record_entries(dep.rt, dep.admin, [
        {"kind": "signature", "party": "KGZ", "date": TOMORROW.date().isoformat()}])

    for member in (kaz, rus, kaz):
        report = member.sync()
        assert report["roster"] in (True, False)
        assert "error" not in report["ledger"], report
        assert all("error" not in p for p in report["peers"].values()), report
        assert nodes.require_node(member.rt).depositary_key == new_anchor.public_key
        assert record.federation_status(member.rt, member.people["party_admin"])[
            "anchor_key_id"] == new_anchor.key_id
    assert kaz.ledger_size() == rus.ledger_size() == dep.ledger_size()
    after = indicator("after the anchor rotation")
    kaz.post(after)
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    assert record.verify_transfers(rus.rt, rus.people["party_admin"], direction="arrived",
                                   party="KAZ")["ok"]

    # The old anchor's word is no longer taken, whatever serial it claims; serials never go
    # back; the transition replayed changes nothing.
    held = nodes.current_roster(kaz.rt)
    forged = rosters.Roster(held.serial + 5, TOMORROW, old_anchor.public_key,
                            nodes.current_roster(dep.rt).entries[:1])
    with pytest.raises(UntrustedSignature, match="not the one this node trusts"):
        nodes.accept_roster(kaz.rt, rosters.roster_to_json(rosters.sign_roster(forged,
                                                                               old_anchor)))
    with pytest.raises(UntrustedSignature):
        nodes.accept_roster(kaz.rt, signed_by_old)
    for document in nodes.transition_rosters(dep.rt):
        assert nodes.accept_roster(kaz.rt, document) is False
    assert nodes.current_roster(kaz.rt).serial == held.serial


def test_a_node_two_transitions_behind_takes_both_and_refuses_a_skipped_one(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    first = dep.key
    fed.move_clocks(TOMORROW)
    nodes.rotate_anchor(dep.rt, dep.admin)
    fed.move_clocks(TOMORROW + timedelta(days=1))
    nodes.rotate_anchor(dep.rt, dep.admin)
    third = dep.key
    with pytest.raises(UntrustedSignature, match="missing"):
        nodes.accept_roster(rus.rt, nodes.signed_roster_json(dep.rt))
    assert nodes.require_node(rus.rt).depositary_key == first.public_key
    for member in (rus, kaz):
        report = member.sync()
        assert report["roster"] is True and "error" not in report["ledger"], report
        assert nodes.require_node(member.rt).depositary_key == third.public_key
    assert [rosters.roster_from_json(d).roster.serial
            for d in nodes.transition_rosters(rus.rt)] == [
        rosters.roster_from_json(d).roster.serial for d in nodes.transition_rosters(dep.rt)]


def test_a_compromised_keys_signatures_dated_after_its_revocation_are_refused(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    kaz.post(indicator("sent on the day of the compromise"))
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    kaz.sync()  # RUS's receipt is in at KAZ
    nodes.revoke_node(dep.rt, dep.admin, kaz.key.key_id, TOMORROW.date())
    rus.sync()
    admin = rus.people["party_admin"]
    assert record.verify_transfers(rus.rt, admin, direction="arrived", party="KAZ")["ok"]

    # The compromise is found to date from today: revoked again, from today.
    nodes.revoke_node(dep.rt, dep.admin, kaz.key.key_id, TODAY.date())
    rus.sync()
    checked = record.verify_transfers(rus.rt, admin, direction="arrived", party="KAZ")
    assert not checked["ok"]
    assert any("was revoked from" in p for p in checked["problems"]), checked
    assert kaz.signed_get(rus, FEED) == 401
    # What RUS's own key signed (its receipts at KAZ) still verifies at KAZ.
    kaz.sync()
    assert record.verify_transfers(kaz.rt, kaz.people["party_admin"], direction="sent",
                                   party="RUS")["ok"]
