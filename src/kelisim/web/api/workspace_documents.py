"""Documents circulated for comment, over HTTP (issue 15 item 3; Art. 3 directions 1-3, Art. 5,
Art. 6): upload (multipart, streamed to disk under KELISIM_MAX_DOCUMENT_BYTES), list, read,
versions, download (an attachment in a sandbox), comment, circulate, agree, adopt, history.
A restricted-access document is 404 for a Party it does not name, as a missing one is."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import documents as docs
from kelisim.services.workspace.projects import MAX_PAGE
from kelisim.web.api.workspace import PAGE, next_url
from kelisim.web.dependencies import PrincipalDep, RuntimeDep
from kelisim.web.headers import attachment_headers
from kelisim.web.uploads import Upload, receive_upload

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])

UPLOAD_PATHS = re.compile(r"^/(api/v1/)?workspace/projects/[^/]+/documents(/[^/]+/versions)?/?$")
"""The routes that stream a document under their own limit (web/limits.py exempts them)."""

ProjectId = Annotated[str, Path(max_length=36)]
DocumentId = Annotated[str, Path(max_length=36)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not a PDF, DOCX or ODT by content, or a malformed form"},
    403: {"description": "Not a participating authorized body (Art. 4, 5)"},
    404: {"description": "No such project or document, or one restricted to other Parties "
                         "(Art. 6)"},
    413: {"description": "The file exceeds KELISIM_MAX_DOCUMENT_BYTES; nothing was stored"},
    422: {"description": "A rule refuses it: a state secret (Art. 6), the Agreement not in "
                         "force, the document's state (Art. 5)"},
}
UPLOAD_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file", "title",
                                                                      "language"],
                                       "properties": {
        "file": {"type": "string", "format": "binary", "description": "PDF, DOCX or ODT"},
        "title": {"type": "string", "maxLength": 500},
        "language": {"type": "string", "enum": ["kk", "ru", "en"]},
        "description": {"type": "string"},
        "classification": {"type": "string", "enum": ["open", "restricted", "state-secret"],
                           "description": "state-secret is refused (Art. 6)"},
        "restricted_to": {"type": "array", "items": {"type": "string"},
                          "description": "ISO 3166 alpha-3 codes, for restricted"}}}}}}}


def is_upload_path(path: str) -> bool:
    return UPLOAD_PATHS.match(path) is not None


class NewComment(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class AgreeTo(BaseModel):
    version: int = Field(ge=1, description="the version agreed (the current one)")


async def stream_upload(request: Request, rt: Runtime, principal: Principal, project_id: str,
                        document_id: str | None = None) -> tuple[Upload, Any]:
    """Check the uploader first (nothing is received for a refused one), then stream."""
    incoming = await run_in_threadpool(docs.begin_upload, rt, principal, project_id,
                                       document_id)
    try:
        return await receive_upload(request, incoming), incoming
    except BaseException:
        incoming.discard()
        raise


def metadata(upload: Upload) -> docs.Metadata:
    restricted = [p for value in upload.fields.get("restricted_to", [])
                  for p in value.replace(";", ",").split(",")]
    return docs.Metadata(title=upload.first("title"), language=upload.first("language"),
                         description=upload.first("description"),
                         classification=upload.first("classification", "open"),
                         restricted_to=restricted)


@router.post("/projects/{project_id}/documents", status_code=201, responses=ERRORS,
             openapi_extra=UPLOAD_BODY,
             summary="Upload a draft document, its first version (Art. 3, 5, 6)")
async def upload_document(request: Request, rt: RuntimeDep, principal: PrincipalDep,
                          project_id: ProjectId) -> dict[str, Any]:
    upload, incoming = await stream_upload(request, rt, principal, project_id)
    return await run_in_threadpool(docs.add_document, rt, principal, project_id, incoming,
                                   metadata(upload), upload.filename)


@router.get("/projects/{project_id}/documents", responses=ERRORS,
            summary="A project's documents the caller may know of (Art. 6), newest first")
def list_documents(rt: RuntimeDep, principal: PrincipalDep, request: Request,
                   project_id: ProjectId,
                   after: Annotated[str | None, Query(max_length=36, description=(
                       "The id of the last document read (the previous page's `next`)"))
                   ] = None,
                   limit: Annotated[int, Query(description=f"At most this many documents "
                                                           f"(1 to {MAX_PAGE})")] = PAGE,
                   ) -> dict[str, Any]:
    """A keyset page: `total` is how many documents the caller may know of, `next` the `after`
    of the next page (None after the last) and `next_url` its address."""
    page = docs.documents_page(rt, principal, project_id, after=after, limit=limit)
    return {**page, "next_url": next_url(request, page["next"], limit)}


@router.get("/projects/{project_id}/documents/{document_id}", responses=ERRORS,
            summary="A document: versions with SHA-256, state, agreements, comments per Party")
def show_document(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
                  document_id: DocumentId) -> dict[str, Any]:
    return docs.show_document(rt, principal, project_id, document_id)


@router.get("/projects/{project_id}/documents/{document_id}/events", responses=ERRORS,
            summary="Every change of a document, who and when")
def document_history(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
                     document_id: DocumentId) -> dict[str, Any]:
    return {"events": docs.document_history(rt, principal, project_id, document_id)}


@router.get("/projects/{project_id}/documents/{document_id}/versions", responses=ERRORS,
            summary="A document's versions, each with its SHA-256 (never replaced)")
def versions(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
             document_id: DocumentId) -> dict[str, Any]:
    return {"versions": docs.show_document(rt, principal, project_id, document_id)["versions"]}


@router.post("/projects/{project_id}/documents/{document_id}/versions", status_code=201,
             responses=ERRORS, openapi_extra=UPLOAD_BODY,
             summary="Upload a new version (the uploading Party; draft or circulated)")
async def upload_version(request: Request, rt: RuntimeDep, principal: PrincipalDep,
                         project_id: ProjectId, document_id: DocumentId) -> dict[str, Any]:
    upload, incoming = await stream_upload(request, rt, principal, project_id, document_id)
    return await run_in_threadpool(docs.add_version, rt, principal, project_id, document_id,
                                   incoming, upload.filename)


@router.get("/projects/{project_id}/documents/{document_id}/versions/{number}/file",
            response_class=FileResponse, responses={**ERRORS, 200: {"content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                "description": "The version's bytes, as an attachment"}},
            summary="Download a version's file (an attachment in a sandbox)")
def download(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
             document_id: DocumentId, number: Annotated[int, Path(ge=1, le=100000)]
             ) -> FileResponse:
    found = docs.open_version(rt, principal, project_id, document_id, number)
    return FileResponse(found.path, media_type=found.media_type, headers={
        **attachment_headers(found.filename), "X-Content-SHA256": found.sha256})


@router.post("/projects/{project_id}/documents/{document_id}/comments", status_code=201,
             responses=ERRORS, summary="Comment on the current version, for the caller's Party")
def comment(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
            document_id: DocumentId, body: NewComment) -> dict[str, Any]:
    return docs.comment_on_document(rt, principal, project_id, document_id, body.text)


@router.post("/projects/{project_id}/documents/{document_id}/circulation", responses=ERRORS,
             summary="Circulate the draft to the other Parties' authorized bodies (Art. 5)")
def circulate(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
              document_id: DocumentId) -> dict[str, Any]:
    return docs.circulate_document(rt, principal, project_id, document_id)


@router.post("/projects/{project_id}/documents/{document_id}/agreements", status_code=201,
             responses=ERRORS, summary="Agree the current version, for the caller's Party")
def agree(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
          document_id: DocumentId, body: AgreeTo) -> dict[str, Any]:
    return docs.agree_document(rt, principal, project_id, document_id, body.version)


@router.post("/projects/{project_id}/documents/{document_id}/adoption", responses=ERRORS,
             summary="Adopt an agreed document (the lead Party; Art. 5)")
def adopt(rt: RuntimeDep, principal: PrincipalDep, project_id: ProjectId,
          document_id: DocumentId) -> dict[str, Any]:
    return docs.adopt_document(rt, principal, project_id, document_id)
