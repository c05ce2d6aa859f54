"""Protocols (Art. 11) recorded and read through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kelisim.domain.errors import NotFound, RuleViolation
from kelisim.services import accounts, depositary, ledger, treaties
from kelisim.services.status import compute_status, status_json
from tests.conftest import Node
from tests.protocol_history import AGREEMENT, HISTORY, P1, PROTOCOL

EXAMPLE = Path(__file__).parents[2] / "examples" / "illustrative-history.json"
EXAMPLE_HEAD = {"seq": 17,
                "hash": "9ac28f3745ffc12abfe3af92475837203dcd4687fc5161f3571282c780513c38"}
"""The head the example imports to on main before protocols were tracked (same clock, same
first account): an Agreement instrument's bytes, hence its hash, did not change."""


def admin(node: Node):
    return accounts.authenticate(node.runtime, node.admin_token)


def by_party(node: Node, treaty: str, on: str) -> dict[str, dict]:
    status, names = treaties.compute_treaty_status(node.runtime, admin(node), treaty,
                                                   date.fromisoformat(on))
    return {p["party"]: p for p in treaties.treaty_status_json(status, names)["parties"]}


def test_the_example_history_hashes_exactly_as_before(node: Node) -> None:
    document = json.loads(EXAMPLE.read_text())
    entries = document["entries"] if isinstance(document, dict) else document
    depositary.record_entries(node.runtime, admin(node), entries)
    assert ledger.verify_ledger(node.runtime, admin(node))["head"] == EXAMPLE_HEAD


def test_a_recorded_protocol_is_a_treaty_with_its_own_status(node: Node) -> None:
    recorded = depositary.record_entries(node.runtime, admin(node), HISTORY)
    protocol_entry = recorded[len(AGREEMENT)]
    assert protocol_entry["entry"]["kind"] == "protocol"
    assert protocol_entry["entry"]["document"] == "No. 42"  # kept verbatim
    assert "treaty" not in recorded[0]["entry"]  # the Agreement's instruments as before
    listed = treaties.list_treaties(node.runtime, admin(node), date(2022, 1, 1))
    assert [(t["id"], t["kind"], t["entry_into_force"]["date"]) for t in listed] == [
        ("cis-infosec-2013", "agreement", "2014-05-31"), (P1, "protocol", "2021-02-10")]
    assert listed[1]["proposal"] == "ws-proposal-17" and len(listed[1]["amendments"]) == 3
    assert by_party(node, P1, "2021-02-09")["KAZ"]["state"] == "pending"
    assert by_party(node, P1, "2021-02-10")["KAZ"]["state"] == "in_force"
    assert by_party(node, P1, "2021-02-10")["ARM"]["state"] == "not_party"
    assert by_party(node, P1, "2022-03-01")["RUS"]["state"] == "withdrawing"
    rus = by_party(node, P1, "2022-07-10")["RUS"]
    assert rus["state"] == "withdrawn" and rus["withdrawal_effective"] == "2022-07-10"
    assert rus["flags"][0]["code"] == "agreement_not_in_force"
    assert by_party(node, P1, "2020-05-01")["KAZ"]["state"] == "not_party"  # not yet done
    agreement, names = compute_status(node.runtime, admin(node), date(2022, 1, 1))
    assert status_json(agreement, names)["agreement"]["entry_into_force"] == "2014-05-31"
    assert ledger.verify_ledger(node.runtime, admin(node))["ok"]


def test_the_consolidated_text_applies_the_protocols_in_force_for_the_party(node: Node) -> None:
    depositary.record_entries(node.runtime, admin(node), HISTORY)
    text = treaties.consolidated_text(node.runtime, admin(node), "kaz", date(2021, 3, 1), "ru")
    assert [p["protocol"] for p in text["protocols_in_force"]] == [P1]
    articles = {a["article"]: a for a in text["articles"]}
    assert [a["article"] for a in text["articles"]][:5] == ["1", "2", "3", "3-1", "4"]
    assert articles["8"]["text"] == "Статья 8 в новой редакции."
    assert articles["8"]["status"] == "amended"
    assert articles["8"]["amended_by"] == [{"protocol": P1, "action": "replace",
                                            "in_force_from": "2021-02-10"}]
    assert articles["3-1"]["title"] == "Пункты связи" and articles["3-1"]["status"] == "inserted"
    assert articles["10"]["status"] == "repealed" and articles["10"]["text"] is None
    assert articles["1"]["text_is_summary"] is True
    before = treaties.consolidated_text(node.runtime, admin(node), "KAZ", date(2021, 2, 9), "kk")
    assert before["protocols_in_force"] == [] and len(before["articles"]) == 15
    assert all(a["status"] == "original" and a["text"] for a in before["articles"])
    armenia = treaties.consolidated_text(node.runtime, admin(node), "ARM", date(2022, 1, 1), "en")
    assert armenia["protocols_in_force"] == [] and armenia["agreement_state"] == "signatory"
    withdrawn = treaties.consolidated_text(node.runtime, admin(node), "RUS", date(2022, 7, 10),
                                           "en")
    assert withdrawn["protocols_in_force"] == []


def test_a_refused_protocol_instrument_leaves_the_ledger_as_it_was(node: Node) -> None:
    depositary.record_entries(node.runtime, admin(node), HISTORY)
    before = ledger.verify_ledger(node.runtime, admin(node))["head"]
    with pytest.raises(RuleViolation) as refusal:
        depositary.record_entries(node.runtime, admin(node), [
            {"kind": "notification", "party": "ARM", "received": "2022-01-01", "treaty": P1}])
    assert refusal.value.article == "Art. 11"
    with pytest.raises(NotFound):
        depositary.record_entries(node.runtime, admin(node), [
            {"kind": "signature", "party": "KAZ", "date": "2020-01-01", "treaty": "no-such"}])
    assert ledger.verify_ledger(node.runtime, admin(node))["head"] == before


def test_a_protocol_is_corrected_like_any_entry(node: Node) -> None:
    recorded = depositary.record_entries(node.runtime, admin(node), [*AGREEMENT, PROTOCOL])
    entry = recorded[-1]["id"]
    depositary.record_entries(node.runtime, admin(node), [
        {"kind": "correction", "supersedes": entry,
         "entry_into_force": {"notifications": 1, "days_after": 0}},
        {"kind": "signature", "party": "KAZ", "date": "2020-06-02", "treaty": P1},
        {"kind": "notification", "party": "KAZ", "received": "2020-06-03", "treaty": P1}])
    assert by_party(node, P1, "2020-06-03")["KAZ"]["state"] == "in_force"
    with pytest.raises(NotFound):
        treaties.compute_treaty_status(node.runtime, admin(node), "no-such", date(2021, 1, 1))
