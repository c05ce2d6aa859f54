"""Input that once answered 500, over real HTTP on SQLite and PostgreSQL (issue 17, low):
account numbers in other scripts' digits (`²` broke `int()`, `٣` read as account 3), and NUL
characters, which PostgreSQL refuses in text: each is now a 4xx, and touches nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.web.ui_session import PASSWORD, account, sign_in

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as http:
        yield http


@pytest.fixture
def third(live_server: LiveServer) -> dict:
    """Account 3 (the first administrator is 1), with a password."""
    account(live_server.node.runtime, "Aigerim", "analyst", "KAZ")
    made = account(live_server.node.runtime, "Timur", "analyst", "KAZ")
    assert made["id"] == 3
    return made


def admin(live_server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {live_server.node.admin_token}"}


@pytest.mark.parametrize("number", ["%C2%B2", "%D9%A3", "%EF%BC%93", "99999999999999999999",
                                    pytest.param("9" * 5000, id="5000-nines")])
def test_an_account_is_numbered_in_ascii_digits_only(
        client: httpx.Client, live_server: LiveServer, third: dict, number: str) -> None:
    refused = client.post(f"/api/v1/accounts/{number}/disable", headers=admin(live_server))
    assert refused.status_code == 404, refused.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {third['token']}"})
    assert me.status_code == 200


def test_ascii_digits_still_name_an_account(client: httpx.Client, live_server: LiveServer,
                                            third: dict) -> None:
    done = client.post("/api/v1/accounts/3/disable", headers=admin(live_server))
    assert done.status_code == 200 and done.json()["name"] == "Timur"


@pytest.mark.parametrize("name", ["²", "٣", "Timur\x00", "\x00"])
def test_signing_in_as_another_scripts_digit_or_with_a_nul_opens_nothing(
        client: httpx.Client, third: dict, name: str) -> None:
    refused = sign_in(client, name, PASSWORD)
    assert refused.status_code == 200 and "password is wrong" in refused.text
    assert "kelisim_session" not in client.cookies
    assert sign_in(client, "3").status_code == 303


@pytest.mark.parametrize("token", ["kls_\x00_secret", "kls_ab\x00cd_secret", "kls_abcd_se\x00"])
def test_a_basic_token_with_a_nul_is_refused_as_malformed(
        client: httpx.Client, token: str) -> None:
    for path, accept in (("/api/v1/me", "application/json"), ("/taxii2/api1/collections/", TAXII)):
        refused = client.get(path, auth=("anyone", token), headers={"Accept": accept})
        assert refused.status_code == 401, (path, refused.text)


@pytest.mark.parametrize("field", ["name", "organization"])
def test_an_account_name_with_a_nul_is_invalid_input(
        client: httpx.Client, live_server: LiveServer, field: str) -> None:
    body = {"name": "KZ", "role": "analyst", "organization_kind": "authorized_body",
            "party": "KAZ", "organization": "KZ-CERT", field: "KZ\x00CERT"}
    refused = client.post("/api/v1/accounts", headers=admin(live_server), json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["field"] == field
    listed = client.get("/api/v1/accounts", headers=admin(live_server)).json()["accounts"]
    assert len(listed) == 1  # the first administrator only


@pytest.mark.parametrize("field", ["title", "description", "alias"])
def test_a_collection_with_a_nul_is_invalid_input(
        client: httpx.Client, live_server: LiveServer, field: str) -> None:
    body = {"title": "KZ feed", field: "KZ\x00feed"}
    refused = client.post("/api/v1/exchange/collections", headers=admin(live_server), json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["field"] == field


def test_a_collection_key_with_a_nul_is_a_bad_request(client: httpx.Client,
                                                  live_server: LiveServer) -> None:
    made = client.post("/api/v1/exchange/collections", headers=admin(live_server),
                       json={"title": "KZ feed", "alias": "kz"})
    assert made.status_code == 201
    grant = client.put("/api/v1/exchange/collections/kz%00/access", headers=admin(live_server),
                       json={"read_parties": ["KAZ"]})
    assert grant.status_code == 400, grant.text
    assert grant.json()["type"].endswith("nul_in_request_target")
    taxii = client.get("/taxii2/api1/collections/kz%00/objects/",
                       headers={**admin(live_server), "Accept": TAXII})
    assert taxii.status_code == 400, taxii.text
    assert taxii.headers["content-type"].startswith("application/taxii+json")
    assert taxii.json()["http_status"] == "400"


def test_a_duplicate_or_empty_alias_is_refused_over_http(client: httpx.Client,
                                                         live_server: LiveServer) -> None:
    first = client.post("/api/v1/exchange/collections", headers=admin(live_server),
                        json={"title": "KZ feed", "alias": "kz"})
    assert first.status_code == 201
    again = client.post("/api/v1/exchange/collections", headers=admin(live_server),
                        json={"title": "again", "alias": "kz"})
    assert again.status_code == 409 and again.json()["field"] == "alias"
    for alias in ("", " "):
        for _ in range(2):
            empty = client.post("/api/v1/exchange/collections", headers=admin(live_server),
                                json={"title": "empty", "alias": alias})
            assert empty.status_code == 400, empty.text


NUL_PROBES = [
    ("/taxii2/api1/collections/{c}/objects/?match[id]=indicator--a%00b", True),
    ("/taxii2/api1/collections/{c}/objects/?match[type]=indic%00ator", True),
    ("/taxii2/api1/collections/{c}/objects/?match[spec_version]=2.1%00", True),
    ("/taxii2/api1/collections/{c}/objects/?match[version]=2021-01-01T00:00:00.000Z%00", True),
    ("/taxii2/api1/collections/{c}/objects/?added_after=2021%00", True),
    ("/taxii2/api1/collections/{c}/objects/?next=ab%00cd", True),
    ("/taxii2/api1/collections/{c}/manifest/?match[id]=indicator--a%00b", True),
    ("/taxii2/api1/collections/{c}/objects/indicator--a%00b/", True),
    ("/taxii2/api1/collections/{c}/objects/indicator--a%00b/versions/", True),
    ("/taxii2/api1/status/ab%00cd/", True),
    ("/verify/KZ%00/1", False),
    ("/verify/KZ-1?party=KA%00Z", False),
    ("/api/v1/public/certificates/KZ%00/1", False),
    ("/api/v1/public/certificates/KZ-1?party=KA%00Z", False),
    ("/api/v1/certification/certificates/KZ%00-1", True),
    ("/api/v1/certification/documents/ab%00cd", True),
    ("/api/v1/status/parties/KA%00Z", True),
    ("/api/v1/depositary/entries?party=KA%00Z", True),
]


@pytest.mark.parametrize(("path", "with_token"), NUL_PROBES, ids=[p for p, _ in NUL_PROBES])
def test_a_nul_in_a_filter_path_or_lookup_is_a_4xx(client: httpx.Client, live_server: LiveServer,
                                                   path: str, with_token: bool) -> None:
    """PostgreSQL refuses NUL in text; every lookup that reaches SQL with one answers 4xx."""
    made = client.post("/api/v1/exchange/collections", headers=admin(live_server),
                       json={"title": "KZ feed"})
    assert made.status_code == 201, made.text
    headers = {**admin(live_server), "Accept": TAXII} if path.startswith("/taxii2/") else (
        admin(live_server) if with_token else {})
    answer = client.get(path.format(c=made.json()["id"]), headers=headers)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
