"""The treaties the depositary tracks (the Agreement and its protocols, Art. 11) and the
consolidated text of the Agreement in force for a Party on a date."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kelisim.services import treaties
from kelisim.web.dates import IsoDate
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["treaties"])

OnQuery = Annotated[IsoDate | None, Query(description="The date (YYYY-MM-DD); default today.")]


@router.get("/treaties", summary="The Agreement and every protocol recorded (Art. 11, 13)")
def list_treaties(rt: RuntimeDep, principal: PrincipalDep, on: OnQuery = None) -> dict[str, Any]:
    """Each treaty's terms (entry into force, accession, withdrawal), its entry into force so
    far and, for a protocol, its amendments and the workspace proposal it came from."""
    return {"treaties": treaties.list_treaties(rt, principal, on or rt.clock().date())}


@router.get("/treaties/{treaty}/status", summary="A treaty's status per Party on a date")
def treaty_status(rt: RuntimeDep, principal: PrincipalDep, treaty: str,
                  on: OnQuery = None) -> dict[str, Any]:
    """As `GET /api/v1/status` does for the Agreement; a protocol is in force for a Party only
    while the Agreement is in force for it (Art. 11)."""
    status, names = treaties.compute_treaty_status(rt, principal, treaty,
                                                   on or rt.clock().date())
    return treaties.treaty_status_json(status, names)


@router.get("/agreement/text", summary="The Agreement's text in force for a Party on a date")
def consolidated_text(
    rt: RuntimeDep, principal: PrincipalDep,
    party: Annotated[str, Query(min_length=3, max_length=3,
                                description="ISO 3166-1 alpha-3 code, e.g. KAZ.")],
    on: OnQuery = None,
    lang: Annotated[Literal["kk", "ru", "en"], Query(description="kk, ru or en.")] = "kk",
) -> dict[str, Any]:
    """The fifteen articles with the amendments of every protocol in force for `party` on `on`
    applied (Art. 11); each amended article names the protocol that changed it."""
    return treaties.consolidated_text(rt, principal, party, on or rt.clock().date(), lang)
