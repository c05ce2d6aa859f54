"""Exports (issue 16, item 6) and an object with its lifecycle (item 9), over HTTP.

GET /api/v1/exchange/export/{format} streams Suricata rules, CSV, a STIX 2.1 bundle or a MISP
event of what the caller may read (Art. 6), a page at a time, as an attachment. TAXII itself is
at /taxii2/."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from kelisim.domain.errors import NotFound
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.stix.observables import observables
from kelisim.domain.stix.warning_lists import warnings_for
from kelisim.domain.taxii import Query as TaxiiQuery
from kelisim.services.exchange import exports, reading
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter kelisim cannot export by",
          "content": {"application/problem+json": {}}},
    403: {"description": "The caller may not read the exchange or this collection (Art. 6)",
          "content": {"application/problem+json": {}}},
    404: {"description": "No such collection or object is visible to the caller",
          "content": {"application/problem+json": {}}},
}


@router.get("/export/{format}", responses={
    200: {"description": "The export, streamed", "content": {
        media: {} for media, _ in exports.FORMATS.values()}}, **PROBLEMS},
    response_class=StreamingResponse,
    summary="Export what the caller may read: Suricata rules, CSV, STIX 2.1, MISP event")
def export(rt: RuntimeDep, principal: PrincipalDep,
           format: Literal["suricata", "csv", "stix", "misp"],
           collection: Annotated[str | None, Query(
               max_length=300, description="A collection's id or alias; default: every "
                                           "collection the caller may read")] = None,
           type: Annotated[list[str] | None, Query(
               description="STIX object types; default: indicator (stix: every type)")] = None,
           producer: Annotated[str | None, Query(max_length=3, description="Producer Party "
                                                 "(ISO alpha-3)")] = None,
           added_after: Annotated[datetime | None, Query(
               description="Only objects added after this instant")] = None,
           include_expired: Annotated[bool, Query(
               description="Keep expired and revoked indicators too")] = False,
           include_warned: Annotated[bool, Query(
               description="Keep values the MISP warning lists name (public resolvers, top "
                           "sites, cloud ranges...): left out by default")] = False,
           ) -> StreamingResponse:
    """Only objects the caller may read, in collections it may read, each page decided on the
    day it is read (Art. 6); a page holding restricted-access objects is audited before it is
    sent. Markings travel with the data: a `TLP:` in each Suricata rule's msg and metadata, a
    tlp column in CSV, the marking definitions in the STIX bundle, `tlp:` tags in MISP.
    Suricata: IP, domain (dns.query, tls.sni) and URL (http.host, http.uri) rules; file hashes
    need list files and are counted in the trailer, not exported."""
    done = exports.export_objects(rt, principal, format, exports.ExportFilter(
        collection=collection, types=tuple(type or ()), producer=producer,
        added_after=added_after, include_expired=include_expired,
        include_warned=include_warned))
    return StreamingResponse(done.chunks, media_type=done.media_type, headers={
        "Content-Disposition": f'attachment; filename="{done.filename}"'})


class Lifecycle(BaseModel):
    state: Literal["active", "expired", "revoked"]
    score: int = Field(description="Decay score, 0-100 (domain/stix/lifecycle.py)")
    reason: str
    valid_until: str | None = Field(description="As given, or when the score falls under "
                                                "the threshold")


class WarningView(BaseModel):
    list: str = Field(description="The warning list's name")
    value: str = Field(description="The observable value, normalized")


class ObjectView(BaseModel):
    collection: str
    object: dict[str, Any] = Field(description="The latest version the caller may read, as "
                                               "stored")
    lifecycle: Lifecycle = Field(description="Computed by kelisim today; not part of the STIX")
    warnings: list[WarningView] = Field(description="The object's observable values that the "
                                                    "MISP warning lists name; computed by "
                                                    "kelisim, not part of the STIX")


@router.get("/collections/{key}/objects/{object_id}", response_model=ObjectView,
            responses=PROBLEMS, summary="An object as stored, with its lifecycle today")
def object_view(rt: RuntimeDep, principal: PrincipalDep, key: str,
                object_id: str) -> dict[str, Any]:
    """The object's latest version the caller may read (Art. 6: one it may not read is 404
    like one never stored), and beside it the lifecycle kelisim computes: active, expired
    (valid_until passed, or the decay score under the threshold) or revoked."""
    page = reading.read_page(rt, principal, key, TaxiiQuery(limit=1), Endpoint.OBJECT,
                             object_id)
    if not page.rows:
        raise NotFound(reading.NO_OBJECT)
    obj = orjson.loads(page.rows[-1].raw)
    return {"collection": key, "object": obj, "lifecycle": exports.life_of(rt, obj).view(),
            "warnings": [{"list": w.list_name, "value": w.value}
                         for w in warnings_for(observables(obj))]}
