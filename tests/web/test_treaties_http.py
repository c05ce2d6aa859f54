"""Protocols (Art. 11) over HTTP on a real server: recording, the treaties, a protocol's status
per Party on a date, the consolidated text, and the Agreement's endpoints unchanged."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer
from tests.protocol_history import AGREEMENT, HISTORY, P1, PROTOCOL


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def reader(client: httpx.Client, token: str) -> dict[str, str]:
    created = client.post("/api/v1/accounts", headers=auth(token), json={
        "name": "Reader", "role": "reader", "organization_kind": "authorized_body",
        "party": "KAZ"})
    return auth(created.json()["token"])


def test_a_protocol_is_recorded_and_read_as_a_treaty(client: httpx.Client,
                                                     live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    created = client.post("/api/v1/depositary/import", json=HISTORY, headers=auth(token))
    assert created.status_code == 201, created.text
    headers = reader(client, token)
    listed = client.get("/api/v1/treaties", params={"on": "2022-01-01"}, headers=headers)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["treaties"]] == ["cis-infosec-2013", P1]
    status = client.get(f"/api/v1/treaties/{P1}/status", params={"on": "2022-07-10"},
                        headers=headers)
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["treaty"]["in_force"] is True
    assert body["treaty"]["entry_into_force_date"] == "2021-02-10"
    parties = {p["party"]: p for p in body["parties"]}
    assert parties["KAZ"]["state"] == "in_force" and parties["RUS"]["state"] == "withdrawn"
    agreement = client.get("/api/v1/treaties/cis-infosec-2013/status",
                           params={"on": "2016-01-01"}, headers=headers).json()
    old = client.get("/api/v1/status", params={"on": "2016-01-01"}, headers=headers).json()
    assert agreement["parties"] == old["parties"]
    assert old["agreement"] == {"in_force": True, "entry_into_force": "2014-05-31",
                                "notifications_received": 3, "article": "Art. 13"}
    text = client.get("/api/v1/agreement/text", headers=headers,
                      params={"party": "KAZ", "on": "2021-03-01", "lang": "en"})
    assert text.status_code == 200, text.text
    articles = {a["article"]: a for a in text.json()["articles"]}
    assert articles["8"]["text"] == "Article 8 as amended."
    assert articles["8"]["amended_by"][0]["protocol"] == P1


def test_bad_protocol_requests_are_problem_details_naming_the_article(
        client: httpx.Client, live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    client.post("/api/v1/depositary/import", json=AGREEMENT, headers=auth(token))
    bad = client.post("/api/v1/depositary/entries", headers=auth(token),
                      json={**PROTOCOL, "amendments": [{"article": 3, "action": "rewrite"}]})
    assert bad.status_code == 400  # malformed input (InvalidInput); a broken rule is 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["article"] == "Art. 11" and "rewrite" in bad.json()["detail"]
    client.post("/api/v1/depositary/entries", headers=auth(token), json=PROTOCOL)
    unbound = client.post("/api/v1/depositary/entries", headers=auth(token), json={
        "kind": "notification", "party": "ARM", "received": "2021-01-01", "treaty": P1})
    assert unbound.status_code == 422 and unbound.json()["article"] == "Art. 11"
    missing = client.get("/api/v1/treaties/no-such/status", headers=auth(token))
    assert missing.status_code == 404
    lang = client.get("/api/v1/agreement/text", headers=auth(token),
                      params={"party": "KAZ", "lang": "de"})
    assert lang.status_code in (400, 422)
    nobody = client.get("/api/v1/agreement/text", headers=auth(token), params={"party": "XYZ"})
    assert nobody.status_code == 404
    assert client.get("/api/v1/treaties").status_code == 401
