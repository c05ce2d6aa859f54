"""Node-to-node requests authenticated by the node keys: RFC 9421 HTTP Message Signatures
(issue 14, item 9), with the `http-message-signatures` package.

Every request a node sends another carries `Signature-Input`/`Signature` (label `kelisim`, tag
`kelisim-federation/1`, `alg="ed25519"`, `keyid` = the node's key id, `created`) over:

- `@method`, `@authority`, `@path`, `@query`: what is asked, of which node. Not `@target-uri`:
  it includes the scheme, and behind the usual TLS-terminating reverse proxy the client signs
  `https://...` while the application sees `http://...`; the authority and the path survive a
  proxy that forwards the Host header (`proxy_set_header Host $host`). A node behind a proxy
  that rewrites Host verifies with `public_url=` its own URL (the one on its descriptor).
- `content-digest` (RFC 9530, sha-256) of the body, empty bodies included, checked here
  against the bytes received, so a body cannot be swapped under a valid signature.

TLS stays underneath in production; mutual TLS was not chosen because the node keys already
identify nodes on the depositary-signed roster (rotation and revocation are roster entries, not
certificates to reissue), and a signature survives proxies that terminate TLS.

`created` must lie within `max_skew` (10 minutes) of the verifier's clock, either way: nodes may
disagree on the clock by minutes without harm. There is no nonce: a replay within the window
repeats a request that federation makes idempotent anyway (sync cursors, snapshot
generations), and it can be addressed to no other node (the authority is signed).
Which key ids are trusted, and for which Party on which day, is the caller's `resolve_key`
(the roster's `speaker`); this module only answers "which key signed this request".
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)

from kelisim.domain.errors import NodeNotAuthenticated
from kelisim.domain.federation.signing import NodeKey, b64decode, public_key_is_valid
from kelisim.domain.federation.signing import key_id as node_key_id

LABEL = "kelisim"
TAG = "kelisim-federation/1"
COVERED = ("@method", "@authority", "@path", "@query", "content-digest")
MAX_SKEW = timedelta(minutes=10)
_SPEC = "RFC 9421; issue 14, item 9"


class _SigningKey(HTTPSignatureKeyResolver):
    def __init__(self, key: NodeKey) -> None:
        self.key = key

    def resolve_private_key(self, key_id: str) -> Any:
        return self.key.private_key

    def resolve_public_key(self, key_id: str) -> Any:
        return self.key.private_key.public_key()


class NodeSignatureAuth(httpx.Auth):
    """httpx authentication that signs every request with the node's key (created = clock())."""

    requires_request_body = True

    def __init__(self, key: NodeKey, clock: Callable[[], datetime]) -> None:
        self.key = key
        self.clock = clock
        self._signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519,
                                         key_resolver=_SigningKey(key))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._signer.sign(request, key_id=self.key.key_id, created=self.clock(), label=LABEL,
                          tag=TAG, covered_component_ids=COVERED, body=request.content,
                          use_existing_digest=True)
        yield request


class _Fields:
    """A read-only view of received header lines, as the library reads them."""

    def __init__(self, lines: Iterable[tuple[str, str]]) -> None:
        self._lines = list(lines)

    def items(self) -> list[tuple[str, str]]:
        return self._lines

    def __iter__(self) -> Any:
        return iter(dict.fromkeys(name for name, _ in self._lines))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(n.lower() == name.lower() for n, _ in self._lines)


class _Received:
    def __init__(self, method: str, url: str, headers: _Fields) -> None:
        self.method, self.url, self.headers = method, url, headers


class _Refused(InvalidSignature):
    """Raised from inside the library's verification with the reason to give."""


class _Resolver(HTTPSignatureKeyResolver):
    def __init__(self, resolve_key: Callable[[str], str | None]) -> None:
        self.resolve_key = resolve_key

    def resolve_public_key(self, key_id: str) -> Any:
        public_key = self.resolve_key(key_id)
        # the key id is the key's own hash: a resolver cannot hand back another node's key
        if public_key is None or not public_key_is_valid(public_key) or (
                node_key_id(public_key) != key_id):
            raise _Refused(f"unknown key: {key_id!r} speaks for no node on the roster today")
        return Ed25519PublicKey.from_public_bytes(b64decode(public_key) or b"")

    def resolve_private_key(self, key_id: str) -> Any:
        raise NotImplementedError


class _Verifier(HTTPMessageVerifier):
    """The library's verifier, with this node's clock and skew instead of the wall clock."""

    def __init__(self, resolve_key: Callable[[str], str | None], now: datetime,
                 max_skew: timedelta) -> None:
        super().__init__(signature_algorithm=algorithms.ED25519,
                         key_resolver=_Resolver(resolve_key))
        self.now, self.skew = now, max_skew

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        created = sig_input.params.get("created")
        if type(created) is not int:
            raise _Refused("the signature has no created time")
        try:
            when = datetime.fromtimestamp(created, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise _Refused(f"the signature's created time {created} is not a time") from None
        side = ("after" if when > self.now + self.skew
                else "before" if when < self.now - self.skew else None)
        if side is not None:
            raise _Refused(f"the signature was created at {when.isoformat()}, more than "
                           f"{_minutes(self.skew)} {side} this node's clock "
                           f"({self.now.isoformat()})")
        if "expires" in sig_input.params:
            raise _Refused("an expires parameter is not used by kelisim nodes")


def verify_request(method: str, url: str, headers: Mapping[str, str], body: bytes,
                   resolve_key: Callable[[str], str | None], now: datetime,
                   max_skew: timedelta = MAX_SKEW, *, public_url: str | None = None) -> str:
    """The key id that signed this request; NodeNotAuthenticated (401) with a one-line reason
    if it is unsigned, by an unknown key, badly signed, its body does not match its signed
    digest, or created outside `max_skew` of `now`.

    `public_url` (the node's own URL, as on its descriptor) replaces the scheme and authority
    of `url`, for a node behind a proxy that does not forward the Host it was called by."""
    if public_url is not None:
        url = _at(public_url, url)
    fields = _Fields(headers.items())
    if "signature-input" not in fields and "signature" not in fields:
        raise NodeNotAuthenticated(f"unsigned request: node-to-node requests carry an HTTP "
                                   f"message signature ({_SPEC})")
    verifier = _Verifier(resolve_key, now, max_skew)
    try:
        result = verifier.verify(_Received(method.upper(), url, fields), max_age=None,
                                 expect_tag=TAG, require_components=COVERED)[0]
    except _Refused as error:
        raise NodeNotAuthenticated(f"{error} ({_SPEC})") from None
    except (InvalidSignature, HTTPMessageSignaturesException) as error:
        raise NodeNotAuthenticated(f"bad signature: {_reason(error)} ({_SPEC})") from None
    if result.parameters.get("alg") != "ed25519":
        raise NodeNotAuthenticated(f'bad signature: alg="ed25519" is required ({_SPEC})')
    try:
        ContentDigest.verify(result.covered_components['"content-digest"'], body)
    except (InvalidSignature, HTTPMessageSignaturesException, KeyError):
        raise NodeNotAuthenticated("digest mismatch: the body is not the one signed "
                                   "(RFC 9530 Content-Digest; issue 14, item 9)") from None
    return str(result.parameters["keyid"])


def _at(public_url: str, url: str) -> str:
    public, received = urlsplit(public_url), urlsplit(url)
    return urlunsplit((public.scheme, public.netloc, received.path, received.query, ""))


def _reason(error: Exception) -> str:
    text = str(error).strip()
    if not text or text == "InvalidSignature":
        return "it does not verify over the signed method, authority, path, query and digest"
    return text.splitlines()[0]


def _minutes(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
