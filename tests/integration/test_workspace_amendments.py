"""Proposals of amendments to the Agreement in the workspace (Art. 11), on both databases:
propose, discuss, consent Party by Party, withdraw; the proposal shows the protocol the
depositary recorded from it; who may do what, as a table; the API and the CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from kelisim.domain.errors import InvalidInput, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.amendments import check_party
from kelisim.services import depositary
from kelisim.services.workspace import amendments
from tests.conftest import LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange
from tests.protocol_history import ART8, PROTOCOL

TITLES = PROTOCOL["titles"]
CHANGES = [{"article": 8, "action": "replace", "text": ART8}]


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def propose(ex: Exchange, who: str = "kz", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"titles": TITLES, "amendments": CHANGES,
                              "note": "Art. 8 lists by electronic means.", **changes}
    return amendments.propose(ex.node.runtime, ex.principals[who], **fields)


@pytest.mark.parametrize(("state", "allowed"), [
    (PartyState.IN_FORCE, True), (PartyState.WITHDRAWING, True),
    (PartyState.PENDING, False), (PartyState.SIGNATORY, False),
    (PartyState.WITHDRAWN, False), (PartyState.NOT_PARTY, False),
])
def test_only_a_party_in_force_proposes_and_consents(state: PartyState, allowed: bool) -> None:
    if allowed:
        check_party("KAZ", state, date(2026, 1, 1))
        return
    with pytest.raises(RuleViolation) as refusal:
        check_party("KAZ", state, date(2026, 1, 1))
    assert refusal.value.article == "Art. 11"


def test_propose_discuss_consent_and_adoption_as_a_protocol(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    made = propose(ex)
    assert made["origin"] == "KAZ" and made["amendments"] == [
        {"article": "8", "action": "replace", "text": ART8}]
    assert made["awaiting_consent"] == ["BLR", "RUS"] and made["agreed"] is False
    amendments.discuss(rt, p["ru"], made["id"], "Согласны, с уточнением сроков.")
    amendments.consent(rt, p["ru"], made["id"])
    with pytest.raises(RuleViolation, match="already consented"):
        amendments.consent(rt, p["ru"], made["id"])
    agreed = amendments.consent(rt, p["by"], made["id"])
    assert agreed["agreed"] is True and agreed["awaiting_consent"] == []
    assert agreed["remarks"][0]["party"] == "RUS" and agreed["protocol"] is None
    depositary.record_entries(rt, ex.admin, [{**PROTOCOL, "proposal": made["id"]}])
    shown = amendments.show(rt, p["kz_reader"], made["id"])
    assert shown["protocol"] == PROTOCOL["protocol"]
    assert [x["id"] for x in amendments.list_proposals(rt, p["am"])] == [made["id"]]
    kinds = [e["kind"] for e in amendments.history(rt, p["kz"], made["id"])]
    assert kinds == ["amendment_proposed", "amendment_discussed", "amendment_consented",
                     "amendment_consented"]


@pytest.mark.parametrize(("who", "changes", "refusal"), [
    ("am", {}, RuleViolation),  # ARM signed but is not bound by the Agreement (Art. 11)
    ("kz_reader", {}, PermissionDenied),
    ("depositary", {}, PermissionDenied),
    ("kz", {"titles": {"kk": "x"}}, InvalidInput),
    ("kz", {"amendments": [{"article": 8, "action": "rewrite"}]}, InvalidInput),
    ("kz", {"amendments": []}, InvalidInput),
])
def test_who_proposes_what(ex: Exchange, who: str, changes: dict[str, Any],
                           refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        propose(ex, who, **changes)


def test_only_the_proposing_party_withdraws_and_then_nothing_more(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    made = propose(ex)
    with pytest.raises(PermissionDenied):
        amendments.withdraw(rt, p["ru"], made["id"], "no")
    gone = amendments.withdraw(rt, p["kz"], made["id"], "Superseded by a wider proposal.")
    assert gone["withdrawn"] == "Superseded by a wider proposal."
    with pytest.raises(RuleViolation, match="withdrawn"):
        amendments.consent(rt, p["ru"], made["id"])


def test_proposals_over_http(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    base = f"{live_server.base_url}/api/v1/workspace/amendments"
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {ex.tokens['kz']}"}) as kz:
        made = kz.post(base, json={"titles": TITLES, "amendments": CHANGES})
        assert made.status_code == 201, made.text
        proposal = made.json()["id"]
        assert kz.get(f"{base}/{proposal}").json()["awaiting_consent"] == ["BLR", "RUS"]
        bad = kz.post(base, json={"titles": TITLES, "amendments": [{"article": 99,
                                                                     "action": "repeal"}]})
        assert bad.status_code == 400 and "Art. 11" in bad.json()["detail"]
        assert kz.get(f"{base}/nope").status_code == 404
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {ex.tokens['ru']}"}) as ru:
        assert ru.post(f"{base}/{proposal}/remarks", json={"text": "Да."}).status_code == 201
        assert ru.post(f"{base}/{proposal}/consent").json()["consents"].keys() == {"KAZ", "RUS"}
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {ex.tokens['am']}"}) as am:
        refused = am.post(f"{base}/{proposal}/consent")
        assert refused.status_code == 422 and refused.json()["article"] == "Art. 11"
    assert httpx.get(base, timeout=10).status_code == 401


def test_proposals_from_the_console(cli: Any, tmp_path: Any) -> None:
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
        "--organization", "KAZ body")
    document = tmp_path / "proposal.json"
    document.write_text(json.dumps({"titles": TITLES, "amendments": CHANGES}), encoding="utf-8")
    code, out, _ = cli("workspace", "amendment", "propose", str(document), "--as", "kz analyst")
    assert code == 0, out
    proposal = json.loads(out)["id"]
    code, out, _ = cli("workspace", "amendment", "discuss", proposal, "--as", "kz analyst",
                       "--text", "Explanatory note follows.")
    assert code == 0 and json.loads(out)["remarks"][0]["party"] == "KAZ"
    code, out, _ = cli("workspace", "amendment", "list", "--as", "kz analyst")
    assert [x["id"] for x in json.loads(out)] == [proposal]
