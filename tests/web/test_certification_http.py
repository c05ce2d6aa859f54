"""The certification registry over real HTTP on loopback, on SQLite and PostgreSQL: accounts record
only what access.py allows, verification answers with reasons, the feed, and the public
verification (no token) that shows only what the scheme made public."""

from __future__ import annotations

import httpx
import pytest

from tests.certification_data import ARRANGEMENTS, DEPOSITARY_HISTORY, SCHEMES, certificate_json
from tests.conftest import LiveServer


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(live_server: LiveServer) -> httpx.Client:
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        yield client


def account(http: httpx.Client, admin: str, **fields: str) -> str:
    created = http.post("/api/v1/accounts", headers=auth(admin), json=fields)
    assert created.status_code == 201, created.text
    return created.json()["token"]


@pytest.fixture
def tokens(http: httpx.Client, live_server: LiveServer) -> dict[str, str]:
    admin = live_server.node.admin_token
    assert http.post("/api/v1/depositary/import", headers=auth(admin),
                     json=DEPOSITARY_HISTORY).status_code == 201
    tokens = {"admin": admin}
    for party in ("KAZ", "RUS", "BLR"):
        tokens[f"cert-{party}"] = account(http, admin, name=f"{party} CB", role="certifier",
                                          organization_kind="certification_body", party=party)
        tokens[f"admin-{party}"] = account(http, admin, name=f"{party} admin",
                                           role="party-admin",
                                           organization_kind="authorized_body", party=party)
    for raw in SCHEMES.values():
        response = http.post("/api/v1/certification/schemes", json=raw,
                             headers=auth(tokens[f"cert-{raw['party']}"]))
        assert response.status_code == 201, response.text
    for raw in ARRANGEMENTS.values():
        party = SCHEMES[raw["recognising_scheme"]]["party"]
        response = http.post("/api/v1/certification/arrangements", json=raw,
                             headers=auth(tokens[f"admin-{party}"]))
        assert response.status_code == 201, response.text
    return tokens


def test_a_certifier_records_for_its_own_party_only_and_refusals_are_problems(
        http: httpx.Client, tokens: dict[str, str]) -> None:
    own = http.post("/api/v1/certification/certificates", headers=auth(tokens["cert-KAZ"]),
                    json=certificate_json("KZ/2021/1", "KZ-CC", level="EAL4"))
    assert own.status_code == 201, own.text
    other = http.post("/api/v1/certification/certificates", headers=auth(tokens["cert-RUS"]),
                      json=certificate_json("KZ/2021/2", "KZ-CC"))
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["article"] == "Art. 3 (direction 14)"
    bad = http.post("/api/v1/certification/certificates", headers=auth(tokens["cert-KAZ"]),
                    json=certificate_json("KZ/2021/3", "KZ-CC", level="EAL9"))
    assert bad.status_code == 400 and "not on the scale" in bad.json()["detail"]
    duplicate = http.post("/api/v1/certification/certificates", headers=auth(tokens["cert-KAZ"]),
                          json=certificate_json("KZ/2021/1", "KZ-CC"))
    assert duplicate.status_code == 409
    no_token = http.get("/api/v1/certification/certificates")
    assert no_token.status_code == 401
    shown = http.get("/api/v1/certification/certificates/KZ/2021/1",
                     headers=auth(tokens["admin-RUS"]))
    assert shown.status_code == 200 and shown.json()["number"] == "KZ/2021/1"


def test_verification_suspension_and_the_feed(http: httpx.Client,
                                              tokens: dict[str, str]) -> None:
    kz = auth(tokens["cert-KAZ"])
    http.post("/api/v1/certification/certificates", headers=kz,
              json=certificate_json("KZ-7", "KZ-CC", level="EAL4", expires="2029-01-01"))
    reader = auth(tokens["admin-RUS"])
    verdict = http.get("/api/v1/certification/verify", headers=reader,
                       params={"number": "KZ-7", "in": "RUS", "on": "2025-06-01"}).json()
    assert verdict["verdict"]["valid"] is True
    assert verdict["verdict"]["recognised"] == [{"document": "CC-3.1", "level": "EAL2",
                                                 "augmentations": []}]
    suspended = http.post("/api/v1/certification/events", headers=kz, json={
        "number": "KZ-7", "event": "suspended", "on": "2026-11-01", "reason": "flaw"})
    assert suspended.status_code == 201, suspended.text
    feed = http.get("/api/v1/certification/changes", headers=reader,
                    params={"changed_since": "2026-11-25T00:00:00Z", "event": "suspended"})
    assert feed.status_code == 200
    [change] = feed.json()["changes"]
    assert (change["number"], change["recognised_in"]) == ("KZ-7", ["RUS"])
    stix = http.get(f"/api/v1/certification/changes/{change['seq']}/stix", headers=reader)
    assert [o["type"] for o in stix.json()["objects"]][-1] == "note"
    after = http.get("/api/v1/certification/verify", headers=reader,
                     params={"number": "KZ-7", "in": "RUS", "on": "2026-11-02"}).json()
    assert after["verdict"]["valid"] is False
    assert after["verdict"]["reasons"][-1]["code"] == "suspended"
    bad_date = http.get("/api/v1/certification/changes", headers=reader,
                        params={"changed_since": "yesterday"})
    assert bad_date.status_code == 400
    assert http.get("/api/v1/certification/ledger/verify", headers=reader).json()["ok"] is True


def test_import_and_export_over_http(http: httpx.Client, tokens: dict[str, str]) -> None:
    csv_text = ("Category,Name,Manufacturer,Scheme,Assurance Level,Protection Profile(s),"
                "Certification Date,Archived Date,Certification Report URL,Security Target URL,"
                "Maintenance Date,Maintenance Title,Maintenance Report,Maintenance ST\r\n"
                "Anti-Malware Tools,Shield AV,Shield,RU,4,,02/01/2022,02/01/2027,,,,,,\r\n")
    headers = {**auth(tokens["cert-RUS"]), "content-type": "text/csv"}
    imported = http.post("/api/v1/certification/import", params={"scheme": "RU-FSTEC"},
                         headers=headers, content=csv_text.replace(",4,", ",FSTEC-UD: 4,"))
    assert imported.status_code == 201, imported.text
    refused = http.post("/api/v1/certification/import", params={"scheme": "RU-FSTEC"},
                        headers=headers, content=csv_text.replace("02/01/2022", "2022-02-01"))
    assert refused.status_code == 400 and refused.json()["errors"][0]["line"] == 2
    exported = http.get("/api/v1/certification/export", headers=auth(tokens["admin-KAZ"]))
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[1].startswith("Anti-Malware Tools,Shield AV,Shield,RU-FSTEC,")


def test_public_verification_needs_no_token_and_shows_only_public_fields(
        http: httpx.Client, tokens: dict[str, str]) -> None:
    for number, scheme, party, extra in (("KZ-PUB", "KZ-CC", "KAZ", {}),
                                         ("BY-HIDDEN", "BY-OAC", "BLR", {"issued": "2020-01-01"})):
        created = http.post("/api/v1/certification/certificates",
                            headers=auth(tokens[f"cert-{party}"]),
                            json=certificate_json(number, scheme, level="EAL2", **extra))
        assert created.status_code == 201, created.text
    public = http.get("/api/v1/public/certificates/KZ-PUB", params={"in": "RUS",
                                                                    "on": "2025-01-01"})
    assert public.status_code == 200
    body = public.json()
    assert set(body["certificate"]) == {"product", "vendor", "category"}
    assert body["verdict"]["valid"] is True
    dumped = public.text
    for secret in ("2021-03-01", "2026-03-01", "EAL2", "1.0"):
        assert secret not in dumped, secret
    page = http.get("/verify/KZ-PUB", params={"in": "RUS", "on": "2025-01-01", "lang": "en"})
    assert page.status_code == 200 and "Valid in" in page.text and "Product KZ-PUB" in page.text
    assert "2026-03-01" not in page.text
    hidden = http.get("/api/v1/public/certificates/BY-HIDDEN")
    assert hidden.status_code == 404
    assert http.get("/api/v1/public/certificates/NO-SUCH").status_code == 404


@pytest.mark.parametrize("media_type", ["text/html", "image/svg+xml", "application/pdf"])
def test_a_stored_document_comes_back_as_a_sandboxed_attachment(
        http: httpx.Client, tokens: dict[str, str], media_type: str) -> None:
    """An uploaded document declared text/html is downloaded, never rendered as a page of the
    node (issue 17): attachment, nosniff, a sandbox CSP; its bytes are the bytes stored."""
    body = b"<html><script>alert(document.cookie)</script></html>"
    stored = http.post("/api/v1/certification/documents", params={"scheme": "KZ-CC"},
                       content=body, headers={**auth(tokens["cert-KAZ"]),
                                              "Content-Type": media_type})
    assert stored.status_code == 201, stored.text
    sha256 = stored.json()["sha256"]
    read = http.get(f"/api/v1/certification/documents/{sha256}", headers=auth(tokens["cert-KAZ"]))
    assert read.status_code == 200, read.text
    assert read.content == body
    assert read.headers["content-type"].startswith(media_type)
    assert read.headers["content-disposition"] == f'attachment; filename="{sha256}"'
    assert read.headers["x-content-type-options"] == "nosniff"
    assert read.headers["content-security-policy"].startswith("sandbox")
