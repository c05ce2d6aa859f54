"""The projection of workspace documents (a project's list, with the Art. 6 audience) rebuilt
from a document's events in the transaction that appends one (as `workspace_projects` is)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select

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
            last_position=doc.last_position))

    def of_project(self, project_id: str, limit: int = 500) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            select(workspace_documents).where(workspace_documents.c.project_id == project_id)
            .order_by(workspace_documents.c.created_at.desc(), workspace_documents.c.id)
            .limit(limit)).mappings()
        return [{**{str(k): v for k, v in r.items()}, "created_at": aware(r["created_at"])}
                for r in rows]
