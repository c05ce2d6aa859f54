"""The workspace's notices into the inbox (issue 15 item 10; docs/decisions/0025): two passes
run by the background worker after the subscriptions' matcher, and by
`kelisim workspace notify`.

* `notify_workspace` walks `workspace_events` by `seq` after the cursor "workspace:events"
  (the order of commits, decision 0025), folds each record an event concerns as it stands
  now, asks `domain.workspace.notices` which Parties are told, and writes one notice per
  account of those Parties, once (the (account, dedupe) unique index: the event's id). The
  cursor moves by compare-and-set in the transaction that writes the notices: a crash loses
  nothing, a second process passing at once rolls back.
* `notify_deadlines` runs once a day (the cursor "workspace:deadlines" holds the day's
  ordinal): each agreed stage deadline and each follow-up action's deadline near (7 days) or
  past gives one notice per account of its Parties per threshold, never repeated. It reads
  only the records whose deadlines kept in `workspace_deadlines` (on the write path, migration
  0025) fall due within 7 days or are past, not every record.

Who is told: the accounts of the Parties' authorized bodies (not the certification bodies'),
never the account that acted, and for each the record's own Art. 6 rule: a restricted-access
document only to the Parties it names, a dispute only to the authorized bodies of the Parties
concerned (`access.dispute_view`). An account with an address of its own (`account_mail`)
also gets an e-mail delivery, sent by `delivery.deliver_pending` in its language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import select

from kelisim.domain.access import DisputeView, dispute_view
from kelisim.domain.accounts import OrganizationKind, Principal
from kelisim.domain.notifications import Channel
from kelisim.domain.workspace import checks as check_rules
from kelisim.domain.workspace import consultations as consultation_rules
from kelisim.domain.workspace import disputes as dispute_rules
from kelisim.domain.workspace import documents as document_rules
from kelisim.domain.workspace import gatherings as gathering_rules
from kelisim.domain.workspace import notices as rules
from kelisim.domain.workspace import reviews as review_rules
from kelisim.domain.workspace.notices import WorkspaceNotice
from kelisim.domain.workspace.project import Event, EventKind, Project, fold
from kelisim.services.participation import withdrawal_dates_on
from kelisim.services.runtime import Runtime
from kelisim.storage.accounts_repository import principal_of
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.schema import accounts
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_deadlines_repository import DeadlinesRepository, RecordKind
from kelisim.storage.workspace_repository import WorkspaceRepository

Opened = consultation_rules.Consultation | dispute_rules.Dispute | gathering_rules.Gathering
CURSOR = "workspace:events"
DEADLINES = "workspace:deadlines"
BATCH = 500
CHUNK = 200
PROJECT_EVENTS = frozenset({EventKind.JOINED, EventKind.STAGE_ADDED,
                            EventKind.DEADLINE_CHANGED})
OPENING_EVENTS: dict[EventKind, Callable[[Sequence[Event]], Opened]] = {
    EventKind.CONSULTATION_REQUESTED: consultation_rules.fold,
    EventKind.DISPUTE_OPENED: dispute_rules.fold,
    EventKind.GATHERING_ANNOUNCED: gathering_rules.fold}
TOLD = PROJECT_EVENTS | {*rules.DOCUMENT_KINDS, *rules.REVIEW_EVENTS, EventKind.CHECK_LAUNCHED,
                         *OPENING_EVENTS}


def notify_workspace(rt: Runtime, batch_size: int = BATCH) -> int:
    """Walk the events committed since the cursor, `batch_size` a transaction; returns how
    many notices were written."""
    written = 0
    while True:
        with rt.unit_of_work() as uow:
            repo, ws = NotificationsRepository(uow.connection), WorkspaceRepository(uow.connection)
            if not ws.events_after(repo.cursor(CURSOR) or 0, 1):
                return written  # an idle pass takes no lock
            last = _cursor(repo, CURSOR)
            batch = ws.events_after(last, batch_size)
            if not batch:
                return written
            notices = _notices(rt, uow, [e for _, e in batch if e.kind in TOLD])
            made = _write(rt, uow, notices)
            if not repo.move_cursor(CURSOR, last, batch[-1][0]):
                return written  # another process passed these; this one rolls back
            uow.commit()
        written += made
        if len(batch) < batch_size:
            return written


def notify_deadlines(rt: Runtime) -> int:
    """Once a day: the deadlines near or past (see the module); how many notices written."""
    with rt.unit_of_work() as uow:
        repo = NotificationsRepository(uow.connection)
        today = rt.clock().date()
        if (repo.cursor(DEADLINES) or 0) >= today.toordinal():
            return 0  # told today already; no lock taken
        found = deadline_notices(rt, uow, today)  # read before the lock: writers go on
        last = _cursor(repo, DEADLINES)
        if last >= today.toordinal():
            return 0
        made = _write(rt, uow, [(n, None) for n in found])
        if not repo.move_cursor(DEADLINES, last, today.toordinal()):
            return 0
        uow.commit()
    return made


def deadline_notices(rt: Runtime, uow: UnitOfWork, today: date) -> list[WorkspaceNotice]:
    """The notices of the deadlines near or past: the records with a kept deadline due by
    `rules.horizon(today)` (one range read of `workspace_deadlines`, kept on the write path;
    decision 0025), their projects restored from their snapshots and consultations folded,
    `CHUNK` at a time, and `rules.stage_deadlines` and `rules.action_deadlines` applied to them
    as to a fold of every record."""
    kept = DeadlinesRepository(uow.connection)
    candidates = kept.due_by(rules.horizon(today))
    if not candidates:
        return []
    withdrawals = withdrawal_dates_on(rt, today, uow)
    found: list[WorkspaceNotice] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        projects = kept.projects([r for r, k in chunk if k is RecordKind.PROJECT], withdrawals)
        consultations = WorkspaceRepository(uow.connection).events_of(
            [r for r, k in chunk if k is RecordKind.CONSULTATION])
        for project in projects:
            found += rules.stage_deadlines(project, today)
        for history in consultations.values():
            if history and history[0].kind is EventKind.CONSULTATION_REQUESTED:
                found += rules.action_deadlines(consultation_rules.fold(history), today)
    return found


def _cursor(repo: NotificationsRepository, name: str) -> int:
    """The cursor, locked for this transaction (made at 0 if missing)."""
    found = repo.lock_cursor(name)
    if found is None:
        repo.start_cursor(name, 0)
        found = repo.lock_cursor(name) or 0
    return found


def _notices(rt: Runtime, uow: UnitOfWork,
             told: Sequence[Event]) -> list[tuple[WorkspaceNotice, int | None]]:
    """The notice of each event, from its record's fold as it stands now."""
    if not told:
        return []
    ws = WorkspaceRepository(uow.connection)
    today = rt.clock().date()
    histories = ws.events_of(sorted({e.record_id for e in told}))
    withdrawals = withdrawal_dates_on(rt, today, uow)
    projects: dict[str, Project] = {}

    def project(project_id: str) -> Project | None:
        if project_id not in projects:
            history = ws.events(project_id)
            if not history or history[0].kind is not EventKind.PROPOSED:
                return None
            projects[project_id] = fold(history, withdrawals)
        return projects[project_id]

    found: list[tuple[WorkspaceNotice, int | None]] = []
    for event in told:
        history = histories[event.record_id]
        notice: WorkspaceNotice | None = None
        if event.kind in PROJECT_EVENTS:
            folded = project(event.record_id)
            notice = rules.of_project_event(event, folded, today) if folded else None
        elif event.kind in rules.DOCUMENT_KINDS:
            doc = document_rules.fold(history)
            folded = project(doc.project_id)
            notice = rules.of_document_event(event, doc, folded, today) if folded else None
        elif event.kind in rules.REVIEW_EVENTS:
            notice = rules.of_review_event(event, review_rules.fold(history))
        elif event.kind is EventKind.CHECK_LAUNCHED:
            notice = rules.of_record_opened(event, check_rules.fold(event, []))
        else:
            notice = rules.of_record_opened(event, OPENING_EVENTS[event.kind](history))
        if notice is not None:
            found.append((notice, event.actor_account))
    return found


def _write(rt: Runtime, uow: UnitOfWork,
           notices: Sequence[tuple[WorkspaceNotice, int | None]]) -> int:
    """Each notice to each account it is for but the one that acted, once; an e-mail delivery
    beside it when the node has SMTP and the account an address."""
    if not notices:
        return 0
    repo = NotificationsRepository(uow.connection)
    everyone = _accounts(uow)
    mail = repo.account_mail([p.account_id for p in everyone]) if rt.settings.smtp_host else {}
    now = rt.clock()
    made = 0
    for notice, actor in notices:
        for who in everyone:
            if who.account_id == actor or not _told(notice, who):
                continue
            notification = repo.add_notice_once(
                account_id=who.account_id, origin_party=who.party, kind=notice.kind,
                record_id=notice.record_id, path=notice.path, facts=dict(notice.facts),
                dedupe=notice.dedupe[:200], created_at=now)
            if notification is None:
                continue
            made += 1
            address = mail.get(who.account_id, (None, "en"))[0]
            if address:
                repo.add_delivery(notification, Channel.EMAIL.value, address, now)
    return made


def _told(notice: WorkspaceNotice, who: Principal) -> bool:
    """Art. 5, 6, 12: an account of an authorized body (the workspace's actors; a
    certification body's account is not told) whose Party the notice is for; a dispute only
    if `access.dispute_view` shows it the whole of it."""
    if who.party is None or who.organization_kind is not OrganizationKind.AUTHORIZED_BODY:
        return False
    if notice.parties is None:
        return who.party != notice.facts.get("party")
    if who.party not in notice.parties:
        return False
    return not notice.authorized_bodies_only or dispute_view(
        who, notice.parties, False) is DisputeView.FULL


def _accounts(uow: UnitOfWork) -> list[Principal]:
    rows = uow.connection.execute(select(accounts).where(accounts.c.disabled_at.is_(None))
                                  .order_by(accounts.c.id))
    return [principal_of(r) for r in rows]

