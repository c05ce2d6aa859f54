"""Node-to-node requests are signed with the node keys (issue 14, item 9; RFC 9421, RFC 9530),
tested over real HTTP: an httpx client with NodeSignatureAuth calls a FastAPI app served by
uvicorn on loopback, whose route verifies with the request as Starlette received it. Any change
to the body, the path, the query, the method, the authority, the key or a clock beyond the skew
is refused with a 401 and its reason."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI, Request
from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.errors import NodeNotAuthenticated
from kelisim.domain.federation.roster import (
    NodeDescriptor,
    Roster,
    admit,
    empty_roster,
    key_resolver,
    revoke,
)
from kelisim.domain.federation.signing import NodeKey, b64decode, b64encode
from kelisim.web.federation_signatures import NodeSignatureAuth, verify_request
from kelisim.web.problems import install_problem_handlers
from tests.conftest import free_port, serving

KAZ = NodeKey.from_private_bytes(b"\x11" * 32)
RUS = NodeKey.from_private_bytes(b"\x12" * 32)
MALLORY = NodeKey.from_private_bytes(b"\x13" * 32)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BODY = b'{"through": 41, "objects": ["indicator--1"]}'


@dataclass
class Peer:
    """The receiving node: its clock and the keys it trusts (key id -> public key)."""

    base_url: str
    now: datetime = NOW
    trusted: dict[str, str] = field(default_factory=lambda: {KAZ.key_id: KAZ.public_key,
                                                             RUS.key_id: RUS.public_key})
    roster: Roster | None = None
    public_url: str | None = None

    def resolve(self, key_id: str) -> str | None:
        if self.roster is not None:
            return key_resolver(self.roster, self.now.date())(key_id)
        return self.trusted.get(key_id)


def node_app(peer: Peer) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.api_route("/federation/v1/{rest:path}", methods=["GET", "POST", "PUT"])
    async def federation(request: Request) -> dict[str, str]:
        key_id = verify_request(request.method, str(request.url), request.headers,
                                await request.body(), peer.resolve, peer.now,
                                public_url=peer.public_url)
        return {"key_id": key_id}

    return app


@pytest.fixture
def peer() -> Iterator[Peer]:
    port = free_port()
    state = Peer(f"http://127.0.0.1:{port}")
    with serving(node_app(state), port):
        yield state


def signed_client(peer: Peer, key: NodeKey = KAZ, at: datetime = NOW) -> httpx.Client:
    return httpx.Client(base_url=peer.base_url, auth=NodeSignatureAuth(key, lambda: at),
                        timeout=10)


def signed_request(peer: Peer, method: str = "POST", path: str = "/federation/v1/push?peer=RUS",
                   body: bytes = BODY, key: NodeKey = KAZ) -> httpx.Request:
    request = httpx.Request(method, peer.base_url + path, content=body)
    return next(NodeSignatureAuth(key, lambda: NOW).auth_flow(request))


def send(request: httpx.Request, *, url: str | None = None, method: str | None = None,
         body: bytes | None = None, **headers: str) -> httpx.Response:
    """Send what was signed, with one part changed after signing."""
    kept = {k: v for k, v in request.headers.items() if k != "content-length"}
    changed = httpx.Request(method or request.method, url or request.url,
                            headers={**kept, **headers},
                            content=request.content if body is None else body)
    with httpx.Client(timeout=10) as client:
        return client.send(changed)


def refused(response: httpx.Response, says: str) -> None:
    assert response.status_code == 401, response.text
    problem = response.json()
    assert problem["type"].endswith("/node_not_authenticated")
    assert says in problem["detail"], problem["detail"]
    assert "RFC 9" in problem["detail"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_a_signed_request_is_accepted_and_names_its_key(peer: Peer, method: str) -> None:
    with signed_client(peer) as client:
        response = client.request(method, "/federation/v1/objects?after=41&limit=2",
                                  content=b"" if method == "GET" else BODY)
    assert response.status_code == 200, response.text
    assert response.json() == {"key_id": KAZ.key_id}
    sent = response.request.headers
    assert sent["content-digest"].startswith("sha-256=:")
    assert 'keyid="' + KAZ.key_id + '"' in sent["signature-input"]
    assert 'alg="ed25519"' in sent["signature-input"]
    assert ('("@method" "@authority" "@path" "@query" "content-digest")'
            in sent["signature-input"])


def test_each_node_is_told_apart_by_its_key(peer: Peer) -> None:
    with signed_client(peer, RUS) as client:
        assert client.get("/federation/v1/roster").json() == {"key_id": RUS.key_id}


def test_a_clock_disagreement_within_the_skew_is_harmless(peer: Peer) -> None:
    for minutes in (-9, 9):
        with signed_client(peer, at=NOW + timedelta(minutes=minutes)) as client:
            assert client.post("/federation/v1/push", content=BODY).status_code == 200


def test_an_unsigned_request_is_refused(peer: Peer) -> None:
    with httpx.Client(base_url=peer.base_url, timeout=10) as client:
        refused(client.post("/federation/v1/push", content=BODY), "unsigned request")


def test_a_tampered_body_is_refused(peer: Peer) -> None:
    request = signed_request(peer)
    refused(send(request, body=BODY.replace(b"41", b"42")), "digest mismatch")
    refused(send(request, body=BODY + b" "), "digest mismatch")
    refused(send(request, body=b""), "digest mismatch")


def test_a_body_and_digest_replaced_together_break_the_signature(peer: Peer) -> None:
    request = signed_request(peer)
    other = signed_request(peer, body=b'{"through": 99}')
    refused(send(request, body=other.content, **{"content-digest":
                                                other.headers["content-digest"]}),
            "bad signature")


@pytest.mark.parametrize(
    "path",
    ["/federation/v1/purge?peer=RUS", "/federation/v1/push?peer=BLR", "/federation/v1/push"],
    ids=["another-path", "another-query", "query-dropped"],
)
def test_a_request_sent_to_another_path_or_query_is_refused(peer: Peer, path: str) -> None:
    refused(send(signed_request(peer), url=peer.base_url + path), "bad signature")


def test_a_request_replayed_with_another_method_is_refused(peer: Peer) -> None:
    refused(send(signed_request(peer), method="PUT"), "bad signature")


def test_a_request_replayed_to_another_node_is_refused(peer: Peer) -> None:
    refused(send(signed_request(peer), host="kelisim.example.by"), "bad signature")


def test_a_key_the_node_does_not_trust_is_refused(peer: Peer) -> None:
    with signed_client(peer, MALLORY) as client:
        refused(client.post("/federation/v1/push", content=BODY), "unknown key")


def test_a_key_removed_from_the_roster_is_refused(peer: Peer) -> None:
    peer.trusted.pop(RUS.key_id)
    with signed_client(peer, RUS) as client:
        refused(client.get("/federation/v1/roster"), "unknown key")


def test_a_signature_by_another_key_under_a_trusted_key_id_is_refused(peer: Peer) -> None:
    genuine = signed_request(peer)
    forged = signed_request(peer, key=MALLORY)
    refused(send(genuine, signature=forged.headers["signature"]), "bad signature")
    impostor = forged.headers["signature-input"].replace(MALLORY.key_id, KAZ.key_id)
    refused(send(forged, **{"signature-input": impostor}), "bad signature")


def test_a_signature_with_a_flipped_bit_is_refused(peer: Peer) -> None:
    request = signed_request(peer)
    label, value = request.headers["signature"].split("=", 1)
    raw = bytearray(base64.b64decode(value.strip(":")))
    raw[10] ^= 1
    flipped = f"{label}=:{base64.b64encode(bytes(raw)).decode()}:"
    refused(send(request, signature=flipped), "bad signature")


@pytest.mark.parametrize(
    ("minutes", "side"),
    [(11, "before this node's clock"), (-11, "after this node's clock")],
    ids=["signed-too-long-ago", "signed-in-the-future"],
)
def test_a_signature_created_outside_the_skew_is_refused(peer: Peer, minutes: int,
                                                         side: str) -> None:
    peer.now = NOW + timedelta(minutes=minutes)
    with signed_client(peer) as client:
        refused(client.post("/federation/v1/push", content=BODY), side)


def test_the_signature_headers_alone_without_the_input_are_refused(peer: Peer) -> None:
    request = signed_request(peer)
    headers = {k: v for k, v in request.headers.items() if k != "signature-input"}
    with httpx.Client(timeout=10) as client:
        response = client.send(httpx.Request("POST", request.url, headers=headers,
                                             content=request.content))
    refused(response, "bad signature")


def test_verify_request_names_the_key_without_a_server() -> None:
    request = next(NodeSignatureAuth(KAZ, lambda: NOW).auth_flow(
        httpx.Request("POST", "https://kelisim.example.kz/federation/v1/push", content=BODY)))
    assert verify_request("POST", str(request.url), request.headers, BODY,
                          {KAZ.key_id: KAZ.public_key}.get, NOW) == KAZ.key_id
    assert b64decode(b64encode(BODY)) == BODY


def test_an_async_client_signs_too(peer: Peer) -> None:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(base_url=peer.base_url, timeout=10,
                                     auth=NodeSignatureAuth(RUS, lambda: NOW)) as client:
            return await client.post("/federation/v1/receipts", content=BODY)

    response = asyncio.run(call())
    assert response.status_code == 200 and response.json() == {"key_id": RUS.key_id}


def test_the_roster_decides_which_keys_are_accepted_on_the_day(peer: Peer) -> None:
    depositary = NodeKey.from_private_bytes(b"\x10" * 32)
    roster = empty_roster(depositary.public_key, "https://dep.example", NOW.date(), NOW)
    roster = admit(roster, NodeDescriptor("KAZ", "https://kaz.example", KAZ.public_key,
                                          NOW.date()), NOW.date())
    roster = admit(roster, NodeDescriptor("RUS", "https://rus.example", RUS.public_key,
                                          NOW.date()), NOW.date())
    peer.roster = revoke(roster, RUS.key_id, NOW.date() + timedelta(days=1))
    with signed_client(peer, RUS) as client:
        assert client.get("/federation/v1/roster").status_code == 200
    peer.now = NOW + timedelta(days=1)
    with signed_client(peer, RUS, at=peer.now) as client:
        refused(client.get("/federation/v1/roster"), "unknown key")
    with signed_client(peer, KAZ, at=peer.now) as client:
        assert client.get("/federation/v1/roster").json() == {"key_id": KAZ.key_id}


def test_behind_a_proxy_the_node_verifies_against_its_public_url(peer: Peer) -> None:
    """The client signed for https://kelisim.example.kz; a TLS-terminating proxy that rewrites
    Host delivered it over http to 127.0.0.1."""
    signed = next(NodeSignatureAuth(KAZ, lambda: NOW).auth_flow(httpx.Request(
        "POST", "https://kelisim.example.kz/federation/v1/push?peer=RUS", content=BODY)))
    delivered = peer.base_url + "/federation/v1/push?peer=RUS"
    refused(send(signed, url=delivered, host=peer.base_url.removeprefix("http://")),
            "bad signature")
    peer.public_url = "https://kelisim.example.kz"
    response = send(signed, url=delivered, host=peer.base_url.removeprefix("http://"))
    assert response.status_code == 200 and response.json() == {"key_id": KAZ.key_id}
    peer.public_url = "https://kelisim.example.by"
    refused(send(signed, url=delivered), "bad signature")


def test_a_resolver_handing_back_another_key_for_an_id_is_not_believed(peer: Peer) -> None:
    peer.trusted[KAZ.key_id] = RUS.public_key
    with signed_client(peer, KAZ) as client:
        refused(client.post("/federation/v1/push", content=BODY), "unknown key")


GOOD = next(NodeSignatureAuth(KAZ, lambda: NOW).auth_flow(
    httpx.Request("POST", "https://kelisim.example.kz/federation/v1/push?peer=RUS", content=BODY)))
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["signature-input", "signature", "content-digest"]), HEADER_TEXT,
       st.booleans())
def test_any_hostile_signature_header_is_a_401_and_nothing_else(name: str, value: str,
                                                               splice: bool) -> None:
    headers = dict(GOOD.headers)
    original = headers[name]
    headers[name] = original[: len(value) % (len(original) + 1)] + value if splice else value
    try:
        key_id = verify_request("POST", str(GOOD.url), headers, BODY,
                                {KAZ.key_id: KAZ.public_key}.get, NOW)
    except NodeNotAuthenticated as error:
        assert "\n" not in error.reason and error.status == 401
    else:  # only a header that still says what was signed (maybe re-spelled) may pass
        assert key_id == KAZ.key_id
