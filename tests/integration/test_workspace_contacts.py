"""Points of contact and communication checks on both databases (issue 15 item 9; Art. 8, 9):
contacts kept as events (added, changed, retired; the current directory and the history), a
check launched by the depositary or a Party reaching every current contact, one-time links of
which only the hash is stored, the response times and the unanswered flagged after the
deadline; the acknowledgement page over real HTTP without signing in (valid, reused, expired,
wrong); the API and the CLI."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from kelisim.domain.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from kelisim.services.workspace import checks, contacts
from tests.conftest import LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange

DESK = {"hours": "24/7", "languages": ["kk", "ru"],
        "channels": [{"kind": "email", "value": "desk@kz-cert.example"}]}


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _directory(ex: Exchange) -> dict[str, str]:
    rt, p = ex.node.runtime, ex.principals
    made = {"kz": contacts.add_contact(rt, p["kz_admin"], name="KZ duty desk", **DESK)["id"],
            "ru": contacts.add_contact(rt, p["ru"], name="RU office", hours="office",
                                       office_hours="Mon-Fri 09-18 MSK", languages=["ru"],
                                       channels=[{"kind": "phone", "value": "+7 495 0"}])["id"]}
    return made


def test_contacts_are_kept_as_events_by_their_own_body(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    ids = _directory(ex)
    with pytest.raises(PermissionDenied, match="own"):
        contacts.retire_contact(rt, p["ru"], ids["kz"])
    with pytest.raises(PermissionDenied):
        contacts.add_contact(rt, p["kz_reader"], name="x", **DESK)
    changed = contacts.change_contact(rt, p["kz"], ids["kz"], name="KZ duty desk",
                                      hours="24/7", languages=["kk", "ru", "en"],
                                      channels=DESK["channels"])
    assert changed["revision"] == 2 and changed["languages"] == ["en", "kk", "ru"]
    assert changed["organization"] == "KZ-CERT"
    contacts.retire_contact(rt, p["ru"], ids["ru"])
    with pytest.raises(RuleViolation, match="retired"):
        contacts.retire_contact(rt, p["ru"], ids["ru"])
    assert [c["id"] for c in contacts.list_contacts(rt, p["am"])] == [ids["kz"]]
    assert len(contacts.list_contacts(rt, p["depositary"], retired=True)) == 2
    shown = contacts.show_contact(rt, p["by"], ids["kz"])
    assert [(e["kind"], e["origin_party"]) for e in shown["history"]] == [
        ("contact_added", "KAZ"), ("contact_changed", "KAZ")]
    assert shown["history"][0]["body"]["languages"] == ["kk", "ru"]  # the old version kept


def test_a_check_from_launch_to_the_report(ex: Exchange) -> None:
    rt, p, clock = ex.node.runtime, ex.principals, ex.node.clock
    _directory(ex)
    launched = checks.launch_check(rt, p["depositary"], hours=2)
    assert launched["origin"] == "CIS" and launched["without_contacts"] == ["BLR"]
    assert sorted(link["party"] for link in launched["links"]) == ["KAZ", "RUS"]
    tokens = {link["party"]: link["path"].rsplit("/", 1)[1] for link in launched["links"]}
    with ex.node.runtime.unit_of_work() as uow:
        stored = uow.connection.execute(text(
            "SELECT token_hash FROM workspace_check_tokens")).scalars().all()
    assert tokens["KAZ"] not in stored  # only the hash is kept
    assert hashlib.sha256(tokens["KAZ"].encode()).hexdigest() in stored
    clock.now += timedelta(minutes=3)
    answered = checks.acknowledge(rt, tokens["KAZ"])
    assert answered["state"] == "answered" and answered["response_seconds"] == 180
    with pytest.raises(Conflict, match="once"):
        checks.acknowledge(rt, tokens["KAZ"])
    with pytest.raises(NotFound, match="not valid"):
        checks.acknowledge(rt, "x" + tokens["RUS"])
    clock.now += timedelta(hours=2)
    with pytest.raises(RuleViolation, match="deadline"):
        checks.acknowledge(rt, tokens["RUS"])
    shown = checks.show_check(rt, p["am"], launched["id"])
    assert {t["party"]: t["state"] for t in shown["targets"]} == {"KAZ": "answered",
                                                                  "RUS": "unanswered"}
    ours = checks.launch_check(rt, p["kz"], hours=1, parties=["kaz"])
    assert ours["origin"] == "KAZ" and [x["party"] for x in ours["links"]] == ["KAZ"]
    report = {r["party"]: r for r in checks.report_checks(rt, p["by"])}
    assert report["KAZ"]["checks"] == 2 and report["KAZ"]["median_seconds"] == 180
    assert report["RUS"]["flagged"] and report["BLR"]["no_contact"] == 1
    assert [c["id"] for c in checks.list_checks(rt, p["kz"])] == [ours["id"], launched["id"]]


def test_who_may_launch_a_check(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    _directory(ex)
    with pytest.raises(PermissionDenied, match=r"Art\. 8"):
        checks.launch_check(rt, p["kz_reader"], hours=1)
    with pytest.raises(RuleViolation, match="not in force for ARM"):
        checks.launch_check(rt, p["am"], hours=1)
    with pytest.raises(RuleViolation, match="not in force for ARM"):
        checks.launch_check(rt, p["kz"], hours=1, parties=["ARM"])
    with pytest.raises(RuleViolation, match="nothing to check"):
        checks.launch_check(rt, p["kz"], hours=1, parties=["BLR"])


ACK_FORM = re.compile(r'id="ack-form"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _press(client: httpx.Client, path: str) -> httpx.Response:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert page.status_code == 200 and found, page.text[:500]
    return client.post(path, data={"csrf_token": found.group(1)})


def test_the_acknowledgement_page_without_signing_in(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    _directory(ex)
    launched = checks.launch_check(live_server.node.runtime, ex.principals["depositary"],
                                   hours=1)
    paths = {link["party"]: link["path"] for link in launched["links"]}
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "ru"}) as anyone:
        page = anyone.get(paths["KAZ"])
        assert page.status_code == 200 and ACK_FORM.search(page.text)
        assert "KZ duty desk" in page.text
        pressed = _press(anyone, paths["KAZ"])
        assert pressed.status_code == 200 and 'id="ack-state"' in pressed.text
        assert not ACK_FORM.search(pressed.text)
        token = CSRF.search(page.text)
        assert token
        again = anyone.post(paths["KAZ"], data={"csrf_token": token.group(1)})
        assert again.status_code == 409 and "alert error" in again.text
        wrong = anyone.get(paths["KAZ"][:-4] + "AAAA")
        assert wrong.status_code == 404 and "alert error" in wrong.text
        forged = anyone.post(paths["RUS"], data={})  # no form token: nothing recorded
        assert forged.status_code == 403
        live_server.node.clock.now += timedelta(hours=1)
        late_page = anyone.get(paths["RUS"])
        assert late_page.status_code == 200 and not ACK_FORM.search(late_page.text)
        late = anyone.post(paths["RUS"], data={"csrf_token": token.group(1)})
        assert late.status_code == 422 and "alert error" in late.text
    shown = checks.show_check(live_server.node.runtime, ex.principals["kz"], launched["id"])
    assert {t["party"]: t["state"] for t in shown["targets"]} == {"KAZ": "answered",
                                                                  "RUS": "unanswered"}


def test_the_api_for_contacts_and_checks(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)

    def client(who: str) -> httpx.Client:
        return httpx.Client(base_url=f"{live_server.base_url}/api/v1/workspace", timeout=10,
                            headers={"Authorization": f"Bearer {ex.tokens[who]}"})

    with client("kz") as kz, client("ru") as ru, client("depositary") as dep:
        made = kz.post("/contacts", json={"name": "Desk", **DESK})
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        bad = kz.post("/contacts", json={"name": "Desk", **DESK, "hours": "office"})
        assert bad.status_code == 400 and bad.json()["field"] == "office_hours"
        refused = ru.put(f"/contacts/{cid}", json={"name": "Mine now", **DESK})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        launched = dep.post("/checks", json={"hours": 4, "parties": ["KAZ"]})
        assert launched.status_code == 201, launched.text
        link = launched.json()["links"][0]
        assert link["url"].startswith(live_server.base_url + "/workspace/checks/ack/")
        report = ru.get("/checks/report", params={"party": "KAZ"}).json()["parties"]
        assert report[0]["party"] == "KAZ" and report[0]["awaiting"] == 1
        assert ru.get(f"/checks/{launched.json()['id']}").json()["targets"][0]["state"] == \
            "awaiting"
        assert kz.get("/contacts", params={"party": "RUS"}).json()["contacts"] == []


def test_contacts_and_a_check_from_the_console(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
        "--organization", "KZ-CERT")
    code, out, _ = cli("workspace", "contact", "add", "KZ duty desk", "--as", "kz analyst",
                       "--hours", "24/7", "--language", "kk", "--language", "ru",
                       "--channel", "email:desk@kz-cert.example")
    assert code == 0, out
    assert json.loads(out)["channels"] == [{"kind": "email", "value": "desk@kz-cert.example"}]
    code, out, _ = cli("workspace", "check", "launch", "--as", "kz analyst", "--hours", "2",
                       "--party", "KAZ", "--base-url", "https://kelisim.example")
    assert code == 0 and "https://kelisim.example/workspace/checks/ack/" in out, out
    code, out, _ = cli("workspace", "check", "launch", "--as", "Depositary administrator",
                       "--json")
    launched = json.loads(out)
    assert launched["origin"] == "CIS" and launched["links"][0]["url"].startswith("http://")
    code, out, _ = cli("workspace", "check", "report", "--as", "kz analyst")
    assert code == 0 and "KAZ" in out and "0/1 0/1" in out and "…" not in out, out
    with pytest.raises(Exception, match="KIND:VALUE"):
        cli("workspace", "contact", "add", "x", "--as", "kz analyst", "--hours", "24/7",
            "--language", "kk", "--channel", "desk@kz-cert.example")
