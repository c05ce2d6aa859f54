"""The pages of documents circulated for comment (issue 15 item 3; Art. 3, 5, 6).

The project page lists the documents the reader may know of (Art. 6) with the upload form
(multipart, streamed to disk as the API's: web/uploads.py); a document's page shows its
versions with their SHA-256 and downloads, its state, each Party's agreement and the comments
per Party and version, and the forms to circulate, comment, agree, adopt and add a version.
Every form calls the same use case as the API (`services.workspace.documents`); a refusal is
shown on the page in the reader's language, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.services.workspace import documents as docs
from kelisim.web.api.workspace_documents import metadata, stream_upload
from kelisim.web.headers import attachment_headers
from kelisim.web.ui import security
from kelisim.web.ui import workspace as project_pages
from kelisim.web.ui.form_actions import act_then_redirect
from kelisim.web.ui.routing import CsrfRefused, FormDep, UiRoute, UserDep
from kelisim.web.ui.templating import render, see_other
from kelisim.web.uploads import Upload

router = APIRouter(route_class=UiRoute, include_in_schema=False)

LANGUAGE_LABELS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
PAGE = "/workspace/projects/{project}/documents/{document}"


def check_csrf(request: Request, upload: Upload) -> None:
    key = security.signing_key(request.app.state.runtime)
    if not security.csrf_valid(request, key, upload.first(security.CSRF_FIELD) or None):
        raise CsrfRefused("The form carried no valid security token (CSRF). Reload the page "
                          "and send the form again.")


@router.post("/workspace/projects/{project_id}/documents")
async def upload_document(request: Request, user: UserDep, project_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        upload, incoming = await stream_upload(request, rt, user, project_id)
        try:
            check_csrf(request, upload)
        except CsrfRefused:
            incoming.discard()
            raise
        made = await run_in_threadpool(docs.add_document, rt, user, project_id, incoming,
                                       metadata(upload), upload.filename)
    except CsrfRefused:
        raise
    except KelisimError as refusal:
        return await project_pages._project_page(request, user, project_id, refusal=refusal,
                                                 at="document")
    return see_other(
        request, PAGE.format(project=project_id, document=made["id"]) + "?done=uploaded")


@router.post("/workspace/projects/{project_id}/documents/{document_id}/versions")
async def upload_version(request: Request, user: UserDep, project_id: str,
                         document_id: str) -> Response:
    rt = request.app.state.runtime
    try:
        upload, incoming = await stream_upload(request, rt, user, project_id, document_id)
        try:
            check_csrf(request, upload)
        except CsrfRefused:
            incoming.discard()
            raise
        await run_in_threadpool(docs.add_version, rt, user, project_id, document_id,
                                incoming, upload.filename)
    except CsrfRefused:
        raise
    except KelisimError as refusal:
        return await _page(request, user, project_id, document_id, refusal=refusal,
                           at="version")
    return _done(request, project_id, document_id, "version_added")


@router.get("/workspace/projects/{project_id}/documents/{document_id}")
async def document_page(request: Request, user: UserDep, project_id: str,
                        document_id: str) -> Response:
    return await _page(request, user, project_id, document_id)


@router.get("/workspace/projects/{project_id}/documents/{document_id}/versions/{number}/file")
async def download(request: Request, user: UserDep, project_id: str, document_id: str,
                   number: str) -> Response:
    rt = request.app.state.runtime
    found = await run_in_threadpool(docs.open_version, rt, user, project_id, document_id,
                                    ascii_number(number, maximum=100000) or 0)
    return FileResponse(found.path, media_type=found.media_type,
                        headers=attachment_headers(found.filename))


@router.post("/workspace/projects/{project_id}/documents/{document_id}/circulate")
async def circulate(request: Request, user: UserDep, form: FormDep, project_id: str,
                    document_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, project_id, document_id, "circulated", "state",
                      lambda: docs.circulate_document(rt, user, project_id, document_id))


@router.post("/workspace/projects/{project_id}/documents/{document_id}/comments")
async def comment(request: Request, user: UserDep, form: FormDep, project_id: str,
                  document_id: str) -> Response:
    rt = request.app.state.runtime
    text = str(form.get("text", ""))
    return await _act(request, user, project_id, document_id, "commented", "comment",
                      lambda: docs.comment_on_document(rt, user, project_id, document_id,
                                                       text), {"text": text})


@router.post("/workspace/projects/{project_id}/documents/{document_id}/agree")
async def agree(request: Request, user: UserDep, form: FormDep, project_id: str,
                document_id: str) -> Response:
    rt = request.app.state.runtime
    version = ascii_number(str(form.get("version", "")), maximum=100000) or 0
    return await _act(request, user, project_id, document_id, "agreed", "state",
                      lambda: docs.agree_document(rt, user, project_id, document_id, version))


@router.post("/workspace/projects/{project_id}/documents/{document_id}/adopt")
async def adopt(request: Request, user: UserDep, form: FormDep, project_id: str,
                document_id: str) -> Response:
    rt = request.app.state.runtime
    return await _act(request, user, project_id, document_id, "adopted", "state",
                      lambda: docs.adopt_document(rt, user, project_id, document_id))


async def project_documents(request: Request, user: Principal,
                            project_id: str) -> list[dict[str, Any]]:
    """The project page's list (web/ui/workspace.py calls it)."""
    return await run_in_threadpool(docs.list_documents, request.app.state.runtime, user,
                                   project_id)


async def _act(request: Request, user: Principal, project_id: str, document_id: str,
               done: str, at: str, act: Callable[[], Any],
               values: dict[str, Any] | None = None) -> Response:
    return await act_then_redirect(request, act, lambda refusal: _page(
        request, user, project_id, document_id, refusal=refusal, at=at, values=values),
        PAGE.format(project=project_id, document=document_id) + f"?done={done}")


def _done(request: Request, project_id: str, document_id: str, done: str) -> Response:
    return see_other(
        request, PAGE.format(project=project_id, document=document_id) + f"?done={done}")


async def _page(request: Request, user: Principal, project_id: str, document_id: str, *,
                refusal: KelisimError | None = None, at: str = "",
                values: dict[str, Any] | None = None) -> Response:
    rt = request.app.state.runtime
    doc = await run_in_threadpool(docs.show_document, rt, user, project_id, document_id)
    participants = (await run_in_threadpool(project_pages.ws.show_project, rt, user,
                                            project_id))["participants"]
    party = user.party
    by_party: dict[str, list[dict[str, Any]]] = {}
    for c in doc["comments"]:
        by_party.setdefault(c["party"], []).append(c)
    takes_part = party in participants
    return render(request, "workspace_document.html", {
        **project_pages._common(request, user, refusal), "doc": doc, "refusal_at": at,
        "values": values or {}, "done": request.query_params.get("done", ""),
        "comments_by_party": by_party, "language_labels": LANGUAGE_LABELS,
        "is_uploader": party == doc["origin_party"], "is_lead": party == doc["lead_party"],
        "takes_part": takes_part,
        "agreed_parties": {a["party"]: a for a in doc["agreements"]},
    }, status_code=refusal.status if refusal else 200)
