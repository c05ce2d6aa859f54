"""The matcher: new object versions against every subscription, by a resumable cursor.

Why a cursor pass rather than a hook in intake: an intake's transaction stays as short as it
is, a crash between the commit and the notifications loses nothing (the pass resumes from the
collection's cursor), objects arriving by any path (TAXII, the UI, the federation) are seen
alike, and several server processes may pass at once: the cursor moves by compare-and-set in
the transaction that writes the notifications, so each is written once.

Art. 6 for the subscriber, as every read decides it: `reader_scope` on the day of the pass (its
Party bound today, its role, the collections it may read), then the object version's compiled
gates (`exchange_policy.compiled_visible`, the twin of the SQL filter every read uses). Only
then is the filter asked (`domain.notifications.matches`). An account that may read nothing
today, a disabled account and a removed subscription are told nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kelisim.domain import exchange_policy as policy
from kelisim.domain.errors import PermissionDenied
from kelisim.domain.notifications import (
    Channel,
    NotificationKind,
    ObjectFacts,
    SubscriptionFilter,
    matches,
)
from kelisim.domain.stix.observables import Observable
from kelisim.services.exchange.collections import reader_scope
from kelisim.services.runtime import Runtime
from kelisim.storage.accounts_repository import AccountsRepository
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.observables_index import ATTACK_KIND
from kelisim.storage.unit_of_work import UnitOfWork

BATCH = 500


@dataclass(frozen=True)
class Subscriber:
    reach: policy.Scope
    collections: frozenset[str]


def match_new(rt: Runtime) -> int:
    """Match every version stored since the last pass; returns how many notifications it wrote."""
    with rt.unit_of_work() as uow:
        collections = ExchangeRecords(uow.connection).collections()
    written = 0
    for collection in collections:
        more = True
        while more:
            count, more = _pass(rt, collection["id"])
            written += count
    return written


def _pass(rt: Runtime, collection_id: str) -> tuple[int, bool]:
    """One batch of one collection: (notifications written, whether to pass again)."""
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        subscriptions = repo.active_subscriptions()
        cursor = repo.cursor(collection_id)
        last = _last_added(uow, collection_id)
        if cursor is None:  # first pass here: start where the oldest subscription started
            start = min((_start(s, collection_id) for s in subscriptions), default=last)
            repo.start_cursor(collection_id, start)
            uow.commit()
            return 0, True
        if cursor >= last:
            return 0, False
        if not subscriptions:  # nothing to match: skip ahead
            repo.move_cursor(collection_id, cursor, last)
            uow.commit()
            return 0, False
        rows = repo.new_versions(collection_id, cursor, BATCH)
        # The cursor first: a second process passing at once waits here for this commit (the
        # row's lock), then finds the cursor moved and writes nothing.
        if not repo.move_cursor(collection_id, cursor, rows[-1]["date_added"] if rows else last):
            return 0, True
        written = _notify(rt, uow, repo, subscriptions, rows) if rows else 0
        uow.commit()
        return written, len(rows) == BATCH


def _notify(rt: Runtime, uow: UnitOfWork, repo: NotificationsRepository,
            subscriptions: list[dict[str, Any]], rows: list[dict[str, Any]]) -> int:
    collection_id = rows[0]["collection_id"]
    values = repo.indexed_values(collection_id, [r["date_added"] for r in rows])
    subscribers: dict[int, Subscriber | None] = {}
    filters = {s["id"]: SubscriptionFilter.from_json(s["filter"]) for s in subscriptions}
    written = 0
    for row in rows:
        facts = facts_of(row, values.get(row["date_added"], []))
        gates = policy.Gates(row["tlp_gate"], row["restricted_gate"], bool(row["open_access"]))
        for sub in subscriptions:
            if row["date_added"] <= _start(sub, collection_id):
                continue
            account = sub["account_id"]
            if account not in subscribers:
                subscribers[account] = _subscriber(rt, uow, account)
            who = subscribers[account]
            if (who is None or collection_id not in who.collections
                    or not policy.compiled_visible(gates, who.reach)
                    or not matches(filters[sub["id"]], facts)):
                continue
            _write(rt, repo, sub, row)
            written += 1
    return written


def _write(rt: Runtime, repo: NotificationsRepository, sub: dict[str, Any],
           row: dict[str, Any]) -> None:
    now = rt.clock()
    notification_id = repo.add_notification(
        account_id=sub["account_id"], origin_party=sub["origin_party"],
        kind=NotificationKind.EXCHANGE_MATCH.value, subscription_id=sub["id"],
        collection_id=row["collection_id"], stix_id=row["stix_id"], object_type=row["type"],
        version=row["version"], date_added=row["date_added"], created_at=now)
    if sub["email"]:
        repo.add_delivery(notification_id, Channel.EMAIL.value, sub["email"], now)
    if sub["webhook_url"]:
        repo.add_delivery(notification_id, Channel.WEBHOOK.value, sub["webhook_url"], now)


def facts_of(row: dict[str, Any], indexed: list[tuple[str, str]]) -> ObjectFacts:
    """An object version's facts from its stored columns and its correlation-index rows."""
    directions = frozenset(int(d) for d in (row["directions"] or "").split("|") if d)
    return ObjectFacts(
        type=row["type"], directions=directions, threat_class=row["threat_class"],
        producer_party=row["producer_party"],
        observables=frozenset(Observable(k, v) for k, v in indexed if k != ATTACK_KIND),
        techniques=frozenset(v for k, v in indexed if k == ATTACK_KIND))


def _subscriber(rt: Runtime, uow: UnitOfWork, account_id: int) -> Subscriber | None:
    principal = AccountsRepository(uow.connection).active(account_id)
    if principal is None:  # a disabled account is told nothing more, on any channel
        return None
    try:
        _, reach, readable = reader_scope(rt, principal, uow)
    except PermissionDenied:
        return None
    return Subscriber(reach, frozenset(readable))


def _start(sub: dict[str, Any], collection_id: str) -> int:
    return int(sub["start"].get(collection_id, 0))


def _last_added(uow: UnitOfWork, collection_id: str) -> int:
    row = ExchangeRecords(uow.connection).collection(collection_id)
    return int(row["last_added"]) if row else 0
