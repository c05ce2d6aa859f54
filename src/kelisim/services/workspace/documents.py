"""Documents circulated for comment as use cases (issue 15 item 3; Art. 3 directions 1-3, Art. 5,
Art. 6): upload a draft or a new version, circulate, comment, agree, adopt, list, read, download.

A file arrives as an `Incoming` (storage/document_files.py) the web layer or the CLI streamed to
disk; the use case decides on it - who uploads, the kind by content, Art. 6 - and either moves
it in place and appends the event in one transaction, or discards it. Each act appends one event
to `workspace_events` (global ids, the origin Party) and rebuilds the document's projection row.
Art. 6 is decided for every read by `rules.require_visible`: a restricted document is "not
found" for a Party it does not name.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, InvalidInput, Message, NotFound
from kelisim.domain.workspace import documents as rules
from kelisim.domain.workspace.documents import Document
from kelisim.domain.workspace.project import Event, EventKind, Project
from kelisim.services.participation import party_state_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import (
    COSTS_PAGE,
    MAX_PAGE,
    MAX_TEXT,
    acting_party,
    bounded_text,
    check_page,
    load_project,
    resource,
)
from kelisim.storage.document_files import DocumentFiles, Incoming
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_documents_repository import DocumentsRepository
from kelisim.storage.workspace_repository import WorkspaceRepository

ZIP_ENTRY_LIMIT = 1024 * 1024
"""The largest `mimetype` or `[Content_Types].xml` entry read to decide a zip's kind."""


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    description: str = ""
    classification: str = "open"
    restricted_to: Sequence[str] = ()


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    filename: str
    sha256: str
    size: int


def files(rt: Runtime) -> DocumentFiles:
    return DocumentFiles(rt.settings.data_dir / "documents")


def begin_upload(rt: Runtime, principal: Principal, project_id: str,
                 document_id: str | None = None) -> Incoming:
    """Before a byte is received: the caller may upload to this project (and, for a version,
    this document); then a file in `incoming/` with the size limit."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = _project(rt, uow, project_id)
        _check_uploader(rt, uow, party, project, today)
        if document_id is not None:
            doc = _document(uow, project, document_id, party)
            rules.check_new_version(doc, party, project.participants(today))
    return files(rt).incoming(rt.settings.max_document_bytes)


def receive(incoming: Incoming, source: BinaryIO, chunk: int = 1024 * 1024) -> Incoming:
    """Copy a readable file (the CLI's, a test's) into `incoming`, chunk by chunk."""
    try:
        while block := source.read(chunk):
            incoming.write(block)
    except BaseException:
        incoming.discard()
        raise
    return incoming


def add_document(rt: Runtime, principal: Principal, project_id: str, incoming: Incoming,
                 meta: Metadata, filename: str = "") -> dict[str, Any]:
    """Art. 3, 5, 6: a participating Party's draft, its first version; refused, nothing kept."""
    try:
        party = acting_party(principal)
        name = _filename(filename)
        level, restricted = rules.parse_access(meta.classification, meta.restricted_to, party)
        body: dict[str, Any] = {
            "project_id": project_id, "title": bounded_text(meta.title, "title", 500),
            "description": bounded_text(meta.description, "description", MAX_TEXT,
                                        optional=True),
            "language": rules.parse_language(meta.language), "classification": level,
            "restricted_to": list(restricted) if restricted is not None else None}
        rules.check_not_state_secret({"title": body["title"], "description":
                                      body["description"], "filename": name})
        body.update(_file_facts(incoming, name))
        with rt.unit_of_work() as uow:
            project, today = _project(rt, uow, project_id)
            _check_uploader(rt, uow, party, project, today)
            return _append(rt, uow, principal, project, str(uuid.uuid4()), [],
                           EventKind.DOCUMENT_UPLOADED, body, incoming)
    finally:
        incoming.discard()


def add_version(rt: Runtime, principal: Principal, project_id: str, document_id: str,
                incoming: Incoming, filename: str = "") -> dict[str, Any]:
    """A new version (never a replacement) from the uploading Party, draft or circulated."""
    try:
        party = acting_party(principal)
        name = _filename(filename)
        rules.check_not_state_secret({"filename": name})
        facts = _file_facts(incoming, name)
        with rt.unit_of_work() as uow:
            project, today = _project(rt, uow, project_id)
            _check_uploader(rt, uow, party, project, today)
            events, doc = _events(uow, project, document_id, party)
            rules.check_new_version(doc, party, project.participants(today))
            return _append(rt, uow, principal, project, document_id, events,
                           EventKind.DOCUMENT_VERSION_ADDED, facts, incoming)
    finally:
        incoming.discard()


def circulate_document(rt: Runtime, principal: Principal, project_id: str,
                       document_id: str) -> dict[str, Any]:
    """Art. 5: send the draft to the other participants' authorized bodies."""
    return _act(rt, principal, project_id, document_id, EventKind.DOCUMENT_CIRCULATED,
                lambda doc, party, _project, _today: rules.check_circulate(doc, party), {})


def comment_on_document(rt: Runtime, principal: Principal, project_id: str,
                        document_id: str, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {"comment_id": str(uuid.uuid4()),
                            "text": bounded_text(text, "text", MAX_TEXT)}

    def check(doc: Document, party: str, project: Project, today: date) -> None:
        rules.check_comment(doc, party, project.participants(today))
        body["version"] = doc.current.number
    return _act(rt, principal, project_id, document_id, EventKind.DOCUMENT_COMMENTED,
                check, body)


def agree_document(rt: Runtime, principal: Principal, project_id: str, document_id: str,
                   version: int) -> dict[str, Any]:
    """Art. 5: a Party taking part agrees the version it read."""
    return _act(rt, principal, project_id, document_id, EventKind.DOCUMENT_AGREED,
                lambda doc, party, project, today: rules.check_agree(
                    doc, party, project.participants(today), version), {"version": version})


def adopt_document(rt: Runtime, principal: Principal, project_id: str,
                   document_id: str) -> dict[str, Any]:
    """Art. 5: the lead Party adopts a document every participating Party agreed."""
    return _act(rt, principal, project_id, document_id, EventKind.DOCUMENT_ADOPTED,
                lambda doc, party, project, today: rules.check_adopt(
                    doc, party, project.lead_party, project.participants(today)), {})


def list_documents(rt: Runtime, principal: Principal, project_id: str) -> list[dict[str, Any]]:
    """A project's documents the reader may know of (Art. 6), newest first: every one."""
    return documents_page(rt, principal, project_id)["documents"]


def documents_page(rt: Runtime, principal: Principal, project_id: str, *,
                   after: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """A keyset page of the project's documents the reader may know of (Art. 6), newest first:
    `documents` (those after the document `after`, at most `limit`), `total` (how many the
    reader may know of) and `next` (the id to ask `after` for the next page, or None). A
    circulated one's state (circulated or agreed) depends on the day, so it alone is folded."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        project, today = _project(rt, uow, project_id)
        return _page(uow, principal, project, today, after, limit)


def project_page(rt: Runtime, principal: Principal, project_id: str, *,
                 after: str | None = None, limit: int | None = None, costs_after: int = 0,
                 costs_limit: int | None = COSTS_PAGE
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A project as of today (listing the costs recorded after position `costs_after`, at
    most `costs_limit`, and `recorded_before` how many precede them) and a page of its
    documents, from one read of the project (its page in the UI)."""
    require(principal, Action.READ_WORKSPACE)
    check_page(costs_after, costs_limit)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        page = _page(uow, principal, project, today, after, limit)
        found = resource(uow, project, today, after=costs_after, costs_limit=costs_limit)
        found["costs"]["recorded_before"] = (  # how many precede the page, for its caption
            WorkspaceRepository(uow.connection).costs_up_to(project.id, costs_after)
            if costs_after else 0)
        return found, page


def _page(uow: UnitOfWork, principal: Principal, project: Project, today: date,
          after: str | None, limit: int | None) -> dict[str, Any]:
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(Message(N_("limit is 1 to {most}."), most=MAX_PAGE), field="limit")
    repo = DocumentsRepository(uow.connection)
    if after is not None and not repo.holds(project.id, after):
        raise InvalidInput(Message(N_("after is the id of a document of this project (the "
                                      "last one read).")), field="after")
    rows, more = _visible(repo, principal.party, project.id, after, limit)
    open_count, restricted = repo.audiences(project.id)
    total = open_count + sum(1 for origin, named in restricted
                             if _may_know(principal.party, origin, named))
    # a circulated document's state depends on today's participants: told from the row's
    # `agreed_by`, or folded from its events for rows made before migration 0027 (one read)
    folding = [row["id"] for row in rows if row["circulated"] and not row["adopted"]
               and row["agreed_by"] is None]
    grouped = WorkspaceRepository(uow.connection).events_of(folding) if folding else {}
    participants = project.participants(today)
    shown = []
    for row in rows:
        if row["id"] in grouped:
            doc = rules.require_visible(rules.fold(grouped[row["id"]]), principal.party,
                                        row["id"])
            state = rules.state(doc, participants).value
        else:
            named = row["restricted_to"]
            state = rules.state_of(
                circulated=row["circulated"], adopted=row["adopted"],
                agreeing=row["agreed_by"] or (),
                readers=None if named is None else frozenset({row["origin_party"], *named}),
                participants=participants).value
        row = {k: v for k, v in row.items() if k != "agreed_by"}
        shown.append({**row, "created_at": row["created_at"].isoformat(), "state": state})
    return {"documents": shown, "total": total,
            "next": shown[-1]["id"] if more and shown else None}


def _may_know(party: str | None, origin: str, named: list[str] | None) -> bool:
    return named is None or party in {origin, *named}


def _visible(repo: DocumentsRepository, party: str | None, project_id: str,
             after: str | None, limit: int | None) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` rows the reader may know of after `after`, and whether more may follow:
    read by pages of rows, skipping the rows Art. 6 hides, until the page is full."""
    batch = limit or MAX_PAGE
    shown: list[dict[str, Any]] = []
    while True:
        rows = repo.of_project(project_id, after=after, limit=batch + 1)
        for index, row in enumerate(rows[:batch]):
            if _may_know(party, row["origin_party"], row["restricted_to"]):
                shown.append(row)
                if limit is not None and len(shown) == limit:
                    return shown, index + 1 < len(rows)
        if len(rows) <= batch:
            return shown, False
        after = rows[batch - 1]["id"]


def show_document(rt: Runtime, principal: Principal, project_id: str,
                  document_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        project, today = _project(rt, uow, project_id)
        doc = _document(uow, project, document_id, principal.party)
    return {**rules.view(doc, project.participants(today)), "lead_party": project.lead_party,
            "project_title": project.title}


def document_history(rt: Runtime, principal: Principal, project_id: str,
                     document_id: str) -> list[dict[str, Any]]:
    """Every change, who made it and when: the document's events."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        project, _ = _project(rt, uow, project_id)
        events, _doc = _events(uow, project, document_id, principal.party)
    return records.history(events)


def open_version(rt: Runtime, principal: Principal, project_id: str, document_id: str,
                 number: int | None = None) -> Download:
    """The file of one version (the current one by default), for a download."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        project, _ = _project(rt, uow, project_id)
        doc = _document(uow, project, document_id, principal.party)
    version = doc.current if number is None else next(
        (v for v in doc.versions if v.number == number), None)
    if version is None:
        raise NotFound(Message(N_("No version {version} of this document."), version=number),
                       field="version")
    return Download(files(rt).path(version.sha256), version.kind.media_type,
                    version.filename or f"{version.sha256}.{version.kind.value}",
                    version.sha256, version.size)


# --- helpers ------------------------------------------------------------------------------------

Check = Callable[[Document, str, Project, date], None]


def _act(rt: Runtime, principal: Principal, project_id: str, document_id: str,
         kind: EventKind, check: Check, body: dict[str, Any]) -> dict[str, Any]:
    """Read the document as the acting Party may see it, check the rule, append the event."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = _project(rt, uow, project_id)
        events, doc = _events(uow, project, document_id, party)
        check(doc, party, project, today)
        return _append(rt, uow, principal, project, document_id, events, kind, body, None)


def _file_facts(incoming: Incoming, filename: str) -> dict[str, Any]:
    """Close the received file and decide its kind by content (PDF, DOCX, ODT)."""
    sha256 = incoming.finish()
    if incoming.size == 0:
        raise InvalidInput(Message(N_("The file is empty.")), field="file")
    kind = rules.file_kind(incoming.head, _zip_entries(incoming.path)
                           if incoming.head.startswith(b"PK") else None)
    return {"sha256": sha256, "size": incoming.size, "file_kind": kind.value,
            "filename": filename}


def _zip_entries(path: Path) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            found = {}
            for name in ("mimetype", "[Content_Types].xml"):
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    continue
                if info.file_size <= ZIP_ENTRY_LIMIT:
                    found[name] = archive.read(info)
            return found
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None


def _filename(value: str) -> str:
    """The file's own name, without any folder, bounded; shown and used for downloads."""
    base = PureWindowsPath(PurePosixPath(value.strip()).name).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"\\')
    return cleaned[:200]


def _project(rt: Runtime, uow: UnitOfWork, project_id: str) -> tuple[Project, date]:
    """The project as the documents' rules read it: who takes part, its lead."""
    return load_project(rt, uow, project_id)


def _check_uploader(rt: Runtime, uow: UnitOfWork, party: str, project: Project,
                    today: date) -> None:
    rules.check_may_upload(party, party_state_on(rt, party, today, uow), today,
                           project.participants(today))


def _events(uow: UnitOfWork, project: Project, document_id: str,
            party: str | None) -> tuple[list[Event], Document]:
    events = WorkspaceRepository(uow.connection).events(document_id)
    if not events or events[0].kind is not EventKind.DOCUMENT_UPLOADED \
            or events[0].body.get("project_id") != project.id:
        raise rules.missing(document_id)
    doc = rules.require_visible(rules.fold(events), party, document_id)
    return events, doc


def _document(uow: UnitOfWork, project: Project, document_id: str,
              party: str | None) -> Document:
    return _events(uow, project, document_id, party)[1]


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, project: Project,
            record_id: str, events: list[Event], kind: EventKind, body: dict[str, Any],
            incoming: Incoming | None) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    doc = rules.fold([*events, event])
    DocumentsRepository(uow.connection).rebuilt(doc)
    if incoming is not None:
        files(rt).keep(incoming, str(body["sha256"]))
    uow.commit()
    today = event.at.date()
    return {**rules.view(doc, project.participants(today)), "lead_party": project.lead_party}
