"""The TAXII 2.1 endpoints (sections 4 and 5), one API root: `/taxii2/api1/`.

One API root serves the node: a node holds one exchange (the Agreement's), and collections -
not API roots - carry who may read and write. Handlers only translate HTTP; every decision is
made in `services.exchange` and the domain policy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim import __version__
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import NotFound
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import (
    KNOWN_PARAMETERS,
    format_timestamp,
    parse_query,
    stix_version,
)
from kelisim.services.exchange import callers, collections, intake, reading
from kelisim.services.exchange.reading import Page
from kelisim.web.methods import not_a_resource, refusal_of
from kelisim.web.taxii.media import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    TaxiiRoute,
    query_items,
    require_accept,
    require_content_type,
    taxii_principal,
    taxii_response,
    taxii_token,
)

API_ROOT = "/taxii2/api1/"
router = APIRouter(route_class=TaxiiRoute, tags=["TAXII 2.1"],
                   dependencies=[Depends(require_accept)])
PrincipalDep = Annotated[Principal, Depends(taxii_principal)]
TokenDep = Annotated[str, Depends(taxii_token)]

ONE_OBJECT = frozenset({"added_after", "limit", "next", "match[version]", "match[spec_version]"})
VERSIONS = frozenset({"added_after", "limit", "next", "match[spec_version]"})
DELETE = frozenset({"match[version]", "match[spec_version]"})


@router.get("/taxii2/", summary="Server discovery (TAXII 2.1 section 4.1); public")
def discovery() -> Response:
    return taxii_response({
        "title": "kelisim",
        "description": "Exchange between the authorized bodies of the Parties to the 2013 CIS "
                       "Agreement on cooperation in ensuring information security (Art. 6, 9).",
        "default": API_ROOT, "api_roots": [API_ROOT]})


@router.get(API_ROOT, summary="API root information (section 4.2)")
def api_root(request: Request, principal: PrincipalDep) -> Response:
    return taxii_response({
        "title": "kelisim exchange", "description": f"kelisim {__version__}",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": request.app.state.runtime.settings.max_request_bytes})


@router.get(API_ROOT + "status/{status_id}/", summary="A status resource (section 4.3)")
@router.get(API_ROOT + "status/{status_id}", include_in_schema=False)
def status(request: Request, principal: PrincipalDep, status_id: str) -> Response:
    return taxii_response(intake.get_status(_rt(request), principal, status_id))


@router.get(API_ROOT + "collections/", summary="Collections (section 5.1)")
def list_collections(request: Request, principal: PrincipalDep) -> Response:
    found = [c.taxii() for c in collections.list_collections(_rt(request), principal)]
    return taxii_response({"collections": found} if found else {})


@router.get(API_ROOT + "collections/{collection_id}/", summary="A collection (section 5.2)")
def get_collection(request: Request, principal: PrincipalDep, collection_id: str) -> Response:
    return taxii_response(collections.find_collection(_rt(request), principal,
                                                      collection_id).taxii())


@router.get(API_ROOT + "collections/{collection_id}/objects/",
            summary="Get objects (section 5.4)")
async def get_objects(request: Request, token: TokenDep, collection_id: str) -> Response:
    return _envelope(await _read(request, token, collection_id, KNOWN_PARAMETERS,
                                 Endpoint.OBJECTS))


@router.post(API_ROOT + "collections/{collection_id}/objects/", status_code=202,
             summary="Add objects (section 5.5)")
async def add_objects(request: Request, token: TokenDep, collection_id: str) -> Response:
    rt = _rt(request)
    # The token is checked before the body is read: an unauthenticated client uploads nothing.
    who = await run_in_threadpool(callers.caller, rt, token, collection_id)
    require_content_type(request)
    body = await request.body()
    resource = await run_in_threadpool(intake.add_objects_as, rt, who, body)
    return taxii_response(resource, 202)


@router.get(API_ROOT + "collections/{collection_id}/objects/{object_id}/",
            summary="Get an object (section 5.6)")
async def get_object(request: Request, token: TokenDep, collection_id: str,
                     object_id: str) -> Response:
    return _envelope(await _read(request, token, collection_id, ONE_OBJECT, Endpoint.OBJECT,
                                 object_id))


@router.delete(API_ROOT + "collections/{collection_id}/objects/{object_id}/",
               summary="Delete an object (section 5.7); 200 with no body",
               response_class=Response,
               responses={200: {"description": "Deleted (no body)", "content": {}}})
def delete_object(request: Request, principal: PrincipalDep, collection_id: str,
                  object_id: str) -> Response:
    params = query_items(request)
    query = parse_query(params, allowed=DELETE)
    if "match[version]" not in params:
        query = replace(query, versions=("all",))
    reading.delete_object(_rt(request), principal, collection_id, object_id, query)
    return Response(status_code=200)  # no body, so no media type (section 5.7)


@router.get(API_ROOT + "collections/{collection_id}/objects/{object_id}/versions/",
            summary="Object versions (section 5.8)")
async def versions(request: Request, token: TokenDep, collection_id: str,
                   object_id: str) -> Response:
    page = await _read(request, token, collection_id, VERSIONS, Endpoint.VERSIONS, object_id)
    if not page.rows and not page.more:
        return taxii_response({})  # no versions: "the response is an empty object" (5.8.1)
    body: dict[str, Any] = {"more": page.more}
    if page.next:
        body["next"] = page.next
    if page.rows:
        # Two Parties' chains may hold one version alike (decision 0005): listed once.
        body["versions"] = list(dict.fromkeys(stix_version(row.version) for row in page.rows))
    return taxii_response(body, headers=_added_headers(page))


@router.get(API_ROOT + "collections/{collection_id}/manifest/",
            summary="Object manifests (section 5.3)")
async def manifest(request: Request, token: TokenDep, collection_id: str) -> Response:
    page = await _read(request, token, collection_id, KNOWN_PARAMETERS, Endpoint.MANIFEST)
    body: dict[str, Any] = {"more": page.more}
    if page.next:
        body["next"] = page.next
    if page.rows:
        body["objects"] = [{"id": row.stix_id, "date_added": format_timestamp(row.date_added),
                            "version": stix_version(row.version),
                            "media_type": STIX_MEDIA_TYPE}
                           for row in page.rows]
    return taxii_response(body, headers=_added_headers(page))


@router.api_route("/taxii2/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
@not_a_resource
def unknown(request: Request, rest: str) -> Response:
    """A path no TAXII route serves is 404; a TAXII resource asked with a method it does not
    have is 405 with the methods it has (web/methods.py, RFC 9110 section 15.5.6), not 404 as if
    it were not there."""
    refusal = refusal_of(request)
    if refusal is not None:
        return refusal
    raise NotFound("No such TAXII 2.1 endpoint on this server; discovery is at /taxii2/.")


async def _read(request: Request, token: str, collection_id: str, allowed: frozenset[str],
                endpoint: Endpoint, object_id: str | None = None) -> Page:
    """A page read in one trip to a worker thread and one transaction, the token's check
    included: the reads are the exchange's hot path (TAXII 2.1 section 5.4)."""
    return await run_in_threadpool(reading.read_page_with_token, _rt(request), token,
                                   collection_id, query_items(request), allowed, endpoint,
                                   object_id)


def _envelope(page: Page) -> Response:
    """The envelope (section 3.7), spliced from the stored JSON bytes without re-parsing, and
    copied once: the head rides on the first object, the tail on the last."""
    head = b'{"more":' + (b"true" if page.more else b"false")
    if page.next:
        head += b',"next":' + orjson.dumps(page.next)
    if not page.rows:
        return taxii_response(head + b"}")
    raws = [row.raw for row in page.rows]
    raws[0] = head + b',"objects":[' + raws[0]
    raws[-1] += b"]}"
    return taxii_response(b",".join(raws), headers=_added_headers(page))


def _added_headers(page: Page) -> dict[str, str]:
    """X-TAXII-Date-Added-First and -Last (section 3.2)."""
    if not page.rows:
        return {}
    return {"X-TAXII-Date-Added-First": format_timestamp(page.rows[0].date_added),
            "X-TAXII-Date-Added-Last": format_timestamp(page.rows[-1].date_added)}


def _rt(request: Request) -> Any:
    return request.app.state.runtime
