"""The parameters kelisim hashes passwords with (the suite itself swaps in a cheaper hasher)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters

from kelisim.domain import passwords


def test_passwords_are_hashed_with_argon2id_at_rfc_9106_low_memory_cost() -> None:
    shipped = passwords.HASH_PARAMETERS
    assert shipped.type is Type.ID
    assert (shipped.time_cost, shipped.memory_cost, shipped.parallelism) == (3, 65536, 4)
    stored = PasswordHasher.from_parameters(shipped).hash("a password of ours")
    assert extract_parameters(stored) == shipped
