"""Accounts: who am I, create one (depositary, or a party-admin for its own Party), list them,
disable one (its token and web sessions stop working)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kelisim.services import accounts
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class NewAccount(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(description="depositary, party-admin, analyst, reader or certifier")
    organization_kind: str = Field(
        description="depositary, authorized_body or certification_body")
    party: str | None = Field(default=None, min_length=3, max_length=3)
    organization: str | None = Field(default=None, max_length=300)


@router.get("/me", summary="The account this token belongs to")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {"id": principal.account_id, "name": principal.name, "role": principal.role.value,
            "organization_kind": principal.organization_kind.value, "party": principal.party,
            "organization": principal.organization}


@router.post("/accounts", status_code=201, summary="Create an account; its token is shown once")
def create_account(rt: RuntimeDep, principal: PrincipalDep, body: NewAccount) -> dict[str, Any]:
    return accounts.create_account(rt, principal, **body.model_dump())


@router.get("/accounts", summary="Accounts the caller may manage")
def list_accounts(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"accounts": accounts.list_accounts(rt, principal)}


@router.post("/accounts/{account}/disable",
             summary="Disable an account (name or id): its token and web sessions stop working")
def disable_account(rt: RuntimeDep, principal: PrincipalDep, account: str) -> dict[str, Any]:
    return accounts.disable_account(rt, principal, account)
