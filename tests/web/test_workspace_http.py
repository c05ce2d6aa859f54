"""The workspace's API over real HTTP (issue 15): propose, join, agree a deadline, record costs;
refusals are problem details citing the article."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer
from tests.exchange_support import setup_exchange


def _client(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=live_server.base_url, timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


def test_two_parties_agree_a_deadline_and_record_costs_over_http(
        live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    with _client(live_server, ex.tokens["kz"]) as kz, \
            _client(live_server, ex.tokens["ru"]) as ru, \
            _client(live_server, ex.tokens["am"]) as am:
        made = kz.post("/api/v1/workspace/projects", json={
            "kind": "program", "title": "Harmonised standards", "directions": [5]})
        assert made.status_code == 201, made.text
        pid = made.json()["id"]
        assert ru.post(f"/api/v1/workspace/projects/{pid}/participants").status_code == 201
        refused = am.post(f"/api/v1/workspace/projects/{pid}/participants")
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "Art. 13" in refused.json()["detail"]
        stage = kz.post(f"/api/v1/workspace/projects/{pid}/stages", json={
            "title": "Collect", "deadline": "2027-02-01"}).json()["stages"][0]
        for client in (kz, ru):
            assert client.post(f"/api/v1/workspace/projects/{pid}/stages/{stage['id']}/consents",
                               json={"revision": 1}).status_code == 201
        cost = ru.post(f"/api/v1/workspace/projects/{pid}/costs",
                       json={"amount": "99.90", "currency": "RUB", "stage_id": stage["id"]})
        assert cost.status_code == 201, cost.text
        bad = ru.post(f"/api/v1/workspace/projects/{pid}/costs",
                      json={"amount": "1", "currency": "ABC"})
        assert bad.status_code == 400 and "ISO 4217" in bad.json()["detail"]
        seen = am.get(f"/api/v1/workspace/projects/{pid}").json()
        assert seen["stages"][0]["agreed"] is True
        assert seen["costs"]["totals_by_party"] == {"RUS": {"RUB": "99.90"}}
        events = am.get(f"/api/v1/workspace/projects/{pid}/events").json()["events"]
        assert [e["origin_party"] for e in events] == ["KAZ", "RUS", "KAZ", "KAZ", "RUS", "RUS"]
        assert am.get("/api/v1/workspace/projects/nope").status_code == 404
