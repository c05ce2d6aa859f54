"""The workspace on both databases (issue 15): propose, join, agree a deadline, change it,
record costs and agree shares; a withdrawal ends participation on read; events are append-only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from kelisim.domain.errors import PermissionDenied, RuleViolation
from kelisim.services import depositary
from kelisim.services.workspace import projects as ws
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _project(ex: Exchange) -> str:
    made = ws.propose_project(ex.node.runtime, ex.principals["kz"], kind="project",
                              title="Shared threat catalogue", directions=[9, 1])
    return str(made["id"])


def test_a_project_is_proposed_joined_and_its_deadline_agreed_by_all(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = _project(ex)
    ws.join_project(rt, p["ru"], pid)
    seen = ws.add_stage(rt, p["kz"], pid, title="Collect and analyse", deadline=date(2027, 3, 1),
                        deliverables=["draft legal act"])
    stage = seen["stages"][0]
    assert seen["participants"] == ["KAZ", "RUS"] and stage["agreed"] is False
    ws.consent_to_deadline(rt, p["kz"], pid, stage["id"], 1)
    after = ws.consent_to_deadline(rt, p["ru"], pid, stage["id"], 1)["stages"][0]
    assert after["agreed"] is True
    assert {c["party"] for c in after["consents"]} == {"KAZ", "RUS"}
    changed = ws.change_deadline(rt, p["kz"], pid, stage["id"], date(2027, 4, 1))["stages"][0]
    assert changed["agreed"] is False and changed["awaiting"] == ["KAZ", "RUS"]
    with pytest.raises(RuleViolation, match="revision 2"):
        ws.consent_to_deadline(rt, p["ru"], pid, stage["id"], 1)
    kinds = [e["kind"] for e in ws.project_history(rt, p["by"], pid)]
    assert kinds == ["proposed", "joined", "stage_added", "deadline_consented",
                     "deadline_consented", "deadline_changed"]
    assert [r["id"] for r in ws.list_projects(rt, p["by"])] == [pid]


def test_only_parties_in_force_join_and_only_the_lead_adds_stages(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = _project(ex)
    with pytest.raises(RuleViolation, match="not in force for ARM"):
        ws.join_project(rt, p["am"], pid)  # a signatory only
    with pytest.raises(PermissionDenied):
        ws.join_project(rt, p["kz_reader"], pid)
    ws.join_project(rt, p["ru"], pid)
    with pytest.raises(RuleViolation, match="lead Party"):
        ws.add_stage(rt, p["ru"], pid, title="x", deadline=date(2027, 1, 1))


def test_a_stage_past_its_deadline_is_overdue_on_read(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = _project(ex)
    ws.add_stage(rt, p["kz"], pid, title="first", deadline=date(2026, 12, 1))
    assert ws.show_project(rt, p["kz"], pid)["stages"][0]["overdue"] is False
    ex.node.clock.now = ex.node.clock.now.replace(month=12, day=2)
    assert ws.show_project(rt, p["kz"], pid)["stages"][0]["overdue"] is True


def test_participation_ends_on_the_withdrawal_date_without_any_job(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = _project(ex)
    ws.join_project(rt, p["ru"], pid)
    depositary.record_entries(rt, ex.admin, [{"kind": "withdrawal_notice", "party": "RUS",
                                              "received": "2026-11-25",
                                              "withdrawal_date": "2027-06-01"}])
    seen = ws.show_project(rt, p["kz"], pid)
    assert seen["participants"] == ["KAZ", "RUS"]
    assert seen["participations"][1]["ends_on"] == "2027-06-01"
    ex.node.clock.now = ex.node.clock.now.replace(year=2027, month=6, day=1)
    assert ws.show_project(rt, p["kz"], pid)["participants"] == ["KAZ"]
    with pytest.raises(RuleViolation):
        ws.record_cost(rt, p["ru"], pid, amount="10", currency="RUB")


def test_costs_are_own_unless_shares_are_agreed_by_all(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = _project(ex)
    ws.join_project(rt, p["ru"], pid)
    ws.record_cost(rt, p["kz"], pid, amount="1000.50", currency="KZT")
    ws.record_cost(rt, p["ru"], pid, amount="500", currency="kzt")
    seen = ws.record_cost(rt, p["ru"], pid, amount="20", currency="USD")["costs"]
    assert seen["arrangement"] == "own_costs"
    assert seen["totals_by_party"] == {"KAZ": {"KZT": "1000.50"},
                                       "RUS": {"KZT": "500", "USD": "20"}}
    assert seen["totals_by_currency"] == {"KZT": "1500.50", "USD": "20"}
    ws.propose_shares(rt, p["kz"], pid, {"KAZ": "0.5", "RUS": "0.5"})
    ws.consent_to_shares(rt, p["kz"], pid, 1)
    agreed = ws.consent_to_shares(rt, p["ru"], pid, 1)["costs"]
    assert agreed["arrangement"] == "agreed_shares"
    assert agreed["borne_by_party"]["KAZ"] == {"KZT": "750.250", "USD": "10.0"}


def test_the_events_are_append_only_in_the_database(ex: Exchange) -> None:
    _project(ex)
    with ex.node.runtime.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.connection.execute(text("UPDATE workspace_events SET kind = 'x'"))
