"""The certification registry over HTTP (Art. 2; Art. 3, direction 14).

Every route needs a token; who may record what is decided in `domain/access.py`. Certificate
numbers may contain "/", so routes take them in the query or at the end of the path. The public,
unauthenticated verification lives in `certification_public.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.inputs import INT4_MAX as MAX_SEQUENCE
from kelisim.services.certification import (
    catalogue,
    feed,
    integrity,
    recording,
    verification,
)
from kelisim.web.dates import IsoDate
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/certification", tags=["certification"])

Day = Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today.")]
Party = Annotated[str, Query(alias="in", min_length=3, max_length=3,
                             description="The Party asked about (ISO alpha-3).")]


@router.post("/schemes", status_code=201, summary="Record a Party's certification scheme")
def record_scheme(rt: RuntimeDep, principal: PrincipalDep,
                  scheme: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return recording.record_scheme(rt, principal, scheme)


@router.get("/schemes", summary="The recorded schemes")
def list_schemes(rt: RuntimeDep, principal: PrincipalDep,
                 party: str | None = None) -> dict[str, Any]:
    return {"schemes": catalogue.list_schemes(rt, principal, party)}


@router.post("/arrangements", status_code=201, summary="Record a recognition arrangement")
def record_arrangement(rt: RuntimeDep, principal: PrincipalDep,
                       arrangement: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return recording.record_arrangement(rt, principal, arrangement)


@router.get("/arrangements", summary="Recognition arrangements")
def list_arrangements(rt: RuntimeDep, principal: PrincipalDep,
                      recognising_party: str | None = None,
                      recognised_scheme: str | None = None) -> dict[str, Any]:
    return {"arrangements": catalogue.list_arrangements(
        rt, principal, recognising_party=recognising_party,
        recognised_scheme=recognised_scheme)}


@router.post("/certificates", status_code=201, summary="Record a certificate's issue")
def issue_certificate(rt: RuntimeDep, principal: PrincipalDep,
                      certificate: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return recording.issue_certificate(rt, principal, certificate)


@router.post("/events", status_code=201,
             summary="Record a lifecycle event: amended, maintenance, suspended, reinstated, "
                     "withdrawn, expired")
def record_event(rt: RuntimeDep, principal: PrincipalDep,
                 event: Annotated[dict[str, Any], Body(examples=[{
                     "number": "KZ-2024-001", "event": "suspended", "on": "2026-11-25",
                     "reason": "vulnerability under analysis"}])]) -> dict[str, Any]:
    return recording.record_event(rt, principal, str(event.get("number", "")),
                                  str(event.get("event", "")), event)


@router.get("/certificates", summary="Search and browse (keyset pages)")
def search_certificates(
    rt: RuntimeDep, principal: PrincipalDep,
    q: Annotated[str | None, Query(description="Words prefixing product or vendor words.")] = None,
    party: str | None = None, scheme: str | None = None, category: str | None = None,
    vendor: str | None = None, requirement: str | None = None, level: str | None = None,
    state: str | None = None, on: Day = None,
    limit: Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    return catalogue.search_certificates(
        rt, principal, limit=limit, cursor=cursor, party=party, scheme=scheme,
        category=category, vendor=vendor, requirement=requirement, level=level, state=state,
        on=on, text=q)


@router.get("/certificates/{number:path}", summary="One certificate, replayed from its events")
def get_certificate(rt: RuntimeDep, principal: PrincipalDep, number: str) -> dict[str, Any]:
    return catalogue.get_certificate(rt, principal, number)


@router.get("/verify", summary="Is certificate N valid in Party P on day D, and why?")
def verify_certificate(rt: RuntimeDep, principal: PrincipalDep, number: str, party: Party,
                       on: Day = None) -> dict[str, Any]:
    return verification.verify_certificate(rt, principal, number, party, on)


@router.get("/tools/verify", summary="Is tool X (version V) certified and valid in P on D?")
def verify_tool(rt: RuntimeDep, principal: PrincipalDep, product: str, party: Party,
                version: str | None = None, on: Day = None) -> dict[str, Any]:
    return verification.verify_tool(rt, principal, product, version, party, on)


@router.post("/import", status_code=201, summary="Import a CCRA-layout CSV, all or nothing",
             openapi_extra={"requestBody": {"content": {"text/csv": {}}}})
async def import_csv(request: Request, rt: RuntimeDep, principal: PrincipalDep,
                     scheme: str) -> dict[str, Any]:
    body = (await request.body()).decode("utf-8-sig", errors="replace")
    return await run_in_threadpool(catalogue.import_csv, rt, principal, scheme, body)


@router.get("/export", summary="The registry in the CCRA certified products list layout",
            responses={200: {"content": {"text/csv": {}}}})
def export(rt: RuntimeDep, principal: PrincipalDep,
           format: Literal["csv", "json"] = "csv", extended: bool = False,
           party: str | None = None, scheme: str | None = None,
           category: str | None = None) -> Any:
    filters = {"party": party, "scheme": scheme, "category": category}
    if format == "json":
        return {"columns": [*catalogue.ccra.COLUMNS,
                            *(catalogue.ccra.EXTENDED if extended else ())],
                "rows": catalogue.export_json(rt, principal, extended=extended, **filters)}
    return Response(catalogue.export_csv(rt, principal, extended=extended, **filters),
                    media_type="text/csv; charset=utf-8")


@router.get("/changes", summary="The change feed (suspensions, withdrawals, ...), keyset by seq")
def changes(rt: RuntimeDep, principal: PrincipalDep,
            changed_since: Annotated[datetime | None, Query(
                description="RFC 3339, e.g. 2026-11-25T00:00:00Z")] = None,
            after: Annotated[int, Query(ge=0, le=MAX_SEQUENCE)] = 0,
            limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 100,
            event: Annotated[list[str] | None, Query()] = None) -> dict[str, Any]:
    return feed.changes(rt, principal, changed_since=changed_since, after=after, limit=limit,
                        events=set(event) if event else None)


@router.get("/changes/{seq}/stix", summary="A certificate event as a STIX 2.1 bundle")
def stix_bundle(rt: RuntimeDep, principal: PrincipalDep,
                seq: Annotated[int, Path(ge=1, le=MAX_SEQUENCE)]) -> dict[str, Any]:
    return feed.stix_bundle(rt, principal, seq)


@router.get("/ledger/verify", summary="Verify the certification ledger's hash chain")
def verify_ledger(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return integrity.verify_certification_ledger(rt, principal)


@router.post("/documents", status_code=201, summary="Store a document's bytes (by SHA-256)")
async def store_document(request: Request, rt: RuntimeDep, principal: PrincipalDep,
                         scheme: str) -> dict[str, Any]:
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    return await run_in_threadpool(recording.store_document, rt, principal, scheme, content,
                                   media_type)


@router.get("/documents/{sha256}", summary="A stored document's bytes, as a download",
            response_class=Response, responses={200: {"content": {"*/*": {
                "schema": {"type": "string", "format": "binary"}}}}})
def read_document(rt: RuntimeDep, principal: PrincipalDep, sha256: str) -> Response:
    """Always an attachment in a sandbox: the uploader chose the media type, so a document
    declared `text/html` or `image/svg+xml` must never run as a page of this origin, next to a
    reader's session (issue 17)."""
    media_type, content = catalogue.read_document(rt, principal, sha256)
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{sha256.lower()}"',
        "Content-Security-Policy": "sandbox; default-src 'none'"})
