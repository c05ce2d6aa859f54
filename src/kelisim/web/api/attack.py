"""MITRE ATT&CK (issue 16, item 4): the techniques kelisim knows (shipped offline, with the
data's version) and the objects the caller may read that refer to one (Art. 6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kelisim.domain.attack import Technique
from kelisim.services.exchange import attack
from kelisim.services.exchange.correlation import MAX_LIMIT
from kelisim.web.api.correlation import PROBLEMS, FoundOut, found_out
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange/attack", tags=["exchange"])


class TacticOut(BaseModel):
    shortname: str = Field(description="The kill chain phase name (kill_chain_name 'mitre-attack')")
    name: str
    id: str | None = Field(description="TA#### for an enterprise tactic")


class TechniqueOut(BaseModel):
    id: str = Field(description="T#### or T####.### (a sub-technique)")
    name: str = Field(description="ATT&CK's name, in English")
    tactics: list[str] = Field(description="Tactic short names")
    parent: str | None
    subtechniques: list[str]
    revoked: bool


class Techniques(BaseModel):
    version: str = Field(description="The ATT&CK data shipped, and its package")
    tactics: list[TacticOut]
    techniques: list[TechniqueOut]


class TechniqueObjects(BaseModel):
    technique: TechniqueOut
    objects: list[FoundOut]
    more: bool
    next: str | None = Field(description="Give as `next` for the following page")


def technique_out(t: Technique) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "tactics": list(t.tactics), "parent": t.parent,
            "subtechniques": list(t.subtechniques), "revoked": t.revoked}


@router.get("/techniques", response_model=Techniques, summary="The ATT&CK techniques")
def list_techniques(
    principal: PrincipalDep,
    tactic: Annotated[str | None, Query(max_length=60, description="A tactic short name or "
                                                                    "TA id")] = None,
    search: Annotated[str | None, Query(max_length=100, description="A word of the id or "
                                                                     "name")] = None,
) -> dict[str, Any]:
    """The catalogue shipped with kelisim (MISP galaxy `mitre-attack-pattern`, read offline),
    revoked techniques left out. Any account may list it."""
    known, found = attack.techniques(tactic, search)
    return {"version": known.version,
            "tactics": [{"shortname": t.shortname, "name": t.name, "id": t.id}
                        for t in known.tactics.values()],
            "techniques": [technique_out(t) for t in found]}


@router.get("/techniques/{technique_id}/objects", response_model=TechniqueObjects,
            responses=PROBLEMS, summary="Objects the caller may read that refer to a technique")
def technique_objects(
    rt: RuntimeDep, principal: PrincipalDep, technique_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    next: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Objects of any Party, in collections the caller may read, with an external reference
    (source_name 'mitre-attack') to the technique; only those the caller may read are listed
    (Art. 6). Keyset pages; a page naming restricted-access objects is audited."""
    found = attack.technique(technique_id)
    page = attack.objects_of(rt, principal, technique_id, limit=limit, next_token=next)
    return {"technique": technique_out(found),
            "objects": [found_out(o) for o in page.objects], "more": page.more,
            "next": page.next}
