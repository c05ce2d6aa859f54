"""Rows of the cooperation workspace (issue 15) to and from domain events.

Appending an event and rebuilding the project's projection row happen in the caller's
transaction; the unique (record_id, position) refuses a concurrent writer's second event at
the same place, so the one that loses retries instead of forking the record.

Every appended event also takes the workspace's next `seq` from the `workspace_counters` row
"events" (migration 0020): the row's lock holds any other appending transaction until this one
commits, so the seqs become visible in their order and the notification pass's cursor over
them never skips a later commit (services/notifications/workspace_pass.py). Appending takes it
first, before any other write of the transaction, so no two writers wait on each other. The
commit then wakes the worker (`UnitOfWorkFactory.on_commit`), so a notice does not wait for
the next poll.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from kelisim.domain.workspace.project import Event, EventKind, Project
from kelisim.domain.workspace.project_snapshot import snapshot
from kelisim.storage.instants import aware
from kelisim.storage.schema import (
    workspace_check_tokens,
    workspace_counters,
    workspace_events,
    workspace_projects,
)
from kelisim.storage.unit_of_work import mark_written

EVENTS_COUNTER = "events"
WORKSPACE_TOPIC = "workspace"
"""What an appended event marks its transaction with: the worker is woken by its commit."""


class WorkspaceRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def append(self, event: Event) -> None:
        self.connection.execute(insert(workspace_events).values(
            id=event.id, record_id=event.record_id, position=event.position, seq=self.next_seq(),
            kind=event.kind.value, origin_party=event.origin_party,
            actor_account=event.actor_account, actor_name=event.actor_name, at=event.at,
            body=dict(event.body)))
        mark_written(self.connection, WORKSPACE_TOPIC)

    def next_seq(self) -> int:
        counter = workspace_counters.c
        moved = self.connection.execute(update(workspace_counters)
                                        .where(counter.name == EVENTS_COUNTER)
                                        .values(value=counter.value + 1))
        if moved.rowcount == 0:  # a database made before the row existed
            last = self.connection.execute(select(func.max(workspace_events.c.seq))).scalar()
            self.connection.execute(insert(workspace_counters).values(
                name=EVENTS_COUNTER, value=(last or 0) + 1))
        return int(self.connection.execute(select(counter.value).where(
            counter.name == EVENTS_COUNTER)).scalar_one())

    def events_after(self, seq: int, limit: int) -> list[tuple[int, Event]]:
        """The workspace's events committed after `seq`, in order, with their seq."""
        rows = self.connection.execute(
            select(workspace_events).where(workspace_events.c.seq > seq)
            .order_by(workspace_events.c.seq).limit(limit)).mappings()
        return [(int(r["seq"]), _event(r)) for r in rows]

    def records_with(self, kinds: list[EventKind]) -> list[str]:
        """The records holding an event of one of these kinds (the deadline pass's projects
        with stages and consultations with actions), in a stable order."""
        rows = self.connection.execute(
            select(workspace_events.c.record_id)
            .where(workspace_events.c.kind.in_([k.value for k in kinds]))
            .distinct().order_by(workspace_events.c.record_id))
        return [r[0] for r in rows]

    def events(self, record_id: str, *, after: int = 0,
               limit: int | None = None) -> list[Event]:
        """A record's events after position `after`, in order (a keyset page if `limit`)."""
        query = (select(workspace_events)
                 .where(workspace_events.c.record_id == record_id,
                        workspace_events.c.position > after)
                 .order_by(workspace_events.c.position))
        if limit is not None:
            query = query.limit(limit)
        return [_event(r) for r in self.connection.execute(query).mappings()]

    def cost_events(self, record_id: str, *, after: int = 0, limit: int) -> list[Event]:
        """A keyset page of the project's `cost_recorded` events after position `after`."""
        e = workspace_events.c
        rows = self.connection.execute(
            select(workspace_events)
            # `kind || ''`: found by the record's positions, never by the index of kinds (the
            # costs of every project of the workspace: bench/workspace.py)
            .where(e.record_id == record_id, e.position > after,
                   e.kind.concat("") == EventKind.COST_RECORDED.value)
            .order_by(e.position).limit(limit)).mappings()
        return [_event(r) for r in rows]

    def costs_up_to(self, record_id: str, position: int) -> int:
        """How many costs the project recorded at or before `position` (a page's first's)."""
        e = workspace_events.c
        return int(self.connection.execute(
            select(func.count()).select_from(workspace_events)
            .where(e.record_id == record_id, e.position <= position,
                   e.kind.concat("") == EventKind.COST_RECORDED.value)).scalar_one())

    def stale_snapshots(self, version: int) -> list[str]:
        """The projects whose snapshot is missing, of another version or behind the events."""
        p = workspace_projects.c
        rows = self.connection.execute(
            select(p.id).where(p.snapshot_position.is_(None)
                               | (p.snapshot_position != p.last_position)
                               | (func.coalesce(p.snapshot["v"].as_integer(), 0) != version))
            .order_by(p.id))
        return [r[0] for r in rows]

    def project_snapshot(self, project_id: str) -> tuple[dict[str, Any] | None, int] | None:
        """The projection row's snapshot and its position; None if there is no row."""
        row = self.connection.execute(
            select(workspace_projects.c.snapshot, workspace_projects.c.snapshot_position)
            .where(workspace_projects.c.id == project_id)).first()
        return None if row is None else (row[0], row[1] or 0)

    def last_position(self, project_id: str) -> int | None:
        """How many events the project has (its projection row's), None if no such project."""
        return self.connection.execute(
            select(workspace_projects.c.last_position)
            .where(workspace_projects.c.id == project_id)).scalar()

    def project_rebuilt(self, project: Project) -> None:
        """Replace the projection row with the fold of the project's events (and keep that
        fold as the row's snapshot)."""
        self.connection.execute(delete(workspace_projects)
                                .where(workspace_projects.c.id == project.id))
        self.connection.execute(insert(workspace_projects).values(
            id=project.id, kind=project.kind.value, title=project.title,
            lead_party=project.lead_party, origin_party=project.origin_party,
            proposed_at=project.proposed_at, last_position=project.last_position,
            parties=sorted({p.party for p in project.participations}),
            snapshot=snapshot(project), snapshot_position=project.last_position))

    def snapshot_kept(self, project: Project) -> None:
        """Keep a fold made outside the write path (`refresh_snapshots` at start) for a
        snapshot missing, of another version or behind, unless a later one is already kept
        (a concurrent writer's; one at the same position is the fold of the same events,
        replaced if of another version)."""
        kept = workspace_projects.c.snapshot_position
        self.connection.execute(
            update(workspace_projects)
            .where(workspace_projects.c.id == project.id,
                   kept.is_(None) | (kept <= project.last_position))
            .values(snapshot=snapshot(project), snapshot_position=project.last_position))

    def projects(self, limit: int = 100) -> list[dict[str, Any]]:
        listed = [c for c in workspace_projects.c if not c.name.startswith("snapshot")]
        rows = self.connection.execute(  # not the snapshots: a list folds nothing
            select(*listed).order_by(workspace_projects.c.proposed_at.desc(),
                                     workspace_projects.c.id).limit(limit))
        return [dict(r) for r in rows.mappings()]

    def memberships(self, record_ids: list[str]) -> list[Event]:
        """The proposal and joining events of the listed records, in one read (a list page
        shows each one's directions and who takes part without folding every record)."""
        if not record_ids:
            return []
        rows = self.connection.execute(
            select(workspace_events)
            # `kind || ''`: found by the records' ids (a few events each), never by the index
            # of kinds (every proposal and joining of the workspace: bench/workspace.py)
            .where(workspace_events.c.record_id.in_(record_ids),
                   workspace_events.c.kind.concat("").in_([EventKind.PROPOSED.value,
                                                           EventKind.JOINED.value]))
            .order_by(workspace_events.c.record_id, workspace_events.c.position)).mappings()
        return [_event(r) for r in rows]

    def events_of(self, record_ids: list[str]) -> dict[str, list[Event]]:
        """The events of the listed records, in one read, each record's in order."""
        found: dict[str, list[Event]] = {record_id: [] for record_id in record_ids}
        for start in range(0, len(record_ids), 500):
            rows = self.connection.execute(
                select(workspace_events)
                .where(workspace_events.c.record_id.in_(record_ids[start:start + 500]))
                .order_by(workspace_events.c.record_id, workspace_events.c.position)).mappings()
            for row in rows:
                found[row["record_id"]].append(_event(row))
        return found

    def first_events(self, kind: EventKind, limit: int = 100) -> list[Event]:
        """The first event of each record of one kind (a consultation's request), newest
        first."""
        rows = self.connection.execute(
            select(workspace_events)
            .where(workspace_events.c.kind == kind.value, workspace_events.c.position == 1)
            .order_by(workspace_events.c.at.desc(), workspace_events.c.record_id)
            .limit(limit)).mappings()
        return [_event(r) for r in rows]


    def add_check_tokens(self, check_id: str, hashes: dict[str, str]) -> None:
        """`hashes`: each target's id and the SHA-256 of its token."""
        if hashes:
            self.connection.execute(insert(workspace_check_tokens), [
                {"token_hash": digest, "check_id": check_id, "target_id": target_id}
                for target_id, digest in hashes.items()])

    def check_token(self, token_hash: str) -> tuple[str, str] | None:
        """The (check id, target id) a token's hash was issued for."""
        row = self.connection.execute(
            select(workspace_check_tokens.c.check_id, workspace_check_tokens.c.target_id)
            .where(workspace_check_tokens.c.token_hash == token_hash)).first()
        return None if row is None else (row[0], row[1])


def _event(row: Any) -> Event:
    return Event(id=row["id"], record_id=row["record_id"], position=row["position"],
                 kind=EventKind(row["kind"]), origin_party=row["origin_party"],
                 actor_account=row["actor_account"], actor_name=row["actor_name"],
                 at=aware(row["at"]), body=row["body"])


event_of = _event
"""A `workspace_events` row as its domain event (for the other workspace repositories)."""
