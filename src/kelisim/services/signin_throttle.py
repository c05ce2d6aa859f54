"""Sign-in attempts limited per account and per client address, in a sliding minute.

OWASP's Authentication Cheat Sheet: throttle guessing per account *and* per source, so neither
one account nor one address can be used to guess fast. The attempts are rows of the database
(`ui_signin_attempts`), so every `kelisim up` process on it, and every worker, counts the same
attempts (docs/decisions/0006-ui-sessions.md).

What is counted is normalised first, so that no spelling gets a budget of its own: a name or id
that opens an account counts against that account (`2`, `02` and the name of account 2 share
one budget; only ASCII digits are an id), anything else against its case-folded form; an IPv6
client counts by its /64 network, the block one subscriber is usually given. The table keeps the
last minute only, and at most MAX_ROWS rows.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from kelisim.domain.inputs import ascii_number, storable
from kelisim.services.runtime import Runtime
from kelisim.storage.unit_of_work import UnitOfWork

ACCOUNT_FAILURES_PER_MINUTE = 5
ADDRESS_ATTEMPTS_PER_MINUTE = 20
WINDOW = timedelta(minutes=1)
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Attempt:
    account_bucket: str
    address_bucket: str
    retry_after: int
    """Seconds until this account and address may try again; 0: they may try now."""


def begin_attempt(rt: Runtime, account: str, address: str) -> Attempt:
    now = rt.clock()
    with rt.unit_of_work() as uow:
        account_bucket = _bucket("account", _account_key(uow, account))
        address_bucket = _bucket("address", address_key(address))
        since = now - WINDOW
        wait = max(
            _wait(uow.sessions.recent_attempts(account_bucket, since, ACCOUNT_FAILURES_PER_MINUTE),
                  ACCOUNT_FAILURES_PER_MINUTE, now),
            _wait(uow.sessions.recent_attempts(address_bucket, since, ADDRESS_ATTEMPTS_PER_MINUTE),
                  ADDRESS_ATTEMPTS_PER_MINUTE, now))
    return Attempt(account_bucket, address_bucket, wait)


def record_attempt(rt: Runtime, attempt: Attempt, *, failed: bool) -> None:
    """Count the attempt against the address, and a failure against the account too."""
    now = rt.clock()
    buckets = [attempt.address_bucket, *([attempt.account_bucket] if failed else [])]
    with rt.unit_of_work() as uow:
        uow.sessions.forget_attempts(now - WINDOW, MAX_ROWS - len(buckets))
        uow.sessions.add_attempts(buckets, now)
        uow.commit()


def account_key(name_or_id: str) -> str:
    """The spelling-independent key of an identifier that opens no account."""
    cleaned = name_or_id.strip()
    number = ascii_number(cleaned)
    if number is not None:
        return f"id:{number}"
    return "name:" + cleaned.casefold()


def address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def _account_key(uow: UnitOfWork, name_or_id: str) -> str:
    found = uow.sessions.account_for_sign_in(name_or_id.strip()) if storable(name_or_id) else None
    return f"id:{found[0].account_id}" if found else account_key(name_or_id)


def _bucket(kind: str, key: str) -> str:
    return hashlib.sha256(f"{kind}|{key}".encode()).hexdigest()


def _wait(latest: list[datetime], limit: int, now: datetime) -> int:
    if len(latest) < limit:
        return 0
    return max(1, math.ceil((latest[-1] + WINDOW - now).total_seconds()))
