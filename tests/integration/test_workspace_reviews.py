"""Requests for expert review of R&D work on both databases (issue 15 item 8; Art. 3
direction 16, Art. 6, 9): request, assign, decline, conclude (and revise), close; overdue on
read; who may do what, as a table; a restricted review is "not found" for the other Parties;
the API with problem details and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services.workspace import reviews
from tests.conftest import TODAY, LiveServer
from tests.exchange_support import Exchange, setup_exchange

DEADLINE = TODAY.date() + timedelta(days=30)


@pytest.fixture
def ex(node: Any) -> Exchange:
    return setup_exchange(node)


def request(ex: Exchange, who: str = "kz", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Криптографиялық модуль: ҒЗТКЖ", "summary": "A national crypto module.",
        "directions": [16], "asked": ["RUS", "BLR"], "deadline": DEADLINE, **changes}
    return reviews.request(ex.node.runtime, ex.principals[who], **fields)


def expert(name: str = "A. Ivanov") -> dict[str, str]:
    return {"name": name, "qualification": "Dr. sc., RU-CERT laboratory"}


def test_request_assign_conclude_revise_close(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    made = request(ex)
    rid = made["id"]
    assert made["origin"] == "KAZ" and made["awaiting"] == ["BLR", "RUS"]
    assert made["status"] == "open"
    with pytest.raises(RuleViolation, match="conclusion exists"):
        reviews.close(rt, p["kz"], rid, "too early")
    shown = reviews.assign(rt, p["ru"], rid, [expert(), expert("B. Petrova")])
    ids = [e["id"] for e in shown["experts"]]
    assert [e["party"] for e in shown["experts"]] == ["RUS", "RUS"]
    reviews.decline(rt, p["by"], rid, "No experts in this field")
    with pytest.raises(RuleViolation, match="declined"):
        reviews.assign(rt, p["by"], rid, [expert()])
    with pytest.raises(RuleViolation, match="assigned experts"):
        reviews.decline(rt, p["ru"], rid, "changed our mind")
    with pytest.raises(PermissionDenied, match="RUS"):
        reviews.conclude(rt, p["by"], rid, expert_id=ids[0], verdict="supports", text="x")
    with pytest.raises(InvalidInput):
        reviews.conclude(rt, p["ru"], rid, expert_id=ids[0], verdict="maybe", text="x")
    with pytest.raises(InvalidInput, match="No expert"):
        reviews.conclude(rt, p["ru"], rid, expert_id="nope", verdict="supports", text="x")
    reviews.conclude(rt, p["ru"], rid, expert_id=ids[0], verdict="supports", text="Sound.")
    shown = reviews.conclude(rt, p["ru"], rid, expert_id=ids[0],
                             verdict="supports_with_remarks", text="Sound; key sizes?")
    first = shown["experts"][0]["conclusion"]
    assert first["revision"] == 2 and first["verdict"] == "supports_with_remarks"
    assert shown["awaiting"] == [] and shown["declined"] == {"BLR": "No experts in this field"}
    with pytest.raises(PermissionDenied):
        reviews.close(rt, p["ru"], rid, "not ours")
    ex.node.clock.now = TODAY + timedelta(days=31)
    assert reviews.show(rt, p["by"], rid)["status"] == "overdue"  # Petrova has no conclusion
    assert [r["id"] for r in reviews.listed(rt, p["by"], status="overdue")] == [rid]
    with pytest.raises(RuleViolation, match="deadline"):
        reviews.conclude(rt, p["ru"], rid, expert_id=ids[1], verdict="supports", text="late")
    closed = reviews.close(rt, p["kz"], rid, "Supported with remarks.")
    assert closed["status"] == "closed" and closed["overdue"] is False
    with pytest.raises(RuleViolation, match="closed"):
        reviews.close(rt, p["kz"], rid, "again")
    kinds = [e["kind"] for e in reviews.history(rt, p["kz"], rid)]
    assert kinds == ["review_requested", "review_experts_assigned", "review_declined",
                     "review_concluded", "review_concluded", "review_closed"]


def test_close_after_the_deadline_without_conclusions(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    rid = request(ex)["id"]
    ex.node.clock.now = TODAY + timedelta(days=31)
    with pytest.raises(RuleViolation, match="deadline"):
        reviews.assign(rt, p["ru"], rid, [expert()])
    assert reviews.show(rt, p["kz"], rid)["status"] == "open"  # no expert is late
    assert reviews.close(rt, p["kz"], rid, "No answer.")["closed"] == "No answer."


@pytest.mark.parametrize(("who", "changes", "refusal"), [
    ("am", {}, RuleViolation),  # ARM not bound by the Agreement
    ("kz_reader", {}, PermissionDenied),
    ("depositary", {}, PermissionDenied),
    ("kz", {"asked": []}, InvalidInput),
    ("kz", {"asked": ["RUSSIA"]}, InvalidInput),
    ("kz", {"deadline": date(2026, 11, 25)}, InvalidInput),  # today
    ("kz", {"url": "ftp://x"}, InvalidInput),
    ("kz", {"summary": ""}, InvalidInput),
    ("kz", {"directions": [20]}, InvalidInput),
])
def test_who_requests_what(ex: Exchange, who: str, changes: dict[str, Any],
                           refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        request(ex, who, **changes)


@pytest.mark.parametrize(("who", "refusal"), [
    ("ru", None), ("by", NotFound),  # restricted: BLR neither asked nor requesting (Art. 6)
    ("kz", PermissionDenied),  # the requester is not asked
    ("am", NotFound),
    ("kz_reader", PermissionDenied),
])
def test_who_assigns(ex: Exchange, who: str, refusal: type[Exception] | None) -> None:
    rid = request(ex, asked=["RUS"], restricted=True)["id"]
    act = ex.principals[who]
    if refusal is None:
        assert reviews.assign(ex.node.runtime, act, rid, [expert()])["experts"]
    else:
        with pytest.raises(refusal):
            reviews.assign(ex.node.runtime, act, rid, [expert()])


def test_an_asked_party_no_longer_bound_may_not_assign(ex: Exchange) -> None:
    rid = request(ex, asked=["ARM"])["id"]  # ARM is not bound by the Agreement
    with pytest.raises(RuleViolation, match="not in force"):
        reviews.assign(ex.node.runtime, ex.principals["am"], rid, [expert()])


@pytest.mark.parametrize(("reader", "restricted", "sees"), [
    ("kz", True, True), ("ru", True, True), ("by", True, False), ("am", True, False),
    ("depositary", True, False), ("kz_reader", True, True),
    ("by", False, True), ("am", False, True), ("depositary", False, True),
])
def test_restricted_visibility(ex: Exchange, reader: str, restricted: bool, sees: bool) -> None:
    rt = ex.node.runtime
    rid = request(ex, asked=["RUS"], restricted=restricted)["id"]
    who = ex.principals[reader]
    assert [r["id"] for r in reviews.listed(rt, who)] == ([rid] if sees else [])
    if sees:
        assert reviews.show(rt, who, rid)["restricted"] is restricted
    else:
        with pytest.raises(NotFound):
            reviews.show(rt, who, rid)
        with pytest.raises(NotFound):
            reviews.history(rt, who, rid)


def test_reviews_over_http(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    base = f"{live_server.base_url}/api/v1/workspace"

    def client(who: str) -> httpx.Client:
        return httpx.Client(timeout=10, headers={"Authorization": f"Bearer {ex.tokens[who]}"})

    with client("kz") as kz, client("ru") as ru, client("by") as by:
        made = kz.post(f"{base}/reviews", json={
            "title": "IDS prototype", "summary": "R&D on intrusion detection.",
            "directions": [16], "asked": ["RUS"], "deadline": DEADLINE.isoformat(),
            "restricted": True})
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        hidden = by.get(f"{base}/reviews/{rid}")
        assert hidden.status_code == 404 and hidden.headers["content-type"].startswith(
            "application/problem+json")
        assert by.get(f"{base}/reviews").json()["reviews"] == []
        denied = kz.post(f"{base}/reviews/{rid}/experts",
                         json={"experts": [expert()]})
        assert denied.status_code == 403 and denied.json()["article"] == "Art. 3, 9"
        assigned = ru.post(f"{base}/reviews/{rid}/experts", json={"experts": [expert()]})
        assert assigned.status_code == 201, assigned.text
        eid = assigned.json()["experts"][0]["id"]
        bad = ru.post(f"{base}/reviews/{rid}/conclusions",
                      json={"expert_id": eid, "verdict": "great", "text": "x"})
        assert bad.status_code == 400 and bad.json()["field"] == "verdict"
        assert ru.post(f"{base}/reviews/{rid}/conclusions", json={
            "expert_id": eid, "verdict": "does_not_support", "text": "Not novel."}
        ).status_code == 201
        early = kz.post(f"{base}/reviews/{rid}/closure", json={"summary": "Not supported."})
        assert early.status_code == 200, early.text
        assert early.json()["status"] == "closed"
        again = kz.post(f"{base}/reviews/{rid}/closure", json={"summary": "again"})
        assert again.status_code == 422 and again.json()["article"] == "Art. 3"
        events = kz.get(f"{base}/reviews/{rid}/events").json()["events"]
        assert [e["kind"] for e in events][-1] == "review_closed"
    assert httpx.get(f"{base}/reviews", timeout=10).status_code == 401


def test_reviews_from_the_console(cli: Any) -> None:
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    for name, party in (("kz analyst", "KAZ"), ("ru analyst", "RUS")):
        cli("accounts", "add", name, "--role", "analyst", "--party", party,
            "--organization", f"{party} body")
    code, out, _ = cli("workspace", "review", "request", "Crypto module", "--as", "kz analyst",
                       "--summary", "R&D work.", "--ask", "RUS", "--deadline", "2099-01-31")
    assert code == 0, out
    rid = json.loads(out)["id"]
    code, out, _ = cli("workspace", "review", "assign", rid, "--as", "ru analyst",
                       "--expert", "A. Ivanov|Dr. sc., RU lab")
    assert code == 0, out
    eid = json.loads(out)["experts"][0]["id"]
    code, out, _ = cli("workspace", "review", "conclude", rid, "--as", "ru analyst",
                       "--expert", eid, "--verdict", "supports", "--text", "Sound.")
    assert code == 0 and json.loads(out)["experts"][0]["conclusion"]["verdict"] == "supports"
    code, out, _ = cli("workspace", "review", "close", rid, "--as", "kz analyst",
                       "--summary", "Supported.")
    assert code == 0 and json.loads(out)["status"] == "closed"
    code, out, _ = cli("workspace", "review", "list", "--as", "ru analyst")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [rid]
    with pytest.raises(InvalidInput, match="a day"):
        cli("workspace", "review", "request", "x", "--as", "kz analyst", "--summary", "y",
            "--ask", "RUS", "--deadline", "soon")
