"""Who may create which account, over real HTTP on both databases (issue 17, high): the request
that let a party-admin mint its Party's certification body is refused with a 403 problem detail
and creates nothing; what a party-admin and the depositary may create still works."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_account(client: httpx.Client, token: str, name: str, role: str, kind: str,
                party: str | None) -> httpx.Response:
    return client.post("/api/v1/accounts", headers=auth(token), json={
        "name": name, "role": role, "organization_kind": kind, "party": party})


def names(client: httpx.Client, token: str) -> set[str]:
    listed = client.get("/api/v1/accounts", headers=auth(token))
    assert listed.status_code == 200
    return {a["name"] for a in listed.json()["accounts"]}


@pytest.fixture
def kaz_admin(client: httpx.Client, live_server: LiveServer) -> str:
    made = new_account(client, live_server.node.admin_token, "KAZ admin", "party-admin",
                       "authorized_body", "KAZ")
    assert made.status_code == 201
    return str(made.json()["token"])


def test_a_party_admin_cannot_create_its_partys_certification_body(
        client: httpx.Client, live_server: LiveServer, kaz_admin: str) -> None:
    refused = client.post("/api/v1/accounts", headers=auth(kaz_admin), json={
        "name": "m", "role": "certifier", "organization_kind": "certification_body",
        "party": "KAZ"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert "authorized body only" in problem["detail"]
    assert problem["article"] == "Art. 3 (direction 14)"
    assert "token" not in problem
    assert "m" not in names(client, live_server.node.admin_token)


@pytest.mark.parametrize(("role", "kind", "party"), [
    ("reader", "certification_body", "KAZ"),
    ("depositary", "depositary", None),
    ("reader", "depositary", None),
    ("analyst", "authorized_body", "RUS"),
])
def test_a_party_admin_creates_no_other_kind_of_account(
        client: httpx.Client, live_server: LiveServer, kaz_admin: str, role: str, kind: str,
        party: str | None) -> None:
    refused = new_account(client, kaz_admin, "x", role, kind, party)
    assert refused.status_code == 403, refused.text
    assert "x" not in names(client, live_server.node.admin_token)


@pytest.mark.parametrize("role", ["party-admin", "analyst", "reader"])
def test_a_party_admin_still_creates_its_authorized_bodys_accounts(
        client: httpx.Client, kaz_admin: str, role: str) -> None:
    made = new_account(client, kaz_admin, f"KAZ {role}", role, "authorized_body", "KAZ")
    assert made.status_code == 201, made.text
    assert made.json()["party"] == "KAZ" and made.json()["role"] == role


@pytest.mark.parametrize(("role", "kind", "party"), [
    ("certifier", "certification_body", "KAZ"),
    ("reader", "certification_body", "RUS"),
    ("party-admin", "authorized_body", "KAZ"),
    ("reader", "depositary", None),
])
def test_the_depositary_still_creates_every_kind(
        client: httpx.Client, live_server: LiveServer, role: str, kind: str,
        party: str | None) -> None:
    made = new_account(client, live_server.node.admin_token, "made", role, kind, party)
    assert made.status_code == 201, made.text
    assert made.json()["organization_kind"] == kind
