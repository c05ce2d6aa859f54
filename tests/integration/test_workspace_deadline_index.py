"""The deadline pass's indexed candidates on both databases (decision 0025, "Indexed deadlines";
migration 0025): the rows of `workspace_deadlines` kept on the write path select exactly the
records whose deadlines may be told (a table of the edges), a random sequence of workspace
actions leaves the index equal to a fold of every record and the pass's notices equal to the
old full fold's (kept here as the oracle), and the migration's backfill gives an upgraded
database the same rows."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from kelisim.domain.errors import KelisimError
from kelisim.domain.workspace import consultations as consultation_rules
from kelisim.domain.workspace import notices as rules
from kelisim.domain.workspace.notices import WorkspaceNotice
from kelisim.domain.workspace.project import EventKind, fold
from kelisim.services import depositary
from kelisim.services.notifications.workspace_pass import deadline_notices, notify_deadlines
from kelisim.services.participation import withdrawal_dates_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import projects as ws
from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_deadlines_repository import DeadlinesRepository, RecordKind
from kelisim.storage.workspace_repository import WorkspaceRepository
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.integration.test_workspace_documents import project
from tests.integration.test_workspace_notifications import kinds


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


# --- the oracle: the pass as it was, a fold of every record with a stage or an action ----------

def full_fold_notices(rt: Runtime, uow: UnitOfWork, today: date) -> list[WorkspaceNotice]:
    repo = WorkspaceRepository(uow.connection)
    withdrawals = withdrawal_dates_on(rt, today, uow)
    found: list[WorkspaceNotice] = []
    ids = repo.records_with([EventKind.STAGE_ADDED, EventKind.CONSULTATION_ACTION_ADDED])
    for history in repo.events_of(ids).values():
        if history and history[0].kind is EventKind.PROPOSED:
            found += rules.stage_deadlines(fold(history, withdrawals), today)
        elif history and history[0].kind is EventKind.CONSULTATION_REQUESTED:
            found += rules.action_deadlines(consultation_rules.fold(history), today)
    return found


def full_fold_rows(uow: UnitOfWork) -> set[tuple[str, str, str, date]]:
    repo = WorkspaceRepository(uow.connection)
    rows: set[tuple[str, str, str, date]] = set()
    ids = repo.records_with([EventKind.STAGE_ADDED, EventKind.CONSULTATION_ACTION_ADDED])
    for record_id, history in repo.events_of(ids).items():
        if history[0].kind is EventKind.PROPOSED:
            kept, kind = rules.kept_stage_deadlines(fold(history, {})), RecordKind.PROJECT
        else:
            kept = rules.kept_action_deadlines(consultation_rules.fold(history))
            kind = RecordKind.CONSULTATION
        rows |= {(record_id, k.item, kind.value, k.due) for k in kept}
    return rows


def key(notices: list[WorkspaceNotice]) -> list[tuple[Any, ...]]:
    return sorted((n.record_id, n.dedupe, n.kind, n.path, sorted(n.parties or ()),
                   sorted(n.facts.items())) for n in notices)


def candidates(ex: Exchange) -> set[str]:
    rt = ex.node.runtime
    with rt.unit_of_work() as uow:
        due = DeadlinesRepository(uow.connection).due_by(rules.horizon(rt.clock().date()))
    return {record_id for record_id, _ in due}


# --- the edges, as a table ---------------------------------------------------------------------

def stage(ex: Exchange, days: int, consenting: tuple[str, ...] = ("kz", "ru"),
          joining: tuple[str, ...] = ("ru",)) -> tuple[str, str]:
    """A project (KAZ and `joining`) with a stage due `days` after today, consented by
    `consenting`, made 60 days ago; the clock back at today."""
    rt, p = ex.node.runtime, ex.principals
    today = rt.clock().date()
    ex.node.clock.now -= timedelta(days=60)
    pid = project(ex, *joining)
    sid = ws.add_stage(rt, p["kz"], pid, title="Collect",
                       deadline=today + timedelta(days=days))["stages"][0]["id"]
    for who in consenting:
        ws.consent_to_deadline(rt, p[who], pid, sid, 1)
    ex.node.clock.now += timedelta(days=60)
    return pid, str(sid)


def due_in_7(ex: Exchange) -> str:
    return stage(ex, 7)[0]


def due_in_8(ex: Exchange) -> str:
    return stage(ex, 8)[0]


def overdue(ex: Exchange) -> str:
    return stage(ex, -3)[0]


def changed_needs_consent_again(ex: Exchange) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid, sid = stage(ex, 30)
    ws.change_deadline(rt, p["kz"], pid, sid, rt.clock().date() + timedelta(days=2))
    return pid


def changed_and_consented_by_one(ex: Exchange) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid = changed_needs_consent_again(ex)
    sid = ws.show_project(rt, p["kz"], pid)["stages"][0]["id"]
    ws.consent_to_deadline(rt, p["kz"], pid, sid, 2)
    return pid


def changed_and_consented_again(ex: Exchange) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid = changed_and_consented_by_one(ex)
    sid = ws.show_project(rt, p["kz"], pid)["stages"][0]["id"]
    ws.consent_to_deadline(rt, p["ru"], pid, sid, 2)
    return pid


def completed(ex: Exchange) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid, sid = stage(ex, -3)
    ws.complete_stage(rt, p["kz"], pid, sid)
    return pid


def awaiting_a_party_that_withdraws(ex: Exchange) -> str:
    """KAZ consented, RUS did not; RUS's withdrawal date passes (Art. 15): agreed by KAZ."""
    rt = ex.node.runtime
    depositary.record_entries(rt, ex.admin, [{"kind": "withdrawal_notice", "party": "RUS",
                                              "received": "2026-11-25",
                                              "withdrawal_date": "2027-06-01"}])
    pid, _ = stage(ex, 200, consenting=("kz",))  # due 2027-06-13
    ex.node.clock.now = ex.node.clock.now.replace(year=2027, month=6, day=8)
    return pid


def awaiting_a_party_that_stays(ex: Exchange) -> str:
    return stage(ex, 5, consenting=("kz",))[0]


def action_due_in_7(ex: Exchange) -> str:
    return action(ex, 7, done=False)


def action_done(ex: Exchange) -> str:
    return action(ex, -1, done=True)


def action(ex: Exchange, days: int, done: bool) -> str:
    rt, p = ex.node.runtime, ex.principals
    today = rt.clock().date()
    ex.node.clock.now -= timedelta(days=10)
    cid = consult.request_consultation(rt, p["kz"], subject="Marking", articles=[12],
                                       invited=["RUS"])["id"]
    consult.answer_invitation(rt, p["ru"], cid, True)
    held = rt.clock().date()
    consult.schedule_consultation(rt, p["kz"], cid, held_on=held, place="Almaty",
                                  agenda=["Marking"])
    consult.record_minutes(rt, p["kz"], cid, present=["KAZ", "RUS"], minutes="Met")
    made = consult.add_action(rt, p["kz"], cid, description="Draft the rule", owner="RUS",
                              deadline=today + timedelta(days=days))
    if done:
        consult.complete_action(rt, p["ru"], cid, made["actions"][0]["id"])
    ex.node.clock.now += timedelta(days=10)
    return str(cid)


KAZ_RUS = {"kz": 1, "kz_admin": 1, "kz_reader": 1, "ru": 1}
EDGES: list[tuple[Callable[[Exchange], str], bool, str | None, dict[str, int]]] = [
    # made by, a candidate?, the notice, told to
    (due_in_7, True, "deadline_soon", KAZ_RUS),
    (due_in_8, False, None, {}),
    (overdue, True, "deadline_overdue", KAZ_RUS),
    (changed_needs_consent_again, False, None, {}),  # no consent to revision 2 yet
    (changed_and_consented_by_one, True, None, {}),  # RUS awaited: decided on the day
    (changed_and_consented_again, True, "deadline_soon", KAZ_RUS),
    (completed, False, None, {}),
    (awaiting_a_party_that_stays, True, None, {}),
    (awaiting_a_party_that_withdraws, True, "deadline_soon",
     {"kz": 1, "kz_admin": 1, "kz_reader": 1}),
    (action_due_in_7, True, "deadline_soon", {"ru": 1}),
    (action_done, False, None, {}),
]


@pytest.mark.parametrize(("made", "candidate", "notice", "told"), EDGES,
                         ids=[e[0].__name__ for e in EDGES])
def test_the_index_selects_the_deadlines_that_may_be_told(
        ex: Exchange, made: Callable[[Exchange], str], candidate: bool, notice: str | None,
        told: dict[str, int]) -> None:
    record_id = made(ex)
    assert (record_id in candidates(ex)) is candidate
    notify_deadlines(ex.node.runtime)
    for kind in ("deadline_soon", "deadline_overdue"):
        assert kinds(ex, kind) == (told if kind == notice else {})


# --- a random sequence of actions: the index agrees with a full fold ---------------------------

def random_workspace(ex: Exchange, seed: int, steps: int) -> None:
    """Propose, join, add stages, change deadlines, consent, complete, record follow-up actions
    and mark them done, at random, with the clock moving; a refused step is skipped (the
    services' rules decide, as for a user)."""
    rt, p = ex.node.runtime, ex.principals
    rng = random.Random(seed)
    projects: list[str] = []
    consultations: list[str] = []
    parties = {"kz": "KAZ", "ru": "RUS", "by": "BLR"}

    def today() -> date:
        return rt.clock().date()

    def some_stage(pid: str) -> dict[str, Any] | None:
        stages = ws.show_project(rt, p["kz"], pid)["stages"]
        return rng.choice(stages) if stages else None

    def propose() -> None:
        projects.append(project(ex, *rng.sample(["ru", "by"], rng.randint(0, 2))))

    def join() -> None:
        ws.join_project(rt, p[rng.choice(["ru", "by"])], rng.choice(projects))

    def add_stage() -> None:
        pid = rng.choice(projects)
        stages = ws.show_project(rt, p["kz"], pid)["stages"]
        last = max([date.fromisoformat(s["deadline"]) for s in stages], default=today())
        ws.add_stage(rt, p["kz"], pid, title="Stage",
                     deadline=last + timedelta(days=rng.randint(-2, 12)))

    def change() -> None:
        pid = rng.choice(projects)
        if (found := some_stage(pid)) is not None:
            ws.change_deadline(rt, p["kz"], pid, found["id"],
                               date.fromisoformat(found["deadline"])
                               + timedelta(days=rng.randint(-5, 5)))

    def consent() -> None:
        pid = rng.choice(projects)
        if (found := some_stage(pid)) is not None:
            ws.consent_to_deadline(rt, p[rng.choice(list(parties))], pid, found["id"],
                                   found["revision"])

    def complete() -> None:
        pid = rng.choice(projects)
        if (found := some_stage(pid)) is not None:
            ws.complete_stage(rt, p["kz"], pid, found["id"])

    def add_action() -> None:
        cid = consult.request_consultation(rt, p["kz"], subject="Marking", articles=[12],
                                           invited=["RUS"])["id"]
        consult.answer_invitation(rt, p["ru"], cid, True)
        consult.schedule_consultation(rt, p["kz"], cid, held_on=today(), place="Almaty",
                                      agenda=["Marking"])
        consult.record_minutes(rt, p["kz"], cid, present=["KAZ", "RUS"], minutes="Met")
        for _ in range(rng.randint(1, 3)):
            consult.add_action(rt, p["kz"], cid, description="Do", owner=rng.choice(
                ["KAZ", "RUS"]), deadline=today() + timedelta(days=rng.randint(0, 15)))
        consultations.append(str(cid))

    def action_done() -> None:
        cid = rng.choice(consultations)
        shown = consult.show_consultation(rt, p["kz"], cid)["actions"]
        if shown:
            chosen = rng.choice(shown)
            owner = next(k for k, v in parties.items() if v == chosen["owner"])
            consult.complete_action(rt, p[owner], cid, chosen["id"])

    def wait() -> None:
        ex.node.clock.now += timedelta(days=rng.randint(0, 3))

    propose()
    moves = [propose, join, add_stage, add_stage, change, consent, consent, consent, complete,
             add_action, action_done, wait]
    for _ in range(steps):
        move = rng.choice(moves)
        if move is action_done and not consultations:
            continue
        # a step a rule refuses (out of order, a stale revision, not taking part) is skipped
        with contextlib.suppress(KelisimError):
            move()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_index_agrees_with_a_fold_of_every_record(ex: Exchange, seed: int) -> None:
    rt = ex.node.runtime
    random_workspace(ex, seed, 80)
    start = rt.clock().date()
    with rt.unit_of_work() as uow:
        assert DeadlinesRepository(uow.connection).rows() == full_fold_rows(uow)
        told = 0
        for days in (-10, -3, 0, 2, 5, 8, 15, 40):
            day = start + timedelta(days=days)
            expected = full_fold_notices(rt, uow, day)
            assert key(deadline_notices(rt, uow, day)) == key(expected), day
            told += len(expected)
    assert told > 0  # the sequence made deadlines worth telling


def test_the_migration_keeps_the_deadlines_of_the_records_before_it(ex: Exchange) -> None:
    rt = ex.node.runtime
    random_workspace(ex, 3, 50)
    due_in_7(ex)
    action_due_in_7(ex)
    with rt.unit_of_work() as uow:
        before = DeadlinesRepository(uow.connection).rows()
        expected = key(full_fold_notices(rt, uow, rt.clock().date()))
    assert before
    engine = make_engine(rt.settings.database_url)
    downgrade(engine, "0024")
    upgrade(engine)
    engine.dispose()
    with rt.unit_of_work() as uow:
        assert DeadlinesRepository(uow.connection).rows() == before
        assert key(deadline_notices(rt, uow, rt.clock().date())) == expected
