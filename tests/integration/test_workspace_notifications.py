"""The workspace's notices on both databases (issue 15 item 10; decision 0025): events become
inbox notices for the authorized bodies of the Parties concerned, never the one that acted;
Art. 6 holds (a restricted document is announced only to the Parties it names, a dispute only to
the Parties concerned); the pass is idempotent and resumes from its cursor; the deadline pass
tells each Party once per threshold; the migration numbers existing events and starts the
cursor after them."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from kelisim.services.exchange.worker import ExchangeWorker
from kelisim.services.notifications import inbox
from kelisim.services.notifications.workspace_pass import (
    CURSOR,
    notify_deadlines,
    notify_workspace,
)
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import disputes, reviews
from kelisim.services.workspace import documents as docs
from kelisim.services.workspace import projects as ws
from kelisim.storage.database import make_engine, upgrade
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.schema import notification_cursors, notifications, workspace_events
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.integration.test_workspace_documents import project, upload
from tests.workspace_documents_support import odt

PEOPLE = ("kz", "kz_admin", "kz_reader", "ru", "by", "am", "cert", "depositary")


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def told(ex: Exchange) -> dict[str, list[tuple[str, str]]]:
    """Each person's workspace notices as (kind without the prefix, record id), oldest first."""
    rt, found = ex.node.runtime, {}
    for who in PEOPLE:
        page = inbox.read_inbox(rt, ex.principals[who], limit=200)
        found[who] = [(n["kind"].removeprefix("workspace:"), n["record"])
                      for n in reversed(page["notifications"]) if n.get("record")]
    return found


def kinds(ex: Exchange, kind: str) -> dict[str, int]:
    return {who: sum(1 for k, _ in seen if k == kind)
            for who, seen in told(ex).items() if any(k == kind for k, _ in seen)}


def test_a_party_joining_and_a_deadline_awaiting_consent_tell_the_participants(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru")
    stage = ws.add_stage(rt, p["kz"], pid, title="Collect", deadline=date(2027, 3, 1))
    ws.consent_to_deadline(rt, p["ru"], pid, stage["stages"][0]["id"], 1)
    written = notify_workspace(rt)
    # RUS joined: the KAZ accounts of the authorized body; the stage: KAZ has not consented
    # (RUS has, by the time of the pass); the actor's own account is never told
    assert told(ex)["kz_admin"] == [("joined", pid), ("consent_awaited", pid)]
    assert told(ex)["kz"] == [("joined", pid)]  # kz added the stage itself
    assert told(ex)["ru"] == [] and told(ex)["cert"] == [] and told(ex)["by"] == []
    assert written == 5  # kz, kz_admin, kz_reader joined; kz_admin, kz_reader consent
    assert notify_workspace(rt) == 0  # idempotent: nothing twice
    shown = inbox.read_inbox(rt, p["kz_admin"])["notifications"][0]
    assert shown["path"] == f"/workspace/projects/{pid}"
    assert shown["facts"] == {"deadline": "2027-03-01", "revision": 1}


def test_a_restricted_document_is_announced_only_to_the_parties_it_names(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru", "by")
    notify_workspace(rt)
    secret = upload(ex, "kz", pid, odt(), filename="draft.odt", title="Restricted title",
                    classification="restricted", restricted_to=["RUS"])["id"]
    open_ = upload(ex, "kz", pid, odt(), filename="open.odt", title="Open draft")["id"]
    docs.circulate_document(rt, p["kz"], pid, secret)
    docs.circulate_document(rt, p["kz"], pid, open_)
    notify_workspace(rt)
    seen = told(ex)
    assert ("document_circulated", secret) in seen["ru"]
    for who in ("by", "am", "depositary", "cert"):
        assert all(record != secret for _, record in seen[who]), who
    assert ("document_circulated", open_) in seen["by"]
    # the circulating Party (KAZ) is not told of its own act
    assert kinds(ex, "document_circulated") == {"ru": 2, "by": 1}
    with rt.unit_of_work() as uow:  # nothing of the restricted document stored for BLR
        rows = uow.connection.execute(select(notifications.c.account_id).where(
            notifications.c.record_id == secret)).scalars().all()
    assert p["by"].account_id not in rows


def test_a_dispute_tells_only_the_authorized_bodies_of_the_parties_concerned(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    did = disputes.open_dispute(rt, p["kz"], subject="Reading of Art. 6",
                                matter="interpretation", articles=[6], concerned=["RUS"])["id"]
    cid = consult.request_consultation(rt, p["ru"], subject="Marking", articles=[6, 12],
                                       invited=["KAZ", "BLR"])["id"]
    notify_workspace(rt)
    assert kinds(ex, "dispute_opened") == {"ru": 1}
    assert all(record != did for who in ("by", "am", "cert", "depositary", "kz_admin")
               for _, record in told(ex)[who])
    assert kinds(ex, "consultation_requested") == {"kz": 1, "kz_admin": 1, "kz_reader": 1,
                                                   "by": 1}
    assert ("consultation_requested", cid) in told(ex)["by"]


def test_the_pass_resumes_from_its_cursor_in_any_batch_size(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru", "by")
    # RUS's joining tells KAZ's three accounts and BLR's; BLR's, KAZ's three and RUS's
    assert notify_workspace(rt, batch_size=1) == 8
    with rt.unit_of_work() as uow:
        cursor = NotificationsRepository(uow.connection).cursor(CURSOR)
        last = uow.connection.execute(select(workspace_events.c.seq)
                                      .order_by(workspace_events.c.seq.desc())).scalar()
    assert cursor == last
    first = told(ex)
    ws.add_stage(rt, p["kz"], pid, title="Collect", deadline=date(2027, 3, 1))
    assert notify_workspace(rt, batch_size=1) == 4  # kz_admin, kz_reader, ru, by
    after = told(ex)
    assert {w: after[w][:len(first[w])] for w in PEOPLE} == first  # the old ones stay once
    assert after["ru"][-1] == ("consent_awaited", pid)


THRESHOLDS = [  # days from today to the agreed deadline -> the notice, if any
    (30, None), (8, None), (7, "deadline_soon"), (0, "deadline_soon"),
    (-1, "deadline_overdue"),
]


@pytest.mark.parametrize(("days", "expected"), THRESHOLDS)
def test_an_agreed_deadline_is_told_once_per_party_and_threshold(
        ex: Exchange, days: int, expected: str | None) -> None:
    rt, p = ex.node.runtime, ex.principals
    today = rt.clock().date()
    ex.node.clock.now -= timedelta(days=60)  # the stage was agreed when its deadline was ahead
    pid = project(ex, "ru")
    stage = ws.add_stage(rt, p["kz"], pid, title="Collect",
                         deadline=today + timedelta(days=days))["stages"][0]
    for who in ("kz", "ru"):
        ws.consent_to_deadline(rt, p[who], pid, stage["id"], 1)
    ex.node.clock.now += timedelta(days=60)
    written = notify_deadlines(rt)
    everyone = {w: 1 for w in ("kz", "kz_admin", "kz_reader", "ru")}
    for kind in ("deadline_soon", "deadline_overdue"):
        assert kinds(ex, kind) == (everyone if kind == expected else {})
    assert written == (0 if expected is None else 4)
    assert notify_deadlines(rt) == 0  # once a day
    ex.node.clock.now += timedelta(days=1)
    # the next day a threshold is told only if newly crossed (8 -> 7 days, 0 -> overdue)
    assert notify_deadlines(rt) == (4 if days in (8, 0) else 0)


def test_a_follow_up_action_is_told_to_its_owner_soon_then_overdue(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    cid = consult.request_consultation(rt, p["kz"], subject="Marking", articles=[12],
                                       invited=["RUS"])["id"]
    consult.answer_invitation(rt, p["ru"], cid, True)
    today = rt.clock().date()
    consult.schedule_consultation(rt, p["kz"], cid, held_on=today, place="Almaty",
                                  agenda=["Marking"])
    consult.record_minutes(rt, p["kz"], cid, present=["KAZ", "RUS"], minutes="Met",
                           decisions=["Draft"])
    consult.add_action(rt, p["kz"], cid, description="Draft the rule", owner="RUS",
                       deadline=today + timedelta(days=7))
    assert notify_deadlines(rt) == 1
    assert told(ex)["ru"][-1] == ("deadline_soon", cid)
    ex.node.clock.now += timedelta(days=8)
    assert notify_deadlines(rt) == 1
    assert [k for k, _ in told(ex)["ru"]][-2:] == ["deadline_soon", "deadline_overdue"]
    assert kinds(ex, "deadline_overdue") == {"ru": 1}


def test_the_migration_numbers_existing_events_and_starts_the_cursor_after_them(
        empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0019")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [(str(uuid.uuid4()), rec, pos, at + timedelta(minutes=minutes))
            for rec, pos, minutes in (("b" * 36, 1, 5), ("a" * 36, 1, 5), ("a" * 36, 2, 1),
                                      ("c" * 36, 1, 0))]
    with engine.begin() as conn:
        conn.execute(insert(workspace_events.c.id.table).values([
            {"id": i, "record_id": r, "position": pos, "kind": "joined",
             "origin_party": "KAZ", "actor_account": None, "actor_name": "x", "at": when,
             "body": {}} for i, r, pos, when in rows]))
    upgrade(engine)
    with engine.connect() as conn:
        numbered = conn.execute(select(workspace_events.c.record_id,
                                       workspace_events.c.position)
                                .order_by(workspace_events.c.seq)).all()
        cursor = conn.execute(select(notification_cursors.c.last_added).where(
            notification_cursors.c.collection_id == CURSOR)).scalar()
    engine.dispose()
    # by (at, record_id, position): c@0, a/2@1, a/1@5, b@5
    assert numbered == [("c" * 36, 1), ("a" * 36, 2), ("a" * 36, 1), ("b" * 36, 1)]
    assert cursor == 4


def test_a_check_tells_the_parties_checked_and_a_gathering_every_other_party(
        ex: Exchange) -> None:
    from kelisim.services.workspace import checks, contacts
    from tests.integration.test_workspace_gatherings import announce

    rt, p = ex.node.runtime, ex.principals
    contacts.add_contact(rt, p["kz_admin"], name="KZ duty desk", hours="24/7",
                         languages=["kk"], channels=[{"kind": "phone", "value": "+7 7172 0"}])
    check = checks.launch_check(rt, p["ru"], hours=2, parties=["KAZ"])["id"]
    gathering = announce(ex)["id"]
    notify_workspace(rt)
    assert kinds(ex, "check_launched") == {"kz": 1, "kz_admin": 1, "kz_reader": 1}
    assert ("check_launched", check) in told(ex)["kz_admin"]
    announced = kinds(ex, "gathering_announced")
    assert {"ru", "by"} <= set(announced) and not {"kz", "kz_admin", "cert"} & set(announced)
    assert ("gathering_announced", gathering) in told(ex)["ru"]


def test_events_written_while_passes_run_are_each_told_once(ex: Exchange) -> None:
    """The seq is drawn under the counter row's lock, so a pass never moves its cursor past an
    event that commits later with a lower seq; passes running at once write each notice once."""
    import threading

    rt, p = ex.node.runtime, ex.principals
    errors: list[BaseException] = []
    done = threading.Event()

    def write(worker: int) -> None:
        try:
            for i in range(6):
                consult.request_consultation(rt, p["kz"], subject=f"w{worker} {i}",
                                             articles=[12], invited=["RUS"])
        except BaseException as error:  # reported below
            errors.append(RuntimeError(f"writer: {error}"))

    def notify() -> None:
        try:
            while not done.is_set():
                notify_workspace(rt, batch_size=2)
        except BaseException as error:
            errors.append(RuntimeError(f"pass: {error}"))

    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    passes = [threading.Thread(target=notify) for _ in range(2)]
    for thread in (*writers, *passes):
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    for thread in passes:
        thread.join(timeout=120)
    notify_workspace(rt)
    assert errors == []
    got = [record for kind, record in told(ex)["ru"] if kind == "consultation_requested"]
    assert len(got) == 18 and len(set(got)) == 18


def test_a_workspace_commit_wakes_the_worker_so_the_notice_does_not_wait_for_the_poll(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex)
    worker = ExchangeWorker(rt, poll_seconds=3600)  # only a wake can make it pass again
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not worker_idle(rt) and time.monotonic() < deadline:  # its first pass
            time.sleep(0.05)
        before = kinds(ex, "joined")
        ws.join_project(rt, p["ru"], pid)
        while kinds(ex, "joined") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kinds(ex, "joined") == {"kz": 1, "kz_admin": 1, "kz_reader": 1}
    finally:
        worker.stop()


def worker_idle(rt: Runtime) -> bool:
    """The worker has passed over every workspace event so far (its cursor is at the end)."""
    with rt.unit_of_work() as uow:
        cursor = uow.connection.execute(select(notification_cursors.c.last_added).where(
            notification_cursors.c.collection_id == CURSOR)).scalar()
        last = uow.connection.execute(select(workspace_events.c.seq)
                                      .order_by(workspace_events.c.seq.desc()).limit(1)).scalar()
    return cursor is not None and last is not None and int(cursor) >= int(last)


def test_comments_agreements_adoption_and_reviews_tell_whom_they_concern(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru", "by")
    did = upload(ex, "kz", pid, odt(), filename="law.odt", title="Model law")["id"]
    secret = upload(ex, "kz", pid, odt(), filename="s.odt", title="Restricted",
                    classification="restricted", restricted_to=["RUS"])["id"]
    for document in (did, secret):
        docs.circulate_document(rt, p["kz"], pid, document)
    notify_workspace(rt)
    docs.comment_on_document(rt, p["ru"], pid, did, "Article 4 needs a definition.")
    docs.comment_on_document(rt, p["kz"], pid, did, "Noted.")  # the uploader's own: nobody
    docs.comment_on_document(rt, p["ru"], pid, secret, "Agreed in substance.")
    for who in ("kz", "ru", "by"):
        docs.agree_document(rt, p[who], pid, did, 1)
    docs.adopt_document(rt, p["kz"], pid, did)
    for who in ("kz", "ru"):
        docs.agree_document(rt, p[who], pid, secret, 1)
    docs.adopt_document(rt, p["kz"], pid, secret)
    rid = reviews.request(rt, p["kz"], title="Crypto module", summary="R&D", directions=[16],
                          asked=["RUS"], deadline=date(2026, 12, 25), restricted=True)["id"]
    shown = reviews.assign(rt, p["ru"], rid, [{"name": "A. Ivanov", "qualification": "Dr."}])
    reviews.conclude(rt, p["ru"], rid, expert_id=shown["experts"][0]["id"],
                     verdict="supports", text="Sound.")
    notify_workspace(rt)
    assert kinds(ex, "document_commented") == {"kz": 2, "kz_admin": 2, "kz_reader": 2}
    assert kinds(ex, "document_agreed") == {"kz": 3, "kz_admin": 3, "kz_reader": 3}
    # the open one to RUS and BLR, the restricted one to RUS only (Art. 6)
    assert kinds(ex, "document_adopted") == {"ru": 2, "by": 1}
    assert ("document_adopted", secret) not in told(ex)["by"]
    assert kinds(ex, "review_requested") == {"ru": 1}  # restricted: nobody else
    assert kinds(ex, "review_concluded") == {"kz": 1, "kz_admin": 1, "kz_reader": 1}
    assert notify_workspace(rt) == 0
