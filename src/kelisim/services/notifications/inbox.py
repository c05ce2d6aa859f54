"""An account's inbox: its notifications, newest first, and marking them read (a read is a row
of its own, the first one standing). Only the account itself sees its inbox. The account's own
e-mail address for its workspace notices, and their language, are kept here too
(`account_mail`, an event per change; docs/decisions/0025-workspace-notifications.md)."""

from __future__ import annotations

from typing import Any

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.domain.notifications import WORKSPACE_TITLES, checked_email, checked_language
from kelisim.services.notifications.delivery import object_link
from kelisim.services.runtime import Runtime
from kelisim.storage.notifications_repository import NotificationsRepository

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
NOT_FOUND = "No such notification in this account's inbox."


def read_inbox(rt: Runtime, principal: Principal, *, unread_only: bool = False,
               limit: int = DEFAULT_LIMIT, before: int | None = None) -> dict[str, Any]:
    """A keyset page of the inbox: `next` is the position to give as `before`."""
    limit = max(1, min(limit, MAX_LIMIT))
    if before is not None and before < 1:
        raise InvalidInput("before is a position of the inbox (1 or more).", parameter="before")
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        rows = repo.inbox(principal.account_id, unread_only=unread_only, before=before,
                          limit=limit)
        unread = repo.unread_count(principal.account_id)
        names = {s["id"]: s["name"] for s in repo.subscriptions_of(principal.account_id)}
    page = rows[:limit]
    return {"notifications": [entry(rt, r, names) for r in page], "unread": unread,
            "more": len(rows) > limit, "next": page[-1]["seq"] if len(rows) > limit else None}


def entry(rt: Runtime, row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    if row["path"] is not None:  # a workspace notice (decision 0025)
        return {"id": row["id"], "position": row["seq"], "kind": row["kind"],
                "title": WORKSPACE_TITLES.get(row["kind"], row["kind"]),
                "record": row["record_id"], "facts": dict(row["facts"] or {}),
                "path": row["path"], "link": rt.settings.effective_public_url + row["path"],
                "created": row["created_at"].isoformat(),
                "read": row["read_at"].isoformat() if row["read_at"] else None}
    return {"id": row["id"], "position": row["seq"], "kind": row["kind"],
            "subscription": row["subscription_id"],
            "subscription_name": names.get(row["subscription_id"] or ""),
            "object": {"collection": row["collection_id"], "id": row["stix_id"],
                       "type": row["object_type"], "version": row["version"]},
            "link": object_link(rt, row["collection_id"], row["stix_id"])
            if row["stix_id"] else None,
            "created": row["created_at"].isoformat(),
            "read": row["read_at"].isoformat() if row["read_at"] else None}


def unread_count(rt: Runtime, principal: Principal) -> int:
    with rt.unit_of_work() as uow:
        return NotificationsRepository(uow.connection).unread_count(principal.account_id)


def mark_read(rt: Runtime, principal: Principal, notification_ids: list[str]) -> int:
    """Mark these of the account's notifications read; how many were unread. NotFound if one is
    not the account's (the same answer as one that does not exist)."""
    marked = 0
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        for notification_id in notification_ids:
            row = repo.notification(notification_id) if len(notification_id) <= 36 else None
            if row is None or row["account_id"] != principal.account_id:
                raise NotFound(NOT_FOUND)
            marked += repo.mark_read(notification_id, principal.account_id, principal.party,
                                     rt.clock())
        uow.commit()
    return marked


def mark_all_read(rt: Runtime, principal: Principal) -> int:
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        unread = repo.inbox(principal.account_id, unread_only=True, before=None, limit=10_000)
        marked = sum(repo.mark_read(r["id"], principal.account_id, principal.party,
                                    rt.clock()) for r in unread)
        uow.commit()
    return marked


def mail_settings(rt: Runtime, principal: Principal) -> dict[str, Any]:
    """The account's own address for its workspace notices (None: no mail) and their
    language; whether this node sends mail at all (KELISIM_SMTP_HOST)."""
    with rt.unit_of_work() as uow:
        found = NotificationsRepository(uow.connection).account_mail([principal.account_id])
    email, language = found.get(principal.account_id, (None, "en"))
    return {"email": email, "language": language, "smtp": bool(rt.settings.smtp_host)}


def set_mail(rt: Runtime, principal: Principal, email: str | None,
             language: str | None) -> dict[str, Any]:
    """Record the account's address (empty: stop the mail) and language (kk, ru, en) for its
    workspace notices; a row of its own, the latest standing. Only the account itself."""
    address = checked_email(email) if email and email.strip() else None
    lang = checked_language(language)
    with rt.unit_of_work() as uow:
        NotificationsRepository(uow.connection).set_account_mail(
            principal.account_id, address, lang, principal.party, principal.account_id,
            rt.clock())
        uow.commit()
    return mail_settings(rt, principal)
