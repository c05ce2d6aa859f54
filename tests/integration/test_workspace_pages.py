"""Pages of a project's events and documents, and its snapshot, on both databases (issue 15
bench; docs/decisions/0015-workspace.md "Snapshots and pages"): every event and every document
and every cost comes exactly once, in order; a snapshot missing, of another version or behind
the events gives the same project as a full fold; only writes (and the start) keep one."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from kelisim.domain.errors import InvalidInput
from kelisim.domain.workspace.project import EventKind, cost_of, fold, view
from kelisim.domain.workspace.project_snapshot import VERSION
from kelisim.services.participation import withdrawal_dates_on
from kelisim.services.workspace import documents as docs
from kelisim.services.workspace import projects as ws
from kelisim.storage.schema import workspace_documents, workspace_projects
from kelisim.storage.workspace_repository import WorkspaceRepository
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.workspace_documents_support import pdf


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def busy_project(ex: Exchange, costs: int = 12) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid = str(ws.propose_project(rt, p["kz"], kind="project", title="Catalogue",
                                 directions=[1])["id"])
    ws.join_project(rt, p["ru"], pid)
    stage = ws.add_stage(rt, p["kz"], pid, title="Collect", deadline=date(2027, 3, 1))
    ws.consent_to_deadline(rt, p["ru"], pid, stage["stages"][0]["id"], 1)
    for n in range(costs):
        ws.record_cost(rt, p["ru" if n % 2 else "kz"], pid, amount=f"{n + 1}.50",
                       currency="KZT")
    return pid


def full_fold(ex: Exchange, pid: str) -> dict[str, object]:
    """The view folded from every event, listing every cost."""
    rt = ex.node.runtime
    with rt.unit_of_work() as uow:
        today = rt.clock().date()
        events = WorkspaceRepository(uow.connection).events(pid)
        costs = [cost_of(e) for e in events if e.kind is EventKind.COST_RECORDED]
        return view(fold(events, withdrawal_dates_on(rt, today, uow)), today, costs)


def kept(ex: Exchange, pid: str) -> tuple[object, object]:
    with ex.node.runtime.unit_of_work() as uow:
        row = uow.connection.execute(
            select(workspace_projects.c.snapshot, workspace_projects.c.snapshot_position)
            .where(workspace_projects.c.id == pid)).one()
    return row[0], row[1]


def test_every_event_comes_once_in_order_page_after_page(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = busy_project(ex)
    everything = [e["id"] for e in ws.project_history(rt, p["by"], pid)]
    assert len(everything) == 16
    for limit in (1, 3, 5, 16, 100):
        seen, after = [], 0
        while True:
            page = ws.history_page(rt, p["by"], pid, after=after, limit=limit)
            assert page["total"] == 16 and len(page["events"]) <= limit
            seen += [e["id"] for e in page["events"]]
            if page["next"] is None:
                break
            after = page["next"]
        assert seen == everything
    assert ws.history_page(rt, p["by"], pid, after=16, limit=5)["events"] == []
    for bad in ({"after": -1}, {"limit": 0}, {"limit": ws.MAX_PAGE + 1}):
        with pytest.raises(InvalidInput):
            ws.history_page(rt, p["by"], pid, **bad)  # type: ignore[arg-type]


def test_the_snapshot_gives_the_full_fold_and_only_writes_keep_it(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = busy_project(ex)
    state, position = kept(ex, pid)
    assert position == 16 and isinstance(state, dict) and state["last_position"] == 16
    assert "costs" not in state and state["cost_count"] == 12
    older = ws.show_project(rt, p["kz"], pid, costs_limit=None)
    assert older == full_fold(ex, pid)
    with rt.unit_of_work() as uow:  # a snapshot behind: the fold of 10 events
        repo = WorkspaceRepository(uow.connection)
        early = fold(repo.events(pid)[:10], {})
        uow.connection.execute(update(workspace_projects).where(workspace_projects.c.id == pid)
                               .values(snapshot=None, snapshot_position=None))
        repo.snapshot_kept(early)
        uow.commit()
    assert kept(ex, pid)[1] == 10
    assert ws.show_project(rt, p["kz"], pid, costs_limit=None) == older
    assert docs.list_documents(rt, p["kz"], pid) == []
    assert kept(ex, pid)[1] == 10  # a read writes nothing
    assert ws.refresh_snapshots(rt) == 1 and kept(ex, pid)[1] == 16  # at start
    assert ws.refresh_snapshots(rt) == 0
    for broken, at in ((None, None), ({"v": 0}, None), ({"v": 0}, 16)):  # missing, another
        with rt.unit_of_work() as uow:                                 # version (at the end)
            uow.connection.execute(update(workspace_projects)
                                   .where(workspace_projects.c.id == pid)
                                   .values(snapshot=broken, snapshot_position=at))
            uow.commit()
        page, _ = docs.project_page(rt, p["kz"], pid, costs_limit=2)
        assert page["costs"]["recorded"] == older["costs"]["recorded"][:2]
        assert ws.show_project(rt, p["kz"], pid, costs_limit=None) == older
        assert kept(ex, pid) == (broken, at)  # still as it was: reads never write
        assert ws.refresh_snapshots(rt) == 1
        state, position = kept(ex, pid)
        assert position == 16 and isinstance(state, dict) and state["v"] == VERSION
    after = ws.record_cost(rt, p["kz"], pid, amount="7", currency="RUB")  # a write after it
    assert kept(ex, pid)[1] == 17
    whole = full_fold(ex, pid)
    assert after == {**whole, "costs": {**whole["costs"],  # type: ignore[dict-item]
                                        "recorded_next": None}}


def test_every_cost_comes_once_in_order_and_the_totals_count_all(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = busy_project(ex)
    every = ws.show_project(rt, p["by"], pid, costs_limit=None)["costs"]
    assert len(every["recorded"]) == every["recorded_count"] == 12
    for limit in (1, 5, 12, 100):
        seen, after = [], 0
        while True:
            page = ws.costs_page(rt, p["by"], pid, after=after, limit=limit)
            assert page["total"] == 12 and len(page["costs"]) <= limit
            seen += page["costs"]
            if page["next"] is None:
                break
            after = page["next"]
        assert seen == every["recorded"]
    first = ws.show_project(rt, p["by"], pid, costs_limit=5)["costs"]
    assert first["recorded"] == every["recorded"][:5]
    assert first["recorded_next"] == every["recorded"][4]["position"]
    assert first["totals_by_party"] == every["totals_by_party"] == {
        "KAZ": {"KZT": str(sum(Decimal(f"{n + 1}.50") for n in range(0, 12, 2)))},
        "RUS": {"KZT": str(sum(Decimal(f"{n + 1}.50") for n in range(1, 12, 2)))}}
    page, _ = docs.project_page(rt, p["by"], pid, costs_after=first["recorded_next"],
                                costs_limit=5)
    assert page["costs"]["recorded"] == every["recorded"][5:10]
    assert page["costs"]["recorded_before"] == 5
    for bad in ({"after": -1}, {"limit": 0}, {"limit": ws.MAX_PAGE + 1}):
        with pytest.raises(InvalidInput):
            ws.costs_page(rt, p["by"], pid, **bad)  # type: ignore[arg-type]


def test_every_document_the_reader_may_know_of_comes_once_newest_first(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = busy_project(ex, costs=0)
    ws.join_project(rt, p["by"], pid)
    for n in range(7):
        principal = p["kz"]
        incoming = docs.receive(docs.begin_upload(rt, principal, pid), io.BytesIO(pdf()))
        restricted = {"classification": "restricted", "restricted_to": ["RUS"]} \
            if n in (2, 3, 5) else {}
        docs.add_document(rt, principal, pid, incoming,
                          docs.Metadata(title=f"Draft {n}", language="ru", **restricted),
                          "draft.pdf")
    everyone = [d["id"] for d in docs.list_documents(rt, p["kz"], pid)]
    hidden = [d["id"] for d in docs.list_documents(rt, p["by"], pid)]
    assert len(everyone) == 7 and len(hidden) == 4
    for who, expected in (("kz", everyone), ("ru", everyone), ("by", hidden)):
        for limit in (1, 2, 3, 7, 50):
            seen, after = [], None
            while True:
                page = docs.documents_page(rt, p[who], pid, after=after, limit=limit)
                assert page["total"] == len(expected) and len(page["documents"]) <= limit
                seen += [d["id"] for d in page["documents"]]
                if page["next"] is None:
                    break
                after = page["next"]
            assert seen == expected, (who, limit)
    with pytest.raises(InvalidInput, match="after"):
        docs.documents_page(rt, p["kz"], pid, after="not-a-document", limit=2)
    with pytest.raises(InvalidInput, match="limit"):
        docs.documents_page(rt, p["kz"], pid, limit=0)
    project, page = docs.project_page(rt, p["by"], pid, limit=2)
    assert project["costs"].pop("recorded_before") == 0  # the page's caption's count
    assert project == ws.show_project(rt, p["by"], pid) and \
        [d["id"] for d in page["documents"]] == hidden[:2]


def test_the_list_tells_each_state_from_the_row_as_the_fold_does(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = busy_project(ex, costs=0)
    made = []
    for n in range(4):
        incoming = docs.receive(docs.begin_upload(rt, p["kz"], pid), io.BytesIO(pdf()))
        made.append(str(docs.add_document(rt, p["kz"], pid, incoming, docs.Metadata(
            title=f"Draft {n}", language="ru"), "draft.pdf")["id"]))
    for did in made[1:]:
        docs.circulate_document(rt, p["kz"], pid, did)
    for did in made[2:]:
        for who in ("kz", "ru"):
            docs.agree_document(rt, p[who], pid, did, 1)
    docs.adopt_document(rt, p["kz"], pid, made[3])
    expected = {made[0]: "draft", made[1]: "circulated", made[2]: "agreed",
                made[3]: "adopted"}
    assert {d["id"]: d["state"] for d in docs.list_documents(rt, p["kz"], pid)} == expected
    assert {d: docs.show_document(rt, p["kz"], pid, d)["state"] for d in made} == expected
    ws.join_project(rt, p["by"], pid)  # a Party joining: agreed again only once it agrees
    after_joining = {**expected, made[2]: "circulated"}
    before = docs.list_documents(rt, p["kz"], pid)
    assert {d["id"]: d["state"] for d in before} == after_joining
    assert all("agreed_by" not in d for d in before)
    with rt.unit_of_work() as uow:  # rows made before migration 0027: folded instead
        uow.connection.execute(update(workspace_documents).values(agreed_by=None))
        uow.commit()
    assert docs.list_documents(rt, p["kz"], pid) == before
