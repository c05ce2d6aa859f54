"""The HTTP API over a real server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from kelisim.services import signin
from tests.conftest import LiveServer

SIGNATURES = [{"kind": "signature", "party": p, "date": "2013-11-20"}
              for p in ("KAZ", "RUS", "BLR")]
NOTIFICATIONS = [
    {"kind": "notification", "party": "KAZ", "received": "2014-03-01",
     "authorized_bodies": [{"name": "KZ CERT"}]},
    {"kind": "notification", "party": "RUS", "received": "2014-04-01"},
    {"kind": "notification", "party": "BLR", "received": "2014-05-01",
     "authorized_bodies": [{"name": "BY body"}]},
]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_and_docs_need_no_token_but_everything_else_does(client: httpx.Client) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
    for path in ("/api/v1/status", "/api/v1/glossary", "/api/v1/depositary/entries",
                 "/api/v1/me", "/api/v1/depositary/ledger/verify"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
    bad = client.get("/api/v1/status", headers=auth("kls_deadbeef_nope"))
    assert bad.status_code == 401 and "no active account" in bad.json()["detail"]


def test_the_depositary_records_and_anyone_with_an_account_reads_the_status(
        client: httpx.Client, live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    created = client.post("/api/v1/depositary/import", json=SIGNATURES + NOTIFICATIONS,
                          headers=auth(token))
    assert created.status_code == 201, created.text
    flags = {e["id"]: e["flags"] for e in created.json()["entries"]}
    assert flags[5] == [{"code": "authorized_bodies_missing", "article": "Art. 8", "entry": 5,
                         "instrument": "notification"}]
    reader = client.post("/api/v1/accounts", headers=auth(token), json={
        "name": "Reader", "role": "reader", "organization_kind": "authorized_body",
        "party": "KAZ"}).json()
    status = client.get("/api/v1/status", params={"on": "2014-06-01"},
                        headers=auth(reader["token"]))
    assert status.status_code == 200
    body = status.json()
    assert body["on"] == "2014-06-01"
    assert body["agreement"]["in_force"] is True
    assert body["agreement"]["entry_into_force"] == "2014-05-31"
    rus = next(p for p in body["parties"] if p["party"] == "RUS")
    assert rus["state"] == "in_force" and rus["flags"][0]["code"] == "authorized_bodies_missing"
    csv = client.get("/api/v1/status", params={"on": "2014-06-01", "format": "csv"},
                     headers=auth(reader["token"]))
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == (
        "Participant,Signature,Notification/Accession (a),Date of effect,Withdrawal")
    assert "Kazakhstan,20 Nov 2013,1 Mar 2014,31 May 2014," in csv.text


def test_a_rule_refusal_is_a_problem_detail_naming_the_article(
        client: httpx.Client, live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    client.post("/api/v1/depositary/import", json=SIGNATURES + NOTIFICATIONS, headers=auth(token))
    refused = client.post("/api/v1/depositary/entries", headers=auth(token), json={
        "kind": "withdrawal_notice", "party": "KAZ", "received": "2015-08-31",
        "withdrawal_date": "2016-01-31"})
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["article"] == "Art. 15"
    assert problem["earliest_withdrawal_date"] == "2016-02-29"
    assert "2016-02-29" in problem["detail"]
    entries = client.get("/api/v1/depositary/entries", headers=auth(token)).json()["entries"]
    assert len(entries) == 6


def test_only_the_depositary_records_instruments(client: httpx.Client,
                                                  live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    analyst = client.post("/api/v1/accounts", headers=auth(token), json={
        "name": "An analyst", "role": "analyst", "organization_kind": "authorized_body",
        "party": "RUS"}).json()
    refused = client.post("/api/v1/depositary/entries", json=SIGNATURES[0],
                          headers=auth(analyst["token"]))
    assert refused.status_code == 403
    assert "Only the depositary" in refused.json()["detail"]
    me = client.get("/api/v1/me", headers=auth(analyst["token"])).json()
    assert me["party"] == "RUS" and me["role"] == "analyst" and "token" not in me


def test_a_party_admin_creates_accounts_of_its_own_party_only(
        client: httpx.Client, live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    admin_kaz = client.post("/api/v1/accounts", headers=auth(token), json={
        "name": "KAZ admin", "role": "party-admin", "organization_kind": "authorized_body",
        "party": "KAZ"}).json()
    own = client.post("/api/v1/accounts", headers=auth(admin_kaz["token"]), json={
        "name": "KAZ analyst", "role": "analyst", "organization_kind": "authorized_body",
        "party": "KAZ"})
    assert own.status_code == 201
    other = client.post("/api/v1/accounts", headers=auth(admin_kaz["token"]), json={
        "name": "RUS analyst", "role": "analyst", "organization_kind": "authorized_body",
        "party": "RUS"})
    assert other.status_code == 403
    listed = client.get("/api/v1/accounts", headers=auth(admin_kaz["token"])).json()["accounts"]
    assert {a["party"] for a in listed} == {"KAZ"}
    assert all("token" not in a and "token_hash" not in a for a in listed)


def test_glossary_agreement_and_states(client: httpx.Client, live_server: LiveServer) -> None:
    headers = auth(live_server.node.admin_token)
    terms = client.get("/api/v1/glossary", headers=headers).json()["terms"]
    assert len(terms) == 25
    crime = next(t for t in terms if t["key"] == "information_crime")
    assert crime["kk"]["term"] and crime["ru"]["term"] and crime["en"]["term"]
    agreement = client.get("/api/v1/agreement", headers=headers).json()
    assert agreement["signed_on"] == "2013-11-20" and len(agreement["articles"]) == 15
    assert len(agreement["signature_blocks"]) == 11
    states = {s["code"] for s in client.get("/api/v1/states", headers=headers).json()["states"]}
    assert "GEO" in states and "KAZ" in states


def test_bad_input_gets_a_clear_error(client: httpx.Client, live_server: LiveServer) -> None:
    headers = auth(live_server.node.admin_token)
    malformed = client.post("/api/v1/depositary/entries", content=b"{not json",
                            headers={**headers, "content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/problem+json"
    bad_date = client.get("/api/v1/status", params={"on": "2016-02-30"}, headers=headers)
    assert bad_date.status_code == 400 and "on" in bad_date.json()["detail"]
    unknown = client.post("/api/v1/depositary/entries", headers=headers,
                          json={"kind": "ratification", "party": "KAZ"})
    assert unknown.status_code == 400 and "Unknown entry kind" in unknown.json()["detail"]


def test_an_oversized_request_is_refused_before_it_is_read(client: httpx.Client,
                                                            live_server: LiveServer) -> None:
    limit = live_server.node.runtime.settings.max_request_bytes
    response = client.post("/api/v1/depositary/import", content=b"[" + b" " * limit + b"]",
                           headers={**auth(live_server.node.admin_token),
                                    "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["title"] == "Request too large"


def test_a_partys_page_shows_its_terms_and_authorized_bodies_over_time(
        client: httpx.Client, live_server: LiveServer) -> None:
    headers = auth(live_server.node.admin_token)
    client.post("/api/v1/depositary/import", headers=headers, json=SIGNATURES + NOTIFICATIONS + [
        {"kind": "authorized_bodies_change", "party": "KAZ", "changed": "2015-01-01",
         "received": "2015-03-01", "authorized_bodies": [{"name": "KZ CERT 2"}]}])
    body = client.get("/api/v1/parties/kaz", params={"on": "2016-01-01"}, headers=headers).json()
    assert body["status"]["state"] == "in_force"
    assert body["status"]["authorized_bodies"] == [{"name": "KZ CERT 2"}]
    assert body["status"]["flags"][0]["code"] == "late_change_notice"
    assert body["status"]["flags"][0]["days_late"] == 29
    assert [h["effective_from"] for h in body["bodies"]] == [
        "2014-03-01", "2015-01-01"]
    assert body["terms"][0]["in_force_from"] == "2014-05-31"
    earlier = client.get("/api/v1/parties/KAZ", params={"on": "2014-12-31"},
                         headers=headers).json()
    assert earlier["status"]["authorized_bodies"] == [{"name": "KZ CERT"}]
    assert client.get("/api/v1/parties/XYZ", headers=headers).status_code == 404


def test_domestic_acts_are_context_not_status(client: httpx.Client,
                                              live_server: LiveServer) -> None:
    acts = client.get("/api/v1/domestic-acts",
                      headers=auth(live_server.node.admin_token)).json()["domestic_acts"]
    kaz = next(a for a in acts if a["party"] == "KAZ")
    assert kaz["date"] == "2018-05-03" and "150-VI" in kaz["reference"]


def test_disabling_an_account_revokes_its_token_at_once(
        client: httpx.Client, live_server: LiveServer) -> None:
    token = live_server.node.admin_token
    made = {name: client.post("/api/v1/accounts", headers=auth(token), json={
        "name": name, "role": role, "organization_kind": "authorized_body", "party": party}).json()
        for name, role, party in (("KAZ admin", "party-admin", "KAZ"),
                                  ("KAZ analyst", "analyst", "KAZ"),
                                  ("RUS analyst", "analyst", "RUS"))}
    kaz_admin = auth(made["KAZ admin"]["token"])
    assert client.get("/api/v1/me", headers=auth(made["KAZ analyst"]["token"])).status_code == 200
    rt = live_server.node.runtime
    signin.set_password(rt, None, "KAZ analyst", "a long passphrase here")
    session = signin.sign_in(rt, "KAZ analyst", "a long passphrase here")
    assert signin.session_principal(rt, session.session_id) is not None
    # A party-admin disables its own Party's accounts only, and never its own.
    other = client.post(f"/api/v1/accounts/{made['RUS analyst']['id']}/disable",
                        headers=kaz_admin)
    assert other.status_code == 403
    itself = client.post("/api/v1/accounts/KAZ admin/disable", headers=kaz_admin)
    assert itself.status_code == 400 and "cannot disable itself" in itself.json()["detail"]
    done = client.post("/api/v1/accounts/KAZ analyst/disable", headers=kaz_admin)
    assert done.status_code == 200 and done.json()["disabled_at"]
    for path in ("/api/v1/me", "/taxii2/api1/collections/"):
        refused = client.get(path, headers=auth(made["KAZ analyst"]["token"]))
        assert refused.status_code == 401, path
    assert signin.session_principal(rt, session.session_id) is None  # browser signed out
    assert client.get("/api/v1/me", headers=auth(made["RUS analyst"]["token"])).status_code == 200
    listed = {a["name"]: a for a in client.get("/api/v1/accounts", headers=auth(token))
              .json()["accounts"]}
    assert listed["KAZ analyst"]["disabled_at"] and listed["RUS analyst"]["disabled_at"] is None
    again = client.post(f"/api/v1/accounts/{made['KAZ analyst']['id']}/disable",
                        headers=auth(token))
    assert again.status_code == 404  # already disabled: no active account of that id
