"""The workspace's indexed deadlines (`schema.workspace_deadlines`, migration 0025; decision
0025, "Indexed deadlines"): the candidates the daily deadline pass reads instead of folding
every record, and the read-only loading of the candidates' projects from their snapshots.

`keep` replaces a record's rows in the caller's transaction (the one that appends the event
changing them); `due_by` is one range read of the `due` index. Which deadlines are kept is the
domain's (`domain/workspace/notices.py` `kept_stage_deadlines`, `kept_action_deadlines`);
storage only selects the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import Connection, delete, func, insert, select

from kelisim.domain.workspace import consultations as consultation_rules
from kelisim.domain.workspace.notices import (
    KeptDeadline,
    kept_action_deadlines,
    kept_stage_deadlines,
)
from kelisim.domain.workspace.project import Event, EventKind, Project, advance, fold
from kelisim.domain.workspace.project_snapshot import restore
from kelisim.storage.schema import workspace_deadlines, workspace_events, workspace_projects
from kelisim.storage.workspace_repository import WorkspaceRepository, event_of

CHUNK = 200


class RecordKind(StrEnum):
    PROJECT = "project"
    CONSULTATION = "consultation"


class DeadlinesRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def keep(self, record_id: str, kind: RecordKind, kept: Sequence[KeptDeadline]) -> None:
        """The record's kept deadlines are now `kept` (none: it has no row left)."""
        self.connection.execute(delete(workspace_deadlines)
                                .where(workspace_deadlines.c.record_id == record_id))
        if kept:
            self.connection.execute(insert(workspace_deadlines), [
                {"record_id": record_id, "item_id": k.item, "record_kind": kind.value,
                 "due": k.due} for k in kept])

    def due_by(self, last_day: date) -> list[tuple[str, RecordKind]]:
        """The records with a kept deadline on or before `last_day`, by record id."""
        rows = self.connection.execute(
            select(workspace_deadlines.c.record_id, workspace_deadlines.c.record_kind)
            .where(workspace_deadlines.c.due <= last_day).distinct()
            .order_by(workspace_deadlines.c.record_id))
        return [(r[0], RecordKind(r[1])) for r in rows]

    def rows(self) -> set[tuple[str, str, str, date]]:
        """Every kept row (record, item, kind, due): for the tests and the migration's check."""
        return {(r[0], r[1], r[2], r[3]) for r in self.connection.execute(select(
            workspace_deadlines.c.record_id, workspace_deadlines.c.item_id,
            workspace_deadlines.c.record_kind, workspace_deadlines.c.due))}

    def projects(self, project_ids: Sequence[str],
                 withdrawals: Mapping[str, Sequence[date]]) -> list[Project]:
        """The listed projects as of their last events, read only: each snapshot restored and
        advanced by the events after it (one read for the chunk), a full fold where there is
        no usable snapshot. Nothing is written (the pass reads before it takes its lock; a
        read's `load_project` keeps the snapshots)."""
        found: list[Project] = []
        for start in range(0, len(project_ids), CHUNK):
            found += self._projects(list(project_ids[start:start + CHUNK]), withdrawals)
        return found

    def _projects(self, ids: list[str],
                  withdrawals: Mapping[str, Sequence[date]]) -> list[Project]:
        kept = {r[0]: restore(r[1], withdrawals) for r in self.connection.execute(
            select(workspace_projects.c.id, workspace_projects.c.snapshot)
            .where(workspace_projects.c.id.in_(ids)))}
        restored = {i: p for i, p in kept.items() if p is not None}
        tails = self._tails([i for i in ids if i in restored])
        whole = WorkspaceRepository(self.connection).events_of(
            [i for i in ids if i not in restored])
        found = []
        for project_id in ids:
            project = restored.get(project_id)
            if project is not None:
                found.append(advance(project, [e for e in tails.get(project_id, [])
                                               if e.position > project.last_position],
                                     withdrawals))
            elif whole.get(project_id) and whole[project_id][0].kind is EventKind.PROPOSED:
                found.append(fold(whole[project_id], withdrawals))
        return found

    def _tails(self, ids: list[str]) -> dict[str, list[Event]]:
        """The events of each listed project after its snapshot's position, in one read."""
        if not ids:
            return {}
        events, projects = workspace_events.c, workspace_projects.c
        rows = self.connection.execute(
            select(workspace_events)
            .join(workspace_projects, projects.id == events.record_id)
            .where(events.record_id.in_(ids),
                   events.position > func.coalesce(projects.snapshot_position, 0))
            .order_by(events.record_id, events.position)).mappings()
        found: dict[str, list[Event]] = {}
        for row in rows:
            found.setdefault(row["record_id"], []).append(event_of(row))
        return found


def rebuild_all(connection: Connection) -> int:
    """Keep the deadlines of every project with a stage and every consultation with an action
    from its events (and snapshot): migration 0025's backfill. Returns the rows kept."""
    repo, ws = DeadlinesRepository(connection), WorkspaceRepository(connection)
    made = 0
    ids = ws.records_with([EventKind.STAGE_ADDED, EventKind.CONSULTATION_ACTION_ADDED])
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        projects = repo.projects(chunk, {})  # the withdrawals do not change what is kept
        for project in projects:
            kept = kept_stage_deadlines(project)
            repo.keep(project.id, RecordKind.PROJECT, kept)
            made += len(kept)
        folded = {p.id for p in projects}
        for history in ws.events_of([i for i in chunk if i not in folded]).values():
            if history and history[0].kind is EventKind.CONSULTATION_REQUESTED:
                kept = kept_action_deadlines(consultation_rules.fold(history))
                repo.keep(history[0].record_id, RecordKind.CONSULTATION, kept)
                made += len(kept)
    return made
