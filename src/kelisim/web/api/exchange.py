"""Managing the exchange (Art. 6, 9): collections and who may read and write them, the audit of
reads of a Party's restricted-access information. TAXII itself is at /taxii2/."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kelisim.services.exchange import audit, collections
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


class NewCollection(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    alias: str | None = Field(default=None, max_length=100)
    owner_party: str | None = Field(default=None, min_length=3, max_length=3,
                                    description="Owner Party; none: the depositary")
    read_parties: list[str] | None = Field(default=None,
                                           description="Parties that read; null: every bound")
    write_parties: list[str] | None = Field(default=None,
                                            description="Parties that write; null: every bound")


class Access(BaseModel):
    read_parties: list[str] | None = None
    write_parties: list[str] | None = None


@router.get("/collections", summary="Collections the caller may read, write or manage")
def list_collections(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"collections": [c.admin() for c in collections.list_collections(rt, principal)]}


@router.post("/collections", status_code=201, summary="Create a collection")
def create_collection(rt: RuntimeDep, principal: PrincipalDep,
                      body: NewCollection) -> dict[str, Any]:
    return collections.create_collection(rt, principal, **body.model_dump()).admin()


@router.put("/collections/{key}/access", summary="Set who may read and write a collection")
def grant(rt: RuntimeDep, principal: PrincipalDep, key: str, body: Access) -> dict[str, Any]:
    return collections.grant(rt, principal, key, read_parties=body.read_parties,
                             write_parties=body.write_parties).admin()


@router.get("/audit", summary="Reads of the caller's Party's restricted-access information")
def read_audit(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"entries": audit.read_audit(rt, principal)}
