"""Managing the exchange (Art. 6, 9): collections and who may read and write them, the
tombstones of deleted versions, the audit of reads of a Party's restricted-access information.
TAXII itself is at /taxii2/."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kelisim.services.exchange import audit, collections, tombstones
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


class DeletedBy(BaseModel):
    account: int | None = Field(description="The deleting account's id; null for a copy "
                                "received from another Party's node, deleted at its origin "
                                "or purged here when its markings no longer allowed it")
    party: str | None = Field(description="Its Party: only a version's producer Party deletes it")


class TombstoneOut(BaseModel):
    id: str = Field(description="The STIX id of the deleted object")
    version: str = Field(description="The deleted version (its `modified`, or `created`)")
    producer_party: str | None
    deleted_by: DeletedBy
    deleted_at: str = Field(description="When it was deleted (ISO 8601, UTC)")


class Tombstones(BaseModel):
    collection: str = Field(description="The collection's id")
    tombstones: list[TombstoneOut]


PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The caller may not read this collection (Art. 6)",
          "content": {"application/problem+json": {}}},
    404: {"description": "No such collection is visible to the caller (TAXII 2.1 section 5.2)",
          "content": {"application/problem+json": {}}},
}


@router.get("/collections/{key}/tombstones", response_model=Tombstones, responses=PROBLEMS,
            summary="Deleted versions of a collection's objects: which, by whom, when")
def list_tombstones(rt: RuntimeDep, principal: PrincipalDep, key: str) -> dict[str, Any]:
    """Every tombstone of the collection (by id or alias) the caller may see, oldest deletion
    first. Access is that of reading the collection's objects: a collection the caller may not
    see is 404, one it may not read 403; a tombstone is listed only to those who could read the
    deleted version (its Art. 6 markings), and a list naming restricted-access information is
    recorded in the owner Party's audit of reads, as a manifest read is."""
    return tombstones.list_tombstones(rt, principal, key)
