"""Subscriptions, the inbox and the delivery log in SQL (tables of migration 0016).

Nothing here is edited in place: removals, reads and delivery attempts are rows of their own.
The one mutable row is a collection's matcher cursor, moved by compare-and-set so that two
processes passing at once write each notification once (the loser's transaction rolls back).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kelisim.storage.instants import aware
from kelisim.storage.schema import (
    account_mail,
    accounts,
    exchange_objects,
    exchange_observables,
    notification_attempts,
    notification_cursors,
    notification_deliveries,
    notification_reads,
    notifications,
    subscription_removals,
    subscriptions,
)

S, R, N, NR = subscriptions, subscription_removals, notifications, notification_reads
D, A, CUR = notification_deliveries, notification_attempts, notification_cursors
OBJ, OBS, AM = exchange_objects, exchange_observables, account_mail
FINAL = ("sent", "abandoned")


def _dict(row: Any) -> dict[str, Any]:
    return {k: aware(v) for k, v in row._mapping.items()}


class NotificationsRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # --- subscriptions -------------------------------------------------------------------------

    def add_subscription(self, **values: Any) -> None:
        self._conn.execute(insert(S).values(**values))

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(S, R.c.removed_at).outerjoin(
            R, R.c.subscription_id == S.c.id).where(S.c.id == subscription_id)).first()
        return None if row is None else _dict(row)

    def subscriptions_of(self, account_id: int) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(S).where(
            S.c.account_id == account_id, ~exists().where(R.c.subscription_id == S.c.id))
            .order_by(S.c.created_at, S.c.id))
        return [_dict(r) for r in rows]

    def active_subscriptions(self) -> list[dict[str, Any]]:
        """Every subscription not removed, of an account not disabled."""
        rows = self._conn.execute(
            select(S).join(accounts, accounts.c.id == S.c.account_id)
            .where(accounts.c.disabled_at.is_(None),
                   ~exists().where(R.c.subscription_id == S.c.id))
            .order_by(S.c.created_at, S.c.id))
        return [_dict(r) for r in rows]

    def remove_subscription(self, subscription_id: str, by: int, party: str | None,
                            at: datetime) -> bool:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(R).values(subscription_id=subscription_id,
                                                    removed_by=by, origin_party=party,
                                                    removed_at=at))
        except IntegrityError:
            return False
        return True

    # --- the matcher's cursor ------------------------------------------------------------------

    def cursor(self, collection_id: str) -> int | None:
        found = self._conn.execute(select(CUR.c.last_added).where(
            CUR.c.collection_id == collection_id)).scalar()
        return None if found is None else int(found)

    def start_cursor(self, collection_id: str, at: int) -> bool:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(CUR).values(collection_id=collection_id,
                                                      last_added=at))
        except IntegrityError:
            return False
        return True

    def lock_cursor(self, name: str) -> int | None:
        """Read a cursor by writing it (to itself): its row is locked on PostgreSQL and SQLite's
        write lock is taken before any read, so that passes queue instead of one failing on a
        stale snapshot. None if there is no such cursor yet."""
        found = self._conn.execute(update(CUR).where(CUR.c.collection_id == name)
                                   .values(last_added=CUR.c.last_added)
                                   .returning(CUR.c.last_added)).scalar()
        return None if found is None else int(found)

    def move_cursor(self, collection_id: str, old: int, new: int) -> bool:
        """Compare-and-set: False if another pass moved it since `old` was read."""
        done = self._conn.execute(update(CUR).where(
            CUR.c.collection_id == collection_id, CUR.c.last_added == old)
            .values(last_added=new))
        return done.rowcount == 1

    def new_versions(self, collection_id: str, after: int, limit: int) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            select(OBJ.c.collection_id, OBJ.c.date_added, OBJ.c.stix_id, OBJ.c.type, OBJ.c.version,
                   OBJ.c.producer_party, OBJ.c.threat_class, OBJ.c.directions, OBJ.c.tlp_gate,
                   OBJ.c.restricted_gate, OBJ.c.open_access)
            .where(OBJ.c.collection_id == collection_id, OBJ.c.date_added > after)
            .order_by(OBJ.c.date_added).limit(limit))
        return [dict(r._mapping) for r in rows]

    def indexed_values(self, collection_id: str, stamps: Sequence[int]
                       ) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {}
        if not stamps:
            return found
        rows = self._conn.execute(select(OBS.c.date_added, OBS.c.kind, OBS.c.value).where(
            OBS.c.collection_id == collection_id, OBS.c.date_added.in_(list(stamps))))
        for r in rows:
            found.setdefault(int(r.date_added), []).append((r.kind, r.value))
        return found

    # --- the inbox -----------------------------------------------------------------------------

    def add_notification(self, **values: Any) -> str:
        account_id = values["account_id"]
        last = self._conn.execute(select(func.max(N.c.seq)).where(
            N.c.account_id == account_id)).scalar()
        notification_id = str(uuid.uuid4())
        self._conn.execute(insert(N).values(id=notification_id, seq=(last or 0) + 1, **values))
        return notification_id

    def add_notice_once(self, **values: Any) -> str | None:
        """A workspace notice, unless the account has one with its `dedupe` key already. Any
        other conflict (another process took the account's next `seq`) is raised: the pass
        rolls back and tries again, rather than losing the notice."""
        try:
            with self._conn.begin_nested():
                return self.add_notification(**values)
        except IntegrityError:
            if self._conn.execute(select(N.c.id).where(
                    N.c.account_id == values["account_id"],
                    N.c.dedupe == values["dedupe"])).first() is None:
                raise
            return None

    def inbox(self, account_id: int, *, unread_only: bool, before: int | None,
              limit: int) -> list[dict[str, Any]]:
        statement = (select(N, NR.c.read_at).outerjoin(NR, NR.c.notification_id == N.c.id)
                     .where(N.c.account_id == account_id))
        if unread_only:
            statement = statement.where(NR.c.read_at.is_(None))
        if before is not None:
            statement = statement.where(N.c.seq < before)
        rows = self._conn.execute(statement.order_by(N.c.seq.desc()).limit(limit + 1))
        return [_dict(r) for r in rows]

    def unread_count(self, account_id: int) -> int:
        return int(self._conn.execute(
            select(func.count()).select_from(N).where(
                N.c.account_id == account_id,
                ~exists().where(NR.c.notification_id == N.c.id))).scalar_one())

    def notification(self, notification_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(N).where(N.c.id == notification_id)).first()
        return None if row is None else _dict(row)

    def mark_read(self, notification_id: str, account_id: int, party: str | None,
                  at: datetime) -> bool:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(NR).values(notification_id=notification_id,
                                                     account_id=account_id,
                                                     origin_party=party, read_at=at))
        except IntegrityError:  # read before: the first read stands
            return False
        return True

    # --- deliveries ----------------------------------------------------------------------------

    def add_delivery(self, notification_id: str, channel: str, target: str,
                     at: datetime) -> str:
        made = str(uuid.uuid4())
        self._conn.execute(insert(D).values(id=made, notification_id=notification_id,
                                            channel=channel, target=target, created_at=at))
        return made

    def pending_deliveries(self, limit: int) -> list[dict[str, Any]]:
        """Deliveries with no final attempt (sent or abandoned), the untried first (so retries
        waiting for their back-off never hold new ones back), then oldest first; each with its
        notification, its subscription's row (a workspace notice has none: its language is the
        account's, `account_mail`) and its attempts so far."""
        final = exists().where(A.c.delivery_id == D.c.id, A.c.status.in_(FINAL))
        tried = (select(func.count()).where(A.c.delivery_id == D.c.id)
                 .correlate(D).scalar_subquery())
        last = (select(func.max(A.c.at)).where(A.c.delivery_id == D.c.id)
                .correlate(D).scalar_subquery())
        rows = self._conn.execute(
            select(D.c.id.label("delivery_id"), D.c.channel, D.c.target,
                   tried.label("attempts"), last.label("last_attempt"),
                   N.c.id.label("notification_id"), N.c.kind, N.c.collection_id, N.c.stix_id,
                   N.c.object_type, N.c.version, N.c.created_at, N.c.subscription_id,
                   N.c.account_id, N.c.record_id, N.c.path, N.c.facts,
                   S.c.name.label("subscription_name"),
                   func.coalesce(S.c.language, self._language_of(N.c.account_id)).label(
                       "language"), S.c.webhook_secret)
            .join(N, N.c.id == D.c.notification_id)
            .outerjoin(S, S.c.id == N.c.subscription_id)
            .where(~final, (S.c.id.is_not(None)) | (N.c.subscription_id.is_(None)
                                                    & N.c.kind.like("workspace:%")))
            .order_by(tried, D.c.created_at, D.c.id).limit(limit))
        return [_dict(r) for r in rows]

    def add_attempt(self, delivery_id: str, attempt: int, at: datetime, status: str,
                    detail: str | None) -> bool:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(A).values(
                    id=str(uuid.uuid4()), delivery_id=delivery_id, attempt=attempt, at=at,
                    status=status, detail=detail))
        except IntegrityError:  # another process recorded this attempt
            return False
        return True

    def deliveries_of(self, notification_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not notification_ids:
            return []
        rows = self._conn.execute(
            select(D.c.id, D.c.notification_id, D.c.channel, D.c.target, A.c.attempt, A.c.at,
                   A.c.status, A.c.detail)
            .outerjoin(A, and_(A.c.delivery_id == D.c.id))
            .where(D.c.notification_id.in_(list(notification_ids)))
            .order_by(D.c.created_at, D.c.id, A.c.attempt))
        return [_dict(r) for r in rows]

    # --- an account's own address for its workspace notices (migration 0020) ----------------

    @staticmethod
    def _language_of(account_id: Any) -> Any:
        return (select(AM.c.language).where(AM.c.account_id == account_id)
                .order_by(AM.c.position.desc()).limit(1).correlate(N).scalar_subquery())

    def set_account_mail(self, account_id: int, email: str | None, language: str,
                         party: str | None, by: int, at: datetime) -> None:
        last = self._conn.execute(select(func.max(AM.c.position)).where(
            AM.c.account_id == account_id)).scalar()
        self._conn.execute(insert(AM).values(
            id=str(uuid.uuid4()), account_id=account_id, position=(last or 0) + 1,
            email=email, language=language, origin_party=party, set_by=by, set_at=at))

    def account_mail(self, account_ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        """Each listed account's current (address, language), if it ever set one."""
        found: dict[int, tuple[str | None, str]] = {}
        if not account_ids:
            return found
        rows = self._conn.execute(select(AM.c.account_id, AM.c.email, AM.c.language)
                                  .where(AM.c.account_id.in_(list(account_ids)))
                                  .order_by(AM.c.account_id, AM.c.position))
        for r in rows:  # the highest position comes last and stands
            found[int(r.account_id)] = (r.email, r.language)
        return found
