"""Passwords for signing in to the web UI: argon2id hashes, never the password itself.

Why argon2id: it is the memory-hard hash OWASP's Password Storage Cheat Sheet recommends first,
so a stolen `accounts` table costs an attacker real work per guess. Tokens (domain/accounts.py)
stay the credential of scripts; a password is optional and only opens a browser session.
"""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kelisim.domain.errors import N_, InvalidInput, Message

MIN_LENGTH = 10
MAX_LENGTH = 200

HASH_PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY
"""argon2id, t=3, m=64 MiB, p=4: RFC 9106's second recommended option, for machines whose memory
the first (2 GiB per hash) would exhaust. The test suite swaps `_hasher` for a cheap one and
checks these separately."""

_hasher = PasswordHasher.from_parameters(HASH_PARAMETERS)

# Verifying against this when the account does not exist keeps the time of a failed sign-in the
# same whether or not the name is known (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash("kelisim-no-such-account")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(Message(N_("A password needs at least {count} characters."),
                                   count=MIN_LENGTH), field="password", min_length=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(Message(N_("A password has at most {count} characters."),
                                   count=MAX_LENGTH), field="password")
    if password.strip() != password or not password.strip():
        raise InvalidInput(Message(N_("A password may not start or end with spaces.")),
                           field="password")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def password_matches(password: str, stored_hash: str | None) -> bool:
    """True if `password` matches; a missing hash spends the same time and answers False."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
