"""Disputes on both databases (issue 15 item 5; Art. 12): opened by a Party bound with the
Parties concerned, a log of consultations and negotiations, one outcome that closes it; the
Parties not concerned (and the depositary) see nothing until every Party concerned consented to
share, then the subject and outcome without the log; the API and the CLI say the same."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import disputes
from tests.conftest import LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _open(ex: Exchange) -> str:
    made = disputes.open_dispute(ex.node.runtime, ex.principals["kz"],
                                 subject="Reading of restricted-access information",
                                 matter="interpretation", articles=[6, 2], concerned=["rus"])
    assert made["concerned"] == ["KAZ", "RUS"] and made["articles"] == [2, 6]
    return str(made["id"])


def test_a_dispute_from_opening_to_its_outcome(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    did = _open(ex)
    today = rt.clock().date()
    cid = consult.request_consultation(rt, p["ru"], subject="Art. 6", articles=[6],
                                       invited=["KAZ"])["id"]
    logged = disputes.log_negotiation(rt, p["ru"], did, means="consultations", held_on=today,
                                      summary="First round", consultation_id=cid)
    assert logged["log"][0]["consultation_id"] == cid and logged["log"][0]["party"] == "RUS"
    disputes.log_negotiation(rt, p["kz_admin"], did, means="negotiations", held_on=today,
                             summary="Second round")
    with pytest.raises(NotFound, match="may see"):  # a Party not concerned: not even that
        disputes.log_negotiation(rt, p["by"], did, means="negotiations", held_on=today,
                                 summary="x")
    settled = disputes.record_outcome(rt, p["kz"], did, means="negotiations",
                                      text="A common reading of Art. 6")
    assert settled["status"] == "settled" and settled["outcome"]["party"] == "KAZ"
    with pytest.raises(RuleViolation, match="settled"):
        disputes.record_outcome(rt, p["ru"], did, means="consultations", text="again")
    with pytest.raises(RuleViolation, match="closed"):
        disputes.log_negotiation(rt, p["ru"], did, means="negotiations", held_on=today,
                                 summary="late")
    history = disputes.dispute_history(rt, p["ru"], did)
    assert [(e["kind"], e["origin_party"]) for e in history] == [
        ("dispute_opened", "KAZ"), ("dispute_logged", "RUS"), ("dispute_logged", "KAZ"),
        ("dispute_settled", "KAZ")]
    assert all(uuid.UUID(e["id"]).version == 4 for e in history)


def test_others_see_nothing_until_every_party_concerned_shares(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    did = _open(ex)
    disputes.log_negotiation(rt, p["ru"], did, means="negotiations",
                             held_on=rt.clock().date(), summary="Confidential round")
    for outsider in ("by", "am", "depositary", "cert"):
        assert disputes.list_disputes(rt, p[outsider]) == []
        with pytest.raises(NotFound):
            disputes.show_dispute(rt, p[outsider], did)
    assert disputes.show_dispute(rt, p["kz_reader"], did)["view"] == "full"
    with pytest.raises(PermissionDenied):  # a reader sees, but does not act
        disputes.consent_to_share(rt, p["kz_reader"], did)
    disputes.consent_to_share(rt, p["kz"], did)
    with pytest.raises(NotFound):  # one consent of two is not enough
        disputes.show_dispute(rt, p["by"], did)
    with pytest.raises(NotFound):  # an outsider cannot consent to what it cannot see
        disputes.consent_to_share(rt, p["by"], did)
    disputes.consent_to_share(rt, p["ru"], did)
    disputes.record_outcome(rt, p["ru"], did, means="negotiations", text="Settled")
    seen = disputes.show_dispute(rt, p["depositary"], did)
    assert seen["view"] == "shared" and seen["outcome"]["text"] == "Settled"
    assert "log" not in seen and "Confidential" not in json.dumps(seen)
    assert [x["id"] for x in disputes.list_disputes(rt, p["by"])] == [did]
    with pytest.raises(NotFound):  # the log (the events) stays the Parties concerned's
        disputes.dispute_history(rt, p["by"], did)


def test_who_may_open_a_dispute(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    with pytest.raises(RuleViolation, match="not in force for ARM"):  # ARM only signed
        disputes.open_dispute(rt, p["am"], subject="x", matter="application", articles=[12],
                              concerned=["KAZ"])
    with pytest.raises(RuleViolation, match="not in force for ARM"):
        disputes.open_dispute(rt, p["kz"], subject="x", matter="application", articles=[12],
                              concerned=["ARM"])
    with pytest.raises(PermissionDenied):
        disputes.open_dispute(rt, p["depositary"], subject="x", matter="application",
                              articles=[12], concerned=["KAZ", "RUS"])
    with pytest.raises(InvalidInput, match="1-15"):
        disputes.open_dispute(rt, p["kz"], subject="x", matter="application", articles=[16],
                              concerned=["RUS"])
    with pytest.raises(InvalidInput, match="two or more"):
        disputes.open_dispute(rt, p["kz"], subject="x", matter="application", articles=[1],
                              concerned=["KAZ"])
    did = _open(ex)
    with pytest.raises(NotFound):  # a dispute is not a consultation, nor the reverse
        consult.show_consultation(rt, p["kz"], did)
    with pytest.raises(NotFound, match="consultation"):
        disputes.log_negotiation(rt, p["kz"], did, means="negotiations",
                                 held_on=rt.clock().date(), summary="x", consultation_id=did)


def test_the_api_answers_with_problem_details_citing_article_12(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)

    def client(who: str) -> httpx.Client:
        return httpx.Client(base_url=f"{live_server.base_url}/api/v1/workspace", timeout=10,
                            headers={"Authorization": f"Bearer {ex.tokens[who]}"})

    with client("kz") as kz, client("ru") as ru, client("by") as by:
        made = kz.post("/disputes", json={"subject": "Art. 6", "matter": "application",
                                          "articles": [6], "concerned": ["RUS"]})
        assert made.status_code == 201, made.text
        did = made.json()["id"]
        assert by.get(f"/disputes/{did}").status_code == 404
        refused = by.post(f"/disputes/{did}/log", json={
            "means": "negotiations", "held_on": "2026-11-25", "summary": "x"})
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
        bad = kz.post(f"/disputes/{did}/outcome", json={"means": "arbitration", "text": "x"})
        assert bad.status_code == 400 and bad.json()["article"] == "Art. 12"
        assert ru.post(f"/disputes/{did}/log", json={
            "means": "negotiations", "held_on": "2026-11-25",
            "summary": "Met"}).status_code == 201
        for c in (kz, ru):
            assert c.post(f"/disputes/{did}/sharing").status_code == 201
        again = kz.post(f"/disputes/{did}/sharing")
        assert again.status_code == 422 and again.json()["article"] == "Art. 12"
        seen = by.get(f"/disputes/{did}").json()
        assert seen["view"] == "shared" and "log" not in seen
        assert len(ru.get(f"/disputes/{did}/events").json()["events"]) == 4


def test_a_dispute_from_the_console(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    for name, party in (("kz analyst", "KAZ"), ("ru analyst", "RUS"), ("by analyst", "BLR")):
        cli("accounts", "add", name, "--role", "analyst", "--party", party,
            "--organization", f"{party} body")
    code, out, _ = cli("workspace", "dispute", "open", "Art. 6 reading", "--as", "kz analyst",
                       "--article", "6", "--concerned", "RUS")
    assert code == 0, out
    did = json.loads(out)["id"]
    code, out, _ = cli("workspace", "dispute", "log", did, "Met in Minsk", "--as", "ru analyst",
                       "--means", "negotiations", "--held-on",
                       datetime.now(UTC).date().isoformat())
    assert json.loads(out)["log"][0]["summary"] == "Met in Minsk"
    with pytest.raises(NotFound, match=r"Art\. 12"):
        cli("workspace", "dispute", "show", did, "--as", "by analyst")
    code, out, _ = cli("workspace", "dispute", "settle", did, "Agreed", "--as", "kz analyst",
                       "--means", "negotiations")
    assert json.loads(out)["status"] == "settled"
