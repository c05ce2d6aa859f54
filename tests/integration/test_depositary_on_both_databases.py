"""The depositary's use cases on SQLite and PostgreSQL: recording, refusals, status, the chain."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from kelisim.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services import accounts, depositary, ledger
from kelisim.services.status import compute_status, status_json, untc_rows
from kelisim.storage.database import is_postgres
from tests.conftest import Node
from tests.tampering import drop_append_only_guard

EXAMPLE = Path(__file__).parents[2] / "examples" / "illustrative-history.json"
ADMIN = None


def admin(node: Node):
    return accounts.authenticate(node.runtime, node.admin_token)


def record(node: Node, *entries: dict) -> list[dict]:
    return depositary.record_entries(node.runtime, admin(node), list(entries))


def founding_history() -> list[dict]:
    signatures = [{"kind": "signature", "party": p, "date": "2013-11-20"}
                  for p in ("KAZ", "RUS", "BLR", "ARM")]
    notifications = [
        {"kind": "notification", "party": "KAZ", "received": "2014-03-01",
         "authorized_bodies": [{"name": "KZ CERT"}]},
        {"kind": "notification", "party": "RUS", "received": "2014-04-01",
         "authorized_bodies": [{"name": "RU body"}]},
        {"kind": "notification", "party": "BLR", "received": "2014-05-01",
         "authorized_bodies": [{"name": "BY body"}]},
    ]
    return signatures + notifications


def ledger_rows(node: Node) -> list[tuple]:
    with node.runtime.unit_of_work() as uow:
        return [(link.seq, link.body, link.hash) for link in uow.ledger.links()]


def test_a_recorded_history_gives_the_status_of_every_party(node: Node) -> None:
    recorded = record(node, *founding_history())
    assert [r["id"] for r in recorded] == list(range(1, 8))
    status, names = compute_status(node.runtime, admin(node), date(2014, 6, 1))
    body = status_json(status, names)
    assert body["agreement"] == {"in_force": True, "entry_into_force": "2014-05-31",
                                 "notifications_received": 3, "article": "Art. 13"}
    by_party = {p["party"]: p for p in body["parties"]}
    assert by_party["KAZ"]["state"] == "in_force"
    assert by_party["KAZ"]["authorized_bodies"] == [{"name": "KZ CERT"}]
    assert by_party["ARM"]["state"] == "signatory"
    assert by_party["AZE"]["state"] == "not_party"
    assert by_party["KAZ"]["names"]["kk"] == "Қазақстан"
    assert {"KAZ", "RUS", "BLR", "ARM", "AZE", "TJK", "KGZ", "UZB", "MDA", "TKM", "UKR"} <= set(
        by_party)


def test_a_refusal_leaves_the_ledger_exactly_as_it_was(node: Node) -> None:
    record(node, *founding_history())
    before = ledger_rows(node)
    with pytest.raises(RuleViolation) as refusal:
        record(node, {"kind": "accession", "party": "UZB", "received": "2014-05-10"})
    assert refusal.value.article == "Art. 14"
    assert "2014-05-31" in refusal.value.reason
    assert ledger_rows(node) == before


def test_an_import_is_all_or_nothing_and_names_the_bad_entry(node: Node) -> None:
    entries = [*founding_history(),
               {"kind": "notification", "party": "AZE", "received": "2015-01-01"}]
    with pytest.raises(RuleViolation) as refusal:
        record(node, *entries)
    assert refusal.value.details["position"] == 8
    assert "Entry 8 of the request" in refusal.value.reason
    assert refusal.value.article == "Art. 13"
    assert ledger_rows(node) == []


def test_malformed_and_unknown_entries_are_refused_with_their_position(node: Node) -> None:
    with pytest.raises(InvalidInput, match="Entry 2 of the request: A signature entry needs"):
        record(node, {"kind": "signature", "party": "KAZ", "date": "2013-11-20"},
               {"kind": "signature", "party": "RUS"})
    with pytest.raises(NotFound, match="XYZ"):
        record(node, {"kind": "signature", "party": "XYZ", "date": "2013-11-20"})
    with pytest.raises(RuleViolation, match="in the future"):
        record(node, {"kind": "signature", "party": "KAZ", "date": "2026-11-26"})
    assert ledger_rows(node) == []


def test_a_correction_supersedes_without_editing(node: Node) -> None:
    record(node, *founding_history())
    before = ledger_rows(node)
    (fixed,) = record(node, {"kind": "correction", "supersedes": 5, "received": "2014-03-02"})
    assert fixed["id"] == 8
    assert ledger_rows(node)[:7] == before
    status, _ = compute_status(node.runtime, admin(node), date(2014, 6, 1))
    kaz = next(p for p in status.parties if p.party == "KAZ")
    assert kaz.instrument_received == date(2014, 3, 2)
    entries = depositary.list_entries(node.runtime, admin(node))
    assert entries[4]["superseded_by"] == 8


def test_a_correction_that_makes_a_later_entry_unlawful_is_refused(node: Node) -> None:
    record(node, *founding_history(),
           {"kind": "accession", "party": "UZB", "received": "2014-06-01"})
    with pytest.raises(RuleViolation, match="Recorded entry 8 would no longer be lawful"):
        record(node, {"kind": "correction", "supersedes": 7, "received": "2014-05-20"})


def test_only_the_depositary_records(node: Node) -> None:
    analyst = accounts.create_account(node.runtime, None, name="Analyst", role="analyst",
                                      organization_kind="authorized_body", party="KAZ")
    principal = accounts.authenticate(node.runtime, analyst["token"])
    with pytest.raises(PermissionDenied, match="Only the depositary"):
        depositary.record_entries(node.runtime, principal, founding_history())


def test_a_second_signature_is_a_conflict(node: Node) -> None:
    record(node, {"kind": "signature", "party": "KAZ", "date": "2013-11-20"})
    with pytest.raises(Conflict):
        record(node, {"kind": "signature", "party": "KAZ", "date": "2013-11-21"})


def test_the_illustrative_history_loads_and_verifies(node: Node) -> None:
    document = json.loads(EXAMPLE.read_text())
    assert document["fictional"] is True
    recorded = record(node, *document["entries"])
    codes = {f["code"] for r in recorded for f in r["flags"]}
    assert codes == {"authorized_bodies_missing", "late_change_notice"}
    report = ledger.verify_ledger(node.runtime, admin(node))
    assert report["ok"] and report["entries"] == len(document["entries"])
    status, names = compute_status(node.runtime, admin(node), date(2022, 3, 1))
    rows = {row[0]: row for row in untc_rows(status, names)}
    assert rows["Turkmenistan"][2].endswith(" a")
    assert rows["Turkmenistan"][4] == "28 Feb 2022"


def test_the_ledger_refuses_update_and_delete_in_the_database(node: Node) -> None:
    record(node, *founding_history())
    for statement in ("UPDATE ledger_entries SET kind = 'x' WHERE seq = 1",
                      "DELETE FROM ledger_entries WHERE seq = 1"):
        with node.runtime.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
            uow.connection.execute(text(statement))


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE ledger_entries SET body = REPLACE(body, '2014-04-01', '2014-04-02') WHERE seq = 6",
     "entry 6: content changed"),
    ("DELETE FROM ledger_entries WHERE seq = 3", "expected entry 3 here"),
    ("DELETE FROM ledger_entries WHERE seq = 7", "entries were deleted"),
    ("UPDATE ledger_entries SET hash = REPLACE(hash, SUBSTR(hash, 1, 1), 'x') WHERE seq = 2",
     "entry 2: content changed"),
], ids=["edited", "deleted-middle", "truncated", "hash-edited"])
def test_tampering_in_the_database_is_detected_and_named(node: Node, statement: str,
                                                         expected: str) -> None:
    record(node, *founding_history())
    drop_append_only_guard(node)
    with node.runtime.unit_of_work() as uow:
        if is_postgres(uow.connection.engine):
            statement = statement.replace(
                "REPLACE(body, '2014-04-01', '2014-04-02')",
                "convert_to(REPLACE(convert_from(body, 'UTF8'), '2014-04-01', '2014-04-02'), "
                "'UTF8')")
        uow.connection.execute(text(statement))
        uow.commit()
    report = ledger.verify_ledger(node.runtime, admin(node))
    assert not report["ok"]
    assert any(expected in problem for problem in report["problems"]), report["problems"]


def test_an_export_verifies_elsewhere_and_a_changed_byte_does_not(node: Node) -> None:
    record(node, *founding_history())
    exported = ledger.export_ledger(node.runtime, admin(node))
    assert ledger.verify_export(json.loads(json.dumps(exported)))["ok"]
    exported["entries"][2]["body"] = exported["entries"][2]["body"].replace("BLR", "BLX")
    report = ledger.verify_export(exported)
    assert not report["ok"] and "entry 3: content changed" in report["problems"][0]
