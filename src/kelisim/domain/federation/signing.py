"""Ed25519 node keys and signed statements (issue 14, the federation's shared design).

Every signed thing is a JSON mapping with a `"type"` key (`"kelisim/roster/1"`, ...). The bytes
signed are `b"kelisim-signed-statement\\n"` followed by the statement's RFC 8785 canonical JSON:
the prefix keeps these signatures apart from any other use of the key, and because the type is
inside the signed bytes a signature of one kind of statement can never be replayed as another.

Public keys (raw 32 bytes) and signatures (raw 64 bytes) travel as unpadded base64url strings;
a key's id is the first 32 hex characters of the SHA-256 of its raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from kelisim.domain.errors import FederationError
from kelisim.domain.ledger import canonical_json

DOMAIN_SEPARATOR = b"kelisim-signed-statement\n"
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64encode(raw: bytes) -> str:
    """Unpadded base64url (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes | None:
    """The bytes of an unpadded base64url string, or None if it is not exactly one.

    Strict: padding, other alphabets, whitespace and non-canonical trailing bits are refused,
    so each value has one spelling (a signature cannot be altered into another valid string).
    """
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if b64encode(raw) == text else None


def signed_bytes(statement: Mapping[str, Any]) -> bytes:
    """The exact bytes a node signs for `statement` (domain-separated, canonical)."""
    if not isinstance(statement, Mapping) or not isinstance(statement.get("type"), str):
        raise FederationError("a signed statement must be a JSON object with a string \"type\" "
                              "(issue 14, signed statements)")
    try:
        return DOMAIN_SEPARATOR + canonical_json(dict(statement))
    except (TypeError, ValueError, OverflowError) as error:
        raise FederationError(f"the statement of type {statement['type']!r} cannot be put in "
                              f"canonical JSON (RFC 8785): {error}") from error


def key_id(public_key: str) -> str:
    """The key id: the SHA-256 hex of the raw public key, its first 32 characters."""
    raw = b64decode(public_key)
    if raw is None or len(raw) != PUBLIC_KEY_BYTES:
        raise FederationError("a node public key must be 32 bytes in unpadded base64url "
                              "(issue 14, signed statements)")
    return hashlib.sha256(raw).hexdigest()[:32]


def public_key_is_valid(public_key: object) -> bool:
    raw = b64decode(public_key) if isinstance(public_key, str) else None
    if raw is None or len(raw) != PUBLIC_KEY_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return False
    return True


def verify(public_key: str, statement: Mapping[str, Any], signature: str) -> bool:
    """Whether `signature` is `public_key`'s over `statement`; False, never an exception, for
    a malformed key, signature or statement."""
    raw_key = b64decode(public_key) if isinstance(public_key, str) else None
    raw_signature = b64decode(signature) if isinstance(signature, str) else None
    if raw_key is None or len(raw_key) != PUBLIC_KEY_BYTES:
        return False
    if raw_signature is None or len(raw_signature) != SIGNATURE_BYTES:
        return False
    try:
        message = signed_bytes(statement)
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_signature, message)
    except (InvalidSignature, FederationError, ValueError):
        return False
    return True


@dataclass(frozen=True, eq=False)
class NodeKey:
    """A node's Ed25519 private key; it signs statements, never raw bytes chosen by a caller.

    Two NodeKeys are equal when they are the same key (same public key)."""

    private_key: Ed25519PrivateKey

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeKey) and other.public_key == self.public_key

    def __hash__(self) -> int:
        return hash(self.public_key)

    @classmethod
    def generate(cls) -> NodeKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> NodeKey:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise FederationError("a node private key is 32 raw bytes (Ed25519, RFC 8032)")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def public_key(self) -> str:
        return b64encode(self.private_key.public_key().public_bytes(Encoding.Raw,
                                                                     PublicFormat.Raw))

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, statement: Mapping[str, Any]) -> str:
        return b64encode(self.private_key.sign(signed_bytes(statement)))

    def __repr__(self) -> str:  # never print the private key
        return f"NodeKey(key_id={self.key_id!r})"
