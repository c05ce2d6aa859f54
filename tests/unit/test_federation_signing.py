"""Node keys sign statements that any node can verify (issue 14, the shared design): the bytes
are domain-separated and canonical, a statement of one type is never valid as another, and a
malformed key or signature is simply not valid (never an exception)."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from kelisim.domain.errors import FederationError, KelisimError
from kelisim.domain.federation.signing import (
    NodeKey,
    b64decode,
    b64encode,
    key_id,
    signed_bytes,
    verify,
)

KEY = NodeKey.from_private_bytes(bytes(range(32)))
OTHER = NodeKey.from_private_bytes(bytes(range(1, 33)))
STATEMENT = {"type": "kelisim/test/1", "party": "KAZ", "n": 3, "names": ["Қазақстан", "é"]}


def test_the_signed_bytes_are_the_prefix_and_the_rfc8785_form() -> None:
    assert signed_bytes({"type": "t", "b": 1, "a": [1.0, "x"]}) == (
        b'kelisim-signed-statement\n{"a":[1,"x"],"b":1,"type":"t"}')


def test_key_order_and_spacing_do_not_change_the_signed_bytes() -> None:
    reordered = json.loads(json.dumps(dict(reversed(list(STATEMENT.items()))), indent=2))
    assert signed_bytes(reordered) == signed_bytes(STATEMENT)
    assert verify(KEY.public_key, reordered, KEY.sign(STATEMENT))


@pytest.mark.parametrize("statement", [{}, {"type": 1}, {"kind": "x"}, ["type"], "type"],
                         ids=["empty", "non-string-type", "no-type", "a-list", "a-string"])
def test_a_statement_without_a_string_type_cannot_be_signed(statement: object) -> None:
    with pytest.raises(FederationError, match="type"):
        signed_bytes(statement)  # type: ignore[arg-type]
    with pytest.raises(FederationError):
        KEY.sign(statement)  # type: ignore[arg-type]


def test_federation_errors_are_kelisim_refusals() -> None:
    assert issubclass(FederationError, KelisimError)


def test_a_signature_verifies_for_its_key_and_statement_only() -> None:
    signature = KEY.sign(STATEMENT)
    assert verify(KEY.public_key, STATEMENT, signature)
    assert not verify(OTHER.public_key, STATEMENT, signature)
    assert not verify(KEY.public_key, {**STATEMENT, "n": 4}, signature)


def test_a_signature_of_one_type_is_not_valid_for_another() -> None:
    signature = KEY.sign(STATEMENT)
    assert not verify(KEY.public_key, {**STATEMENT, "type": "kelisim/other/1"}, signature)


def test_the_signature_is_over_the_prefixed_bytes_not_the_bare_json() -> None:
    raw = b64decode(KEY.sign(STATEMENT))
    public = Ed25519PublicKey.from_public_bytes(b64decode(KEY.public_key) or b"")
    public.verify(raw or b"", signed_bytes(STATEMENT))  # raises if not
    bare = b64encode(KEY.private_key.sign(signed_bytes(STATEMENT)[len(b"kelisim-signed-"
                                                                      b"statement\n"):]))
    assert not verify(KEY.public_key, STATEMENT, bare)


@pytest.mark.parametrize(
    ("public_key", "signature"),
    [
        pytest.param("", "AA", id="empty-key"),
        pytest.param("not base64!", None, id="key-not-base64url"),
        pytest.param(KEY.public_key + "=", None, id="padded-key"),
        pytest.param(KEY.public_key[:-2], None, id="short-key"),
        pytest.param(KEY.public_key, "", id="empty-signature"),
        pytest.param(KEY.public_key, "%%%", id="signature-not-base64url"),
        pytest.param(KEY.public_key, "AAAA", id="short-signature"),
        pytest.param(KEY.public_key, "A" * 86, id="zero-signature"),
        pytest.param(KEY.public_key, 12, id="signature-not-a-string"),
        pytest.param(None, None, id="key-not-a-string"),
    ],
)
def test_a_malformed_key_or_signature_is_not_valid_and_never_raises(public_key: object,
                                                                    signature: object) -> None:
    good = KEY.sign(STATEMENT)
    assert verify(public_key, STATEMENT, good if signature is None else signature) is False  # type: ignore[arg-type]


def test_a_non_canonical_spelling_of_a_valid_signature_is_refused() -> None:
    signature = KEY.sign(STATEMENT)
    assert not verify(KEY.public_key, STATEMENT, signature + "==")
    # 64 bytes in 86 characters leave 4 unused bits in the last one: a lax decoder would read
    # this twin as the same signature
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    assert b64decode(twin) is None
    assert not verify(KEY.public_key, STATEMENT, twin)


def test_a_statement_that_cannot_be_canonical_is_not_valid() -> None:
    assert not verify(KEY.public_key, {"type": "t", "x": float("nan")}, "A" * 86)
    with pytest.raises(FederationError, match="canonical"):
        KEY.sign({"type": "t", "x": float("nan")})


def test_the_key_id_is_the_sha256_of_the_raw_public_key_first_32_hex() -> None:
    raw = b64decode(KEY.public_key)
    assert raw is not None and len(raw) == 32
    assert key_id(KEY.public_key) == KEY.key_id == hashlib.sha256(raw).hexdigest()[:32]
    assert KEY.key_id != OTHER.key_id


@pytest.mark.parametrize("bad", ["", "AAAA", KEY.public_key + "AA", "***"])
def test_a_key_id_of_a_malformed_key_is_refused(bad: str) -> None:
    with pytest.raises(FederationError, match="32 bytes"):
        key_id(bad)


def test_public_keys_and_signatures_travel_as_unpadded_base64url() -> None:
    signature = KEY.sign(STATEMENT)
    assert len(KEY.public_key) == 43 and len(signature) == 86
    assert "=" not in KEY.public_key + signature
    assert set(KEY.public_key + signature) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_key_round_trips_through_its_raw_private_bytes() -> None:
    fresh = NodeKey.generate()
    again = NodeKey.from_private_bytes(fresh.private_bytes())
    assert len(fresh.private_bytes()) == 32
    assert again.public_key == fresh.public_key
    assert verify(fresh.public_key, STATEMENT, again.sign(STATEMENT))
    assert NodeKey.generate().public_key != fresh.public_key


@pytest.mark.parametrize("raw", [b"", b"\x00" * 31, b"\x00" * 33, "0" * 32])
def test_a_private_key_is_32_raw_bytes(raw: object) -> None:
    with pytest.raises(FederationError, match="32 raw bytes"):
        NodeKey.from_private_bytes(raw)  # type: ignore[arg-type]


def test_the_repr_of_a_key_shows_its_id_never_its_private_bytes() -> None:
    assert KEY.key_id in repr(KEY)
    assert KEY.private_bytes().hex() not in repr(KEY)
    assert b64encode(KEY.private_bytes()) not in repr(KEY)


@given(st.binary(max_size=80))
def test_base64url_round_trips_every_byte_string(raw: bytes) -> None:
    assert b64decode(b64encode(raw)) == raw


@given(st.dictionaries(st.text(max_size=8), st.one_of(st.integers(-(2**53 - 1), 2**53 - 1),
                                                      st.text(max_size=8), st.booleans(),
                                                      st.none()), max_size=5),
       st.text(min_size=1, max_size=20))
def test_any_statement_verifies_after_signing_and_not_after_any_change(
        body: dict[str, object], kind: str) -> None:
    statement = {**body, "type": kind}
    signature = KEY.sign(statement)
    assert verify(KEY.public_key, statement, signature)
    assert not verify(KEY.public_key, {**statement, "type": kind + "x"}, signature)
    assert not verify(KEY.public_key, {**statement, "extra\x00": 1}, signature)


def test_two_node_keys_are_equal_when_they_are_the_same_key() -> None:
    assert NodeKey.from_private_bytes(KEY.private_bytes()) == KEY
    assert KEY != OTHER
    assert KEY.__eq__(KEY.public_key) is False
    assert len({KEY, NodeKey.from_private_bytes(KEY.private_bytes()), OTHER}) == 2
