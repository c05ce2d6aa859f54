"""Saved exchange filters (issue 16, item 8): create, list and remove one's own.

Only an account that may read the exchange today subscribes (the same `reader_scope` as every
read, so a refusal names Art. 6 or the Party's state); what it is later told of is decided
again, object by object and on the day, by `matching`. A webhook's secret is made here, shown
once in the answer to the creation and kept encrypted (`secret_box`); it is never listed.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kelisim.domain import notifications as rules
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.domain.inputs import stored_text
from kelisim.services.exchange.collections import reader_scope
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.unit_of_work import UnitOfWork

NOT_FOUND = "No such subscription of this account."
SECRET_NAME = "webhook_secrets"


@dataclass(frozen=True)
class FilterInput:
    types: tuple[str, ...] = ()
    directions: tuple[int, ...] = ()
    threat_classes: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    technique: str | None = None
    producers: tuple[str, ...] = ()


def create_subscription(rt: Runtime, principal: Principal, *, name: str, wanted: FilterInput,
                        email: str | None = None, webhook: str | None = None,
                        language: str | None = None) -> dict[str, Any]:
    """The new subscription as `summary` shows it, plus `webhook_secret` (this once) when it
    has a webhook."""
    name = _name(name)
    lang = rules.checked_language(language)
    address = rules.checked_email(email) if email else None
    if address and not rt.settings.smtp_host:
        raise InvalidInput("This node sends no e-mail (KELISIM_SMTP_HOST is not set); "
                           "subscribe with the inbox or a webhook.", field="email")
    url = rules.checked_webhook_url(webhook) if webhook else None
    secret = f"whsec_{secrets.token_urlsafe(32)}" if url else None
    with rt.unit_of_work() as uow:
        reader_scope(rt, principal, uow)  # PermissionDenied: this account reads no exchange
        known = frozenset(uow.reference.states())
        checked = rules.checked_filter(
            types=wanted.types, directions=wanted.directions,
            threat_classes=wanted.threat_classes, values=wanted.values,
            technique=wanted.technique, producers=wanted.producers, known_parties=known)
        start = {row["id"]: int(row["last_added"])
                 for row in ExchangeRecords(uow.connection).collections()}
        subscription_id = str(uuid.uuid4())
        NotificationsRepository(uow.connection).add_subscription(
            id=subscription_id, account_id=principal.account_id, origin_party=principal.party,
            name=name, filter=checked.as_json(), language=lang, email=address,
            webhook_url=url, webhook_secret=seal(uow, secret) if secret else None,
            start=start, created_at=rt.clock())
        uow.commit()
        row = NotificationsRepository(uow.connection).subscription(subscription_id)
    assert row is not None
    created = summary(row)
    if secret:
        created["webhook_secret"] = secret
    return created


def list_subscriptions(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    with rt.unit_of_work() as uow:
        rows = NotificationsRepository(uow.connection).subscriptions_of(principal.account_id)
    return [summary(r) for r in rows]


def remove_subscription(rt: Runtime, principal: Principal, subscription_id: str) -> None:
    """Record the removal (an event; the subscription's row stays, as its notifications do)."""
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        row = repo.subscription(subscription_id) if len(subscription_id) <= 36 else None
        if row is None or row["account_id"] != principal.account_id or row["removed_at"]:
            raise NotFound(NOT_FOUND)
        repo.remove_subscription(subscription_id, principal.account_id, principal.party,
                                 rt.clock())
        uow.commit()


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """A subscription as the API and the CLI show it: never its webhook secret."""
    return {"id": row["id"], "name": row["name"], "filter": row["filter"],
            "language": row["language"], "email": row["email"], "webhook": row["webhook_url"],
            "origin_party": row["origin_party"], "created": row["created_at"].isoformat()}


def _name(name: str) -> str:
    stored_text(name, "name")
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("A subscription needs a name of 1-200 characters.", field="name")
    return name


# --- the webhook secrets, encrypted at rest ----------------------------------------------------

def _box(uow: UnitOfWork) -> AESGCM:
    key = ExchangeRecords(uow.connection).secret(SECRET_NAME)
    return AESGCM(hashlib.sha256(b"kelisim webhook secret\x00" + key).digest())


def seal(uow: UnitOfWork, secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + _box(uow).encrypt(nonce, secret.encode(), b"kelisim-webhook")


def unseal(uow: UnitOfWork, sealed: bytes) -> bytes:
    sealed = bytes(sealed)
    return _box(uow).decrypt(sealed[:12], sealed[12:], b"kelisim-webhook")
