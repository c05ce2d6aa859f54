"""Consultations on both databases (issue 15 item 4; Art. 4, 12): request, answer, schedule,
minutes and decisions, follow-up actions with owners and deadlines, overdue flagged on read; the
events are append-only with global ids and the origin Party; the API and the CLI say the same."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import text

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import projects as ws
from tests.conftest import LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _request(ex: Exchange) -> str:
    made = consult.request_consultation(ex.node.runtime, ex.principals["kz"],
                                        subject="Marking restricted information",
                                        articles=[6, 12], invited=["RUS", "blr"])
    return str(made["id"])


def test_a_consultation_from_request_to_follow_up_actions(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    cid = _request(ex)
    consult.answer_invitation(rt, p["ru"], cid, True)
    consult.answer_invitation(rt, p["by"], cid, False)
    today = rt.clock().date()
    consult.schedule_consultation(rt, p["kz"], cid, held_on=today + timedelta(days=3),
                                  agenda=["Art. 6 markings", ""], online=True)
    with pytest.raises(RuleViolation, match="recorded on or after"):
        consult.record_minutes(rt, p["kz"], cid, minutes="x", present=["KAZ"])
    consult.schedule_consultation(rt, p["kz"], cid, held_on=today, agenda=["Art. 6 markings"],
                                  place="Astana")
    seen = consult.record_minutes(rt, p["kz"], cid, minutes="Agreed a common marking.",
                                  present=["KAZ", "RUS"], decisions=["Draft a joint rule"])
    assert (seen["place"], seen["online"], seen["schedule_revision"]) == ("Astana", False, 2)
    assert seen["present"] == ["KAZ", "RUS"] and seen["declined"] == ["BLR"]
    action = consult.add_action(rt, p["ru"], cid, description="Draft the rule", owner="RUS",
                                deadline=today + timedelta(days=7))["actions"][0]
    with pytest.raises(PermissionDenied, match="owner"):
        consult.complete_action(rt, p["kz"], cid, action["id"])
    ex.node.clock.now += timedelta(days=8)
    late = consult.show_consultation(rt, p["am"], cid)  # any account reads the workspace
    assert late["actions"][0]["overdue"] is True and late["overdue_actions"] == 1
    done = consult.complete_action(rt, p["ru"], cid, action["id"])
    assert done["actions"][0]["overdue"] is False and done["overdue_actions"] == 0
    history = consult.consultation_history(rt, p["by"], cid)
    assert [(e["kind"], e["origin_party"]) for e in history] == [
        ("consultation_requested", "KAZ"), ("consultation_answered", "RUS"),
        ("consultation_answered", "BLR"), ("consultation_scheduled", "KAZ"),
        ("consultation_scheduled", "KAZ"), ("consultation_minutes", "KAZ"),
        ("consultation_action_added", "RUS"), ("consultation_action_done", "RUS")]
    assert all(uuid.UUID(e["id"]).version == 4 for e in history)
    assert [c["id"] for c in consult.list_consultations(rt, p["am"])] == [cid]


def test_who_may_request_answer_and_keep_the_minutes(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    with pytest.raises(RuleViolation, match="not in force for ARM"):
        consult.request_consultation(rt, p["kz"], subject="x", articles=[12], invited=["ARM"])
    with pytest.raises(RuleViolation, match="not in force for ARM"):  # ARM only signed
        consult.request_consultation(rt, p["am"], subject="x", articles=[12], invited=["KAZ"])
    with pytest.raises(PermissionDenied):
        consult.request_consultation(rt, p["kz_reader"], subject="x", articles=[12],
                                     invited=["RUS"])
    with pytest.raises(InvalidInput, match="1-15"):
        consult.request_consultation(rt, p["kz"], subject="x", articles=[16], invited=["RUS"])
    cid = _request(ex)
    with pytest.raises(PermissionDenied, match="not invited"):
        consult.answer_invitation(rt, p["am"], cid, True)
    consult.answer_invitation(rt, p["ru"], cid, True)
    with pytest.raises(RuleViolation, match="already answered"):
        consult.answer_invitation(rt, p["ru"], cid, False)
    with pytest.raises(PermissionDenied, match=r"requested the consultation \(KAZ\)"):
        consult.schedule_consultation(rt, p["ru"], cid, held_on=date(2027, 1, 1), agenda=[],
                                      online=True)
    with pytest.raises(NotFound):  # a consultation is not a project, nor the reverse
        ws.show_project(rt, p["kz"], cid)
    pid = ws.propose_project(rt, p["kz"], kind="project", title="t", directions=[1])["id"]
    with pytest.raises(NotFound):
        consult.show_consultation(rt, p["kz"], pid)


def test_consultation_events_are_append_only(ex: Exchange) -> None:
    cid = _request(ex)
    with ex.node.runtime.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.connection.execute(text("UPDATE workspace_events SET origin_party = 'RUS' "
                                    "WHERE record_id = :id"), {"id": cid})
    with ex.node.runtime.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.connection.execute(text("DELETE FROM workspace_events WHERE record_id = :id"),
                               {"id": cid})
    with ex.node.runtime.unit_of_work() as uow:
        parties = uow.connection.execute(text(
            "SELECT origin_party FROM workspace_events WHERE record_id = :id"),
            {"id": cid}).scalars().all()
    assert parties == ["KAZ"]


def test_the_api_answers_with_problem_details_citing_article_12(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)

    def client(who: str) -> httpx.Client:
        return httpx.Client(base_url=f"{live_server.base_url}/api/v1/workspace", timeout=10,
                            headers={"Authorization": f"Bearer {ex.tokens[who]}"})

    with client("kz") as kz, client("ru") as ru, client("am") as am:
        made = kz.post("/consultations", json={"subject": "Markings", "articles": [6],
                                               "invited": ["RUS"]})
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        refused = am.post(f"/consultations/{cid}/answers", json={"accepted": True})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["article"] == "Art. 12"
        assert ru.post(f"/consultations/{cid}/answers",
                       json={"accepted": True}).status_code == 201
        scheduled = kz.post(f"/consultations/{cid}/schedule",
                            json={"date": "2026-11-25", "agenda": ["a"], "online": True})
        assert scheduled.status_code == 200, scheduled.text
        assert kz.post(f"/consultations/{cid}/minutes", json={
            "minutes": "Met", "present": ["KAZ", "RUS"]}).status_code == 201
        action = ru.post(f"/consultations/{cid}/actions", json={
            "description": "Draft", "owner": "RUS", "deadline": "2026-12-01"})
        assert action.status_code == 201, action.text
        assert am.get("/consultations").json()["consultations"][0]["id"] == cid


def test_a_consultation_from_the_console(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    for name, party in (("kz analyst", "KAZ"), ("ru analyst", "RUS")):
        cli("accounts", "add", name, "--role", "analyst", "--party", party,
            "--organization", f"{party} body")
    code, out, _ = cli("workspace", "consultation", "request", "Markings", "--as", "kz analyst",
                       "--article", "6", "--article", "12", "--invite", "RUS")
    assert code == 0, out
    cid = json.loads(out)["id"]
    code, out, _ = cli("workspace", "consultation", "answer", cid, "--decline",
                       "--as", "ru analyst")
    assert json.loads(out)["declined"] == ["RUS"]
    with pytest.raises(RuleViolation, match=r"already answered"):
        cli("workspace", "consultation", "answer", cid, "--as", "ru analyst")
