"""The projection of workspace documents (a project's list, with the Art. 6 audience) rebuilt
from a document's events in the transaction that appends one (as `workspace_projects` is)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, cast, delete, func, insert, select

from kelisim.domain.workspace.documents import Document
from kelisim.storage.instants import aware
from kelisim.storage.schema import workspace_documents


class DocumentsRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def rebuilt(self, doc: Document) -> None:
        self.connection.execute(delete(workspace_documents)
                                .where(workspace_documents.c.id == doc.id))
        self.connection.execute(insert(workspace_documents).values(
            id=doc.id, project_id=doc.project_id, title=doc.title, language=doc.language,
            origin_party=doc.origin_party,
            restricted_to=list(doc.restricted_to) if doc.restricted_to is not None else None,
            circulated=doc.circulated, adopted=doc.adopted_at is not None,
            current_version=doc.current.number, created_at=doc.created_at,
            last_position=doc.last_position, agreed_by=sorted(doc.agreeing())))

    def of_project(self, project_id: str, *, after: str | None = None,
                   limit: int = 500) -> list[dict[str, Any]]:
        """Newest first (by creation, then id): a keyset page after the document `after`."""
        docs = workspace_documents.c
        query = select(workspace_documents).where(docs.project_id == project_id)
        if after is not None:
            mark = select(docs.created_at).where(docs.id == after).scalar_subquery()
            query = query.where((docs.created_at < mark)
                                | ((docs.created_at == mark) & (docs.id > after)))
        rows = self.connection.execute(
            query.order_by(docs.created_at.desc(), docs.id).limit(limit)).mappings()
        return [{**{str(k): v for k, v in r.items()}, "created_at": aware(r["created_at"])}
                for r in rows]

    def holds(self, project_id: str, document_id: str) -> bool:
        return self.connection.execute(
            select(workspace_documents.c.id).where(
                workspace_documents.c.id == document_id,
                workspace_documents.c.project_id == project_id)).first() is not None

    def audiences(self, project_id: str) -> tuple[int, list[tuple[str, list[str]]]]:
        """How many of the project's documents are open to every reader, and each restricted
        one's origin and named Parties (Art. 6): what a reader may know of is counted without
        reading the documents, and the open ones without a row each (every row counted from
        the index, less the restricted) (1,000 at the bench's busy
        project). `restricted_to` None is kept as the JSON `null`, hence the text compare."""
        docs = workspace_documents.c
        every = self.connection.execute(  # from the index of (project_id, created_at) alone
            select(func.count()).select_from(workspace_documents)
            .where(docs.project_id == project_id)).scalar_one()
        open_ = (cast(docs.restricted_to, String) == "null") | docs.restricted_to.is_(None)
        restricted = [(r[0], r[1]) for r in self.connection.execute(
            select(docs.origin_party, docs.restricted_to)
            .where(docs.project_id == project_id, ~open_))]
        return int(every) - len(restricted), restricted
