"""The federation's routes for people, over real HTTP on both databases (issue 14 items 1, 7, 8):
admission asked by the Party's party-admin and granted by the depositary, the federation's
status and transfer record for the party-admin and the depositary only, the UI page in each
language with its picture, and the one-line refusals of a server that is not a node."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.signing import NodeKey
from kelisim.services.depositary import record_entries
from kelisim.services.federation.node import current_roster, init_node
from tests.conftest import LiveServer
from tests.web.ui_session import HISTORY, account, sign_in


def party_descriptor(party: str, url: str, on: str) -> dict:
    key = NodeKey.generate()
    signed = rosters.sign_descriptor(
        rosters.NodeDescriptor(party, url, key.public_key, date.fromisoformat(on)), key)
    return rosters.descriptor_to_json(signed)


@pytest.fixture
def depositary_node(live_server: LiveServer) -> Iterator[LiveServer]:
    rt = live_server.node.runtime
    record_entries(rt, LOCAL_OPERATOR, HISTORY)
    init_node(rt, party=None, url=live_server.base_url)
    yield live_server


def bearer(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def test_a_node_is_admitted_by_its_party_admin_and_the_depositary_never_by_itself(
        depositary_node: LiveServer) -> None:
    rt = depositary_node.node.runtime
    kz_admin = account(rt, "kz admin", "party-admin", "KAZ")
    ru_admin = account(rt, "ru admin", "party-admin", "RUS")
    kz_analyst = account(rt, "kz analyst", "analyst", "KAZ")
    descriptor = party_descriptor("KAZ", "http://127.0.0.1:1", "2026-11-25")
    key_id = descriptor["descriptor"]["key_id"]
    for refused in (ru_admin, kz_analyst):
        with bearer(depositary_node, refused["token"]) as http:
            answer = http.post("/api/v1/federation/admissions", json=descriptor)
            assert answer.status_code == 403, answer.text
    forged = {**descriptor, "signature": party_descriptor("KAZ", "http://x", "2026-11-25")
              ["signature"]}
    with bearer(depositary_node, kz_admin["token"]) as http:
        assert http.post("/api/v1/federation/admissions", json=forged).status_code in (401, 422)
        assert http.post("/api/v1/federation/admissions", json=descriptor).status_code == 201
        # the party-admin cannot admit: only the depositary signs the roster
        decided = http.post(f"/api/v1/federation/admissions/{key_id}/decision",
                            json={"admit": True})
        assert decided.status_code == 403
    roster = current_roster(rt)
    assert roster is not None and [e.party for e in roster.entries] == [None]
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        decided = http.post(f"/api/v1/federation/admissions/{key_id}/decision",
                            json={"admit": True})
        assert decided.status_code == 200, decided.text
        assert decided.json()["roster_serial"] == 2
        again = http.post(f"/api/v1/federation/admissions/{key_id}/decision", json={"admit": True})
        assert again.status_code == 400
        public = httpx.get(f"{depositary_node.base_url}/federation/v1/roster").json()
    signed = rosters.verify_roster(rosters.roster_from_json(public),
                                   public["roster"]["depositary_key"])
    assert [(e.party, e.key_id) for e in signed.entries] == [(None, signed.entries[0].key_id),
                                                           ("KAZ", key_id)]


def test_the_federation_record_is_for_the_depositary_and_party_admins_only(
        depositary_node: LiveServer) -> None:
    rt = depositary_node.node.runtime
    analyst = account(rt, "kz analyst", "analyst", "KAZ")
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        status = http.get("/api/v1/federation/status")
        assert status.status_code == 200 and status.json()["party"] is None
        transfers = http.get("/api/v1/federation/transfers", params={"party": "RUS"})
        assert transfers.status_code == 200 and transfers.json()["items"] == []
        verified = http.get("/api/v1/federation/transfers/verify", params={"party": "RUS"})
        assert verified.json()["ok"] is True
        assert http.get("/api/v1/federation/transfers",
                        params={"party": "RUS", "direction": "sideways"}).status_code == 400
    with bearer(depositary_node, analyst["token"]) as http:
        assert http.get("/api/v1/federation/status").status_code == 403
        assert http.get("/api/v1/federation/transfers",
                        params={"party": "RUS"}).status_code == 403
    # node-to-node routes need a node signature, not a token
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        assert http.get("/federation/v1/ledger").status_code == 401
    assert httpx.get(f"{depositary_node.base_url}/federation/v1/descriptor").status_code == 200


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_federation_page_draws_the_links_in_each_language(
        depositary_node: LiveServer, lang: str) -> None:
    rt = depositary_node.node.runtime
    account(rt, "Dep", "depositary")
    account(rt, "kz analyst", "analyst", "KAZ")
    with httpx.Client(base_url=depositary_node.base_url, timeout=30) as http:
        assert sign_in(http, "Dep").status_code == 303
        page = http.get("/federation", params={"lang": lang})
        assert page.status_code == 200, page.text[:300]
        assert f'<html lang="{lang}">' in page.text
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="federation"' in page.text
        assert 'href="/federation"' in page.text  # in the navigation
        listed = http.get("/federation/transfers", params={"lang": lang, "party": "RUS"})
        assert listed.status_code == 200 and "<table" in listed.text, listed.text[:300]
        wrong = http.get("/federation/transfers", params={"party": "RUS", "direction": "up"})
        assert wrong.status_code == 400
    with httpx.Client(base_url=depositary_node.base_url, timeout=30) as http:
        assert sign_in(http, "kz analyst").status_code == 303
        assert 'href="/federation"' not in http.get("/status").text
        assert http.get("/federation").status_code == 403


def test_a_server_that_is_not_a_node_says_how_to_become_one(live_server: LiveServer) -> None:
    answer = httpx.get(f"{live_server.base_url}/federation/v1/descriptor")
    assert answer.status_code == 404
    assert "kelisim node init" in answer.json()["detail"]


def test_node_init_twice_is_refused_and_the_key_file_is_private(
        depositary_node: LiveServer, tmp_path: Path) -> None:
    rt = depositary_node.node.runtime
    with pytest.raises(Exception, match="already initialized"):
        init_node(rt, party=None, url=depositary_node.base_url)
    key_file = rt.settings.data_dir / "node.key"
    assert key_file.stat().st_mode & 0o077 == 0


def test_a_rotation_is_asked_over_http_signed_by_the_old_key_and_the_new(
        depositary_node: LiveServer) -> None:
    """Issue 14 item 1, decision 0014 "Rotation": the same route as an admission, with the old
    key's signature naming the new key; a rotation the old key did not sign is refused."""
    rt = depositary_node.node.runtime
    kz_admin = account(rt, "kz admin", "party-admin", "KAZ")
    old, new, stranger = NodeKey.generate(), NodeKey.generate(), NodeKey.generate()
    first = rosters.descriptor_to_json(rosters.sign_descriptor(
        rosters.NodeDescriptor("KAZ", "http://127.0.0.1:1", old.public_key,
                               date.fromisoformat("2026-11-25")), old))

    def rotation(previous: NodeKey) -> dict:
        signed = rosters.sign_descriptor(rosters.NodeDescriptor(
            "KAZ", "http://127.0.0.1:1", new.public_key, date.fromisoformat("2026-11-26")), new)
        request = rosters.sign_rotation(signed, previous)
        request["rotation"]["previous_key"] = old.public_key
        return request

    with bearer(depositary_node, kz_admin["token"]) as http:
        assert http.post("/api/v1/federation/admissions", json=first).status_code == 201
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        assert http.post(f"/api/v1/federation/admissions/{old.key_id}/decision",
                         json={"admit": True}).status_code == 200
    with bearer(depositary_node, kz_admin["token"]) as http:
        forged = http.post("/api/v1/federation/admissions", json=rotation(stranger))
        assert forged.status_code in (401, 422), forged.text
        assert "not signed by the key it replaces" in forged.text
        asked = http.post("/api/v1/federation/admissions", json=rotation(old))
        assert asked.status_code == 201, asked.text
        assert asked.json()["rotates"] == old.key_id
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        listed = {a["key_id"]: a for a in http.get("/api/v1/federation/admissions").json()}
        assert listed[new.key_id]["rotates"] == old.key_id
        assert listed[old.key_id]["rotates"] is None
        decided = http.post(f"/api/v1/federation/admissions/{new.key_id}/decision",
                            json={"admit": True})
        assert decided.status_code == 200, decided.text
    roster = current_roster(rt)
    assert roster is not None
    spans = {e.key_id: (e.valid_from.isoformat(), e.valid_until and e.valid_until.isoformat())
             for e in roster.entries if e.party == "KAZ"}
    assert spans == {old.key_id: ("2026-11-25", "2026-11-26"), new.key_id: ("2026-11-26", None)}
    assert httpx.get(f"{depositary_node.base_url}/federation/v1/roster/transitions").json() == []


@pytest.mark.parametrize(("lang", "anchor", "pending"), [
    ("kk", "Сенім зәкірі", "кілті сұралды"), ("ru", "Якорь доверия", "Запрошен новый ключ"),
    ("en", "Trust anchor", "A new key")])
def test_the_federation_page_names_the_anchor_and_a_key_waiting_for_the_roster(
        depositary_node: LiveServer, lang: str, anchor: str, pending: str) -> None:
    """Decision 0014 "Rotation": the node's trust anchor, and the new key it waits to switch to
    (a new key file beside the current one, as `kelisim node rotate-key` leaves it)."""
    from kelisim.services.federation.node import require_node
    from kelisim.storage.node_keys import create_key_file, key_path, pending_key_path

    rt = depositary_node.node.runtime
    account(rt, "Dep", "depositary")
    node = require_node(rt)
    with httpx.Client(base_url=depositary_node.base_url, timeout=30) as http:
        assert sign_in(http, "Dep").status_code == 303
        page = http.get("/federation", params={"lang": lang}).text
        assert f"{anchor}" in page and node.key.key_id in page
        assert pending not in page
        waiting = create_key_file(pending_key_path(key_path(rt.settings.data_dir,
                                                            rt.settings.node_key_file)))
        page = http.get("/federation", params={"lang": lang}).text
        assert pending in page and waiting.key_id in page


@pytest.mark.parametrize(("lang", "expires"), [
    ("kk", "мерзімі бітеді"), ("ru", "истекает"), ("en", "expires on")])
def test_the_federation_page_warns_before_a_node_key_expires_and_names_the_remedy(
        depositary_node: LiveServer, lang: str, expires: str) -> None:
    """Decision 0014 "Key expiry": the depositary admits a key for at most its configured
    lifetime; the page warns `federation_key_warning_days` (30) before it ends."""
    rt = depositary_node.node.runtime
    rt.settings = rt.settings.model_copy(update={"federation_key_lifetime_days": 20})
    account(rt, "Dep", "depositary")
    kz_admin = account(rt, "kz admin", "party-admin", "KAZ")
    descriptor = party_descriptor("KAZ", "http://127.0.0.1:1", "2026-11-25")
    key_id = descriptor["descriptor"]["key_id"]
    with bearer(depositary_node, kz_admin["token"]) as http:
        assert http.post("/api/v1/federation/admissions", json=descriptor).status_code == 201
    with bearer(depositary_node, depositary_node.node.admin_token) as http:
        assert http.post(f"/api/v1/federation/admissions/{key_id}/decision",
                         json={"admit": True}).status_code == 200
        status = http.get("/api/v1/federation/status").json()
    [warning] = status["key_warnings"]
    assert (warning["party"], warning["key_id"], warning["expires_on"], warning["days_left"],
            warning["own"]) == ("KAZ", key_id, "2026-12-15", 20, False)
    assert [p["key_valid_until"] for p in status["peers"]] == ["2026-12-15"]
    with httpx.Client(base_url=depositary_node.base_url, timeout=30) as http:
        assert sign_in(http, "Dep").status_code == 303
        page = http.get("/federation", params={"lang": lang}).text
    assert expires in page and key_id in page and "2026-12-15" in page
    assert "kelisim node rotate-key" in page
    rt.settings = rt.settings.model_copy(update={"federation_key_warning_days": 19})
    with httpx.Client(base_url=depositary_node.base_url, timeout=30) as http:
        assert sign_in(http, "Dep").status_code == 303
        assert expires not in http.get("/federation", params={"lang": lang}).text
