"""Split views across the anchor's rotation, on real nodes over loopback HTTP (issue 14 item 2;
decision 0014, "Split views across anchors"). The federation of `test_federation_nodes` (the
depositary, KAZ on SQLite or PostgreSQL in turn, RUS); the misbehaving depositary is a real
answer of the real depositary's node, changed on its way and signed again with its key
(`Doctor`). Two nodes shown different histories across a rotation both report the split view,
with the old anchor's checkpoint and the new one's as evidence; a checkpoint the old anchor
dates after its transition is reported on both too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from kelisim.domain.errors import UntrustedSignature
from kelisim.domain.federation import anchor_evidence as stale
from kelisim.domain.federation import checkpoints as cps
from kelisim.domain.ledger import decode_body, make_link
from kelisim.services import depositary
from kelisim.services.federation import engine, ledger_sync, record
from kelisim.services.federation import node as nodes
from tests.conftest import TODAY
from tests.integration import test_federation_nodes as federation_fixtures
from tests.integration.test_federation_nodes import LEDGER, Doctor, Federation, Member

pytestmark = pytest.mark.slow  # a federation of three nodes a test

template = federation_fixtures.template
kaz_database = federation_fixtures.kaz_database
fed = federation_fixtures.fed

TOMORROW = TODAY + timedelta(days=1)
ANOTHER_HISTORY = "0" * 63 + "1"


class KeptOnTheOldAnchor:
    """`client_for` of a node the depositary keeps on its old key: its roster from before the
    rotation, no transitions, and its ledger's checkpoint signed again by the old key now."""

    def __init__(self, member: Member, dep: Member, old_roster: dict[str, Any],
                 old_key: Any, at: datetime) -> None:
        self.member, self.dep = member, dep
        self.old_roster, self.old_key, self.at = old_roster, old_key, at

    def __call__(self, base_url: str) -> engine.PeerClient:
        node = nodes.require_node(self.member.rt)
        if base_url != self.dep.url:
            return engine.PeerClient(self.member.rt, node, base_url)
        outer = self

        class OldAnchor(engine.PeerClient):
            def get(self, path: str, **params: Any) -> Any:
                answer = super().get(path, **params)
                if path == "/federation/v1/roster":
                    return outer.old_roster
                if path == "/federation/v1/roster/transitions":
                    return []
                if path == LEDGER:
                    cp = answer["checkpoint"]["checkpoint"]
                    answer["checkpoint"] = cps.checkpoint_to_json(cps.sign_checkpoint(
                        cps.Checkpoint(cp["size"], cp["head"], outer.at), outer.old_key))
                return answer

        return OldAnchor(self.member.rt, node, base_url)


def _record_signature(dep: Member, party: str, on: datetime) -> None:
    depositary.record_entries(dep.rt, dep.admin, [
        {"kind": "signature", "party": party, "date": on.date().isoformat()}])


def _origins(evidence: dict[str, Any]) -> set[str]:
    return {evidence[k]["checkpoint"]["origin"] for k in ("first", "second")}


def test_two_nodes_shown_different_histories_across_a_rotation_both_report_it(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    _record_signature(dep, "KGZ", TODAY)
    for member in (kaz, rus):
        assert "error" not in member.sync()["ledger"]
    size, old_anchor = dep.ledger_size(), dep.key
    fed.move_clocks(TOMORROW)
    nodes.rotate_anchor(dep.rt, dep.admin)
    new_anchor = dep.key
    _record_signature(dep, "TJK", TOMORROW)

    def rewritten(page: dict[str, Any]) -> dict[str, Any]:
        """Entry size+1 continues another history than the one the old anchor signed, and the
        new anchor signs its head: what a depositary shows one Party after rotating."""
        body = decode_body(page["entries"][0]["body"].encode())
        link = make_link(body["seq"], datetime.fromisoformat(body["recorded_at"]), body["entry"],
                         ANOTHER_HISTORY)
        page["entries"] = [{"seq": link.seq, "body": link.body.decode(), "hash": link.hash}]
        page["checkpoint"] = cps.checkpoint_to_json(cps.sign_checkpoint(
            cps.Checkpoint(link.seq, link.hash, TOMORROW), new_anchor))
        return page

    shown = rus.sync(Doctor(rus, dep, LEDGER, rewritten))
    assert "error" in shown["ledger"], shown
    assert rus.ledger_size() == size  # nothing of the other history appended
    [at_rus] = ledger_sync.split_views(rus.rt)
    assert _origins(at_rus["evidence"]) == {old_anchor.key_id, new_anchor.key_id}
    assert "by its successor" in at_rus["reason"]

    # KAZ, shown the honest history by the new anchor, learns it from RUS and re-verifies it.
    learned = kaz.sync()
    assert "error" not in learned["ledger"] and kaz.ledger_size() == size + 1, learned
    assert learned["peers"]["RUS"]["split_views_found"] == 1, learned
    [at_kaz] = ledger_sync.split_views(kaz.rt)
    assert at_kaz["evidence"] == at_rus["evidence"]
    spans = nodes.anchor_spans(kaz.rt)
    assert cps.verify_split_view(cps.evidence_from_json(at_kaz["evidence"], spans), spans)
    for member in (kaz, rus):
        status = record.federation_status(member.rt, member.people["party_admin"])
        assert [s["reason"] for s in status["split_views"]] == [at_rus["reason"]]
    # An older build reads `split_views` of one anchor only: evidence of two is shown apart.
    view = ledger_sync.witness_view(kaz.rt)
    assert view["split_views"] == [] and view["anchor_evidence"] == [at_kaz["evidence"]]


def test_an_old_anchor_signing_after_its_transition_is_reported_by_every_node(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    old_anchor = dep.key
    fed.move_clocks(TOMORROW)
    nodes.rotate_anchor(dep.rt, dep.admin)
    for member in (kaz, rus):
        assert "error" not in member.sync()["ledger"]
    size = kaz.ledger_size()
    # The old key goes on signing for some node: a checkpoint dated after the transition.
    late = cps.sign_checkpoint(cps.Checkpoint(size, ANOTHER_HISTORY, TOMORROW + timedelta(
        minutes=5)), old_anchor)
    view = {"checkpoint": cps.checkpoint_to_json(late), "split_views": []}
    assert ledger_sync.compare_view(kaz.rt, rus.key.key_id, view) == 1
    [at_kaz] = ledger_sync.split_views(kaz.rt)
    assert at_kaz["evidence"]["type"] == stale.STALE_ANCHOR_TYPE
    assert at_kaz["evidence"]["checkpoint"] == cps.checkpoint_to_json(late)
    assert f"the anchor {old_anchor.key_id} signed a checkpoint" in at_kaz["reason"]
    assert ledger_sync.compare_view(kaz.rt, rus.key.key_id, view) == 0  # kept once

    learned = rus.sync()
    assert learned["peers"]["KAZ"]["split_views_found"] == 1, learned
    [at_rus] = ledger_sync.split_views(rus.rt)
    assert at_rus["evidence"] == at_kaz["evidence"]
    # Garbage is not evidence: the same checkpoint signed by a stranger is refused as before.
    forged = dict(cps.checkpoint_to_json(late), signature=kaz.key.sign({"type": "not-it"}))
    with pytest.raises(UntrustedSignature, match="stopped speaking"):
        ledger_sync.compare_view(rus.rt, kaz.key.key_id, {"checkpoint": forged})
    assert len(ledger_sync.split_views(rus.rt)) == 1


def test_a_node_kept_on_the_old_anchor_learns_the_transition_from_a_peer_and_both_report(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    old_anchor, old_roster = dep.key, nodes.signed_roster_json(dep.rt)
    assert old_roster is not None
    fed.move_clocks(TOMORROW)
    nodes.rotate_anchor(dep.rt, dep.admin)
    new_anchor = dep.key
    _record_signature(dep, "KGZ", TOMORROW)
    assert "error" not in kaz.sync()["ledger"]  # KAZ takes the transition

    # The depositary keeps RUS on the old key: RUS takes its checkpoint (it trusts that key),
    # then learns the transition from KAZ's view, and its own checkpoint is evidence.
    late = TOMORROW + timedelta(minutes=5)
    kept = rus.sync(KeptOnTheOldAnchor(rus, dep, old_roster, old_anchor, late))
    assert kept["roster"] is False, kept
    assert rus.ledger_size() == dep.ledger_size()  # (the real depositary refuses the witness's
    assert "cosignatures" in kept["ledger"]["error"]  # cosignature of its old key's checkpoint)
    assert kept["peers"]["KAZ"]["split_views_found"] == 1, kept
    assert nodes.require_node(rus.rt).depositary_key == new_anchor.public_key
    [at_rus] = ledger_sync.split_views(rus.rt)
    assert at_rus["evidence"]["type"] == stale.STALE_ANCHOR_TYPE
    assert at_rus["evidence"]["checkpoint"]["checkpoint"]["origin"] == old_anchor.key_id

    # KAZ, shown RUS's checkpoint, finds the same evidence; the old key is refused from now on.
    learned = kaz.sync()
    assert learned["peers"]["RUS"]["split_views_found"] == 1, learned
    [at_kaz] = ledger_sync.split_views(kaz.rt)
    assert at_kaz["evidence"] == at_rus["evidence"]
    again = rus.sync(KeptOnTheOldAnchor(rus, dep, old_roster, old_anchor, late))
    assert "error" in again["ledger"], again
    assert len(ledger_sync.split_views(rus.rt)) == 1
    assert "error" not in rus.sync()["ledger"]
