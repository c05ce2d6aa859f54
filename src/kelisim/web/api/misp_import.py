"""Import from MISP over HTTP (issue 16, item 7): POST /api/v1/exchange/import/misp takes a
MISP event as MISP exports it, converts it with misp-stix, maps its distribution and TLP tags
to kelisim's markings (decision 0021) and posts it through the normal intake as the caller.
The request size limit is every route's (KELISIM_MAX_REQUEST_BYTES, web/limits.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kelisim.services.exchange.misp_import import import_misp
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
PROBLEM: dict[str, Any] = {"application/problem+json": {}}


class Finding(BaseModel):
    where: str = Field(description="`event N`, or an attribute or object of it by uuid")
    kind: str = Field(description="tag, galaxy, attribute, object, distribution, "
                                  "sharing-group, recipients, marking or conversion")
    item: str = Field(description="What it is: the tag, the attribute type, the group...")
    reason: str = Field(description="Why it was not mapped as it stands, and what was done")


class MispImport(BaseModel):
    status: dict[str, Any] = Field(description="The TAXII 2.1 status resource of the post "
                                               "(section 4.3.1)")
    report: list[Finding] = Field(description="Everything of the MISP document not mapped "
                                              "as it stands")
    events: int = Field(description="MISP events in the document")
    objects: int = Field(description="STIX objects posted")


@router.post("/import/misp", response_model=MispImport, status_code=202, responses={
    400: {"description": "Not JSON, empty, not a MISP event, or misp-stix could not convert "
                         "it; nothing stored", "content": PROBLEM},
    401: {"description": "No valid token", "content": PROBLEM},
    403: {"description": "The caller may not write to this collection today (Art. 6)",
          "content": PROBLEM},
    404: {"description": "No such collection is visible to the caller", "content": PROBLEM},
    413: {"description": "The body or the objects it makes exceed the server's limits",
          "content": PROBLEM},
    422: {"description": "The document holds information classified as a state secret "
                         "(Art. 6); nothing stored", "content": PROBLEM},
}, openapi_extra={"requestBody": {"required": True, "description": (
    'A MISP event as MISP exports it: {"Event": {...}}, a bare event, a list of them, or '
    '{"response": [...]}'), "content": {"application/json": {"schema": {"type": "object"}}}}},
    summary="Import a MISP event: misp-stix, kelisim's markings, the normal intake")
async def import_misp_event(
        request: Request, rt: RuntimeDep, principal: PrincipalDep,
        collection: Annotated[str, Query(max_length=300, description="The collection's id or "
                                                                     "alias")],
        recipient: Annotated[list[str] | None, Query(
            description="A Party (alpha-3) that may read AMBER, AMBER+STRICT and RED objects "
                        "whose MISP distribution names no sharing group; repeat. None: the "
                        "producing Party only")] = None) -> dict[str, Any]:
    """Distribution 0 becomes AMBER+STRICT (the producing Party only), 1-2 GREEN, 3 what its
    tags say (none: GREEN), 4 AMBER for the sharing group's organisations that map to
    Parties or notified authorized bodies, 5 the event's; `tlp:*` tags their TLP 2.0 level;
    the stricter wins. The objects are posted as a TAXII POST of the caller would be (Art.
    6: a state secret refuses everything). The report lists what was not mapped: other tags,
    unknown values, unconverted attributes and galaxies, organisations without a Party,
    misp-stix's own diagnostics."""
    body = await request.body()
    return await run_in_threadpool(import_misp, rt, principal, collection, body,
                                   recipient or ())
