"""Proposals of amendments and additions to the Agreement in the workspace (Art. 11): propose
(the amended text in kk/ru/en as articles replaced, inserted or repealed), discuss, consent,
withdraw; each shows the protocol the depositary recorded from it, once adopted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kelisim.services.workspace import amendments
from kelisim.web.api.gatherings import PROBLEMS
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


class NewProposal(BaseModel):
    titles: dict[str, str] = Field(description="The title in kk, ru and en")
    amendments: list[dict[str, Any]] = Field(
        min_length=1, max_length=100,
        description="Each {article, action: replace|insert_after|repeal, new_article?, "
                    "text: {kk, ru, en}, title?}, as in the depositary's protocol entry")
    note: str = Field(default="", max_length=20_000, description="Explanatory note")


class Remark(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@router.post("/amendments", status_code=201, responses=PROBLEMS,
             summary="Propose amendments or additions to the Agreement (Art. 11)")
def propose(rt: RuntimeDep, principal: PrincipalDep, body: NewProposal) -> dict[str, Any]:
    return amendments.propose(rt, principal, **body.model_dump())


@router.get("/amendments", responses=PROBLEMS, summary="Every proposal of amendments")
def list_proposals(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"proposals": amendments.list_proposals(rt, principal)}


@router.get("/amendments/{proposal_id}", responses=PROBLEMS, summary="A proposal of amendments")
def show(rt: RuntimeDep, principal: PrincipalDep, proposal_id: str) -> dict[str, Any]:
    return amendments.show(rt, principal, proposal_id)


@router.get("/amendments/{proposal_id}/events", responses=PROBLEMS,
            summary="Every change of a proposal, who and when")
def history(rt: RuntimeDep, principal: PrincipalDep, proposal_id: str) -> dict[str, Any]:
    return {"events": amendments.history(rt, principal, proposal_id)}


@router.post("/amendments/{proposal_id}/remarks", status_code=201, responses=PROBLEMS,
             summary="Discuss a proposal (the acting account's Party)")
def discuss(rt: RuntimeDep, principal: PrincipalDep, proposal_id: str,
            body: Remark) -> dict[str, Any]:
    return amendments.discuss(rt, principal, proposal_id, body.text)


@router.post("/amendments/{proposal_id}/consent", responses=PROBLEMS,
             summary="Consent to a proposal: Art. 11's mutual consent, Party by Party")
def consent(rt: RuntimeDep, principal: PrincipalDep, proposal_id: str) -> dict[str, Any]:
    return amendments.consent(rt, principal, proposal_id)


@router.post("/amendments/{proposal_id}/withdraw", responses=PROBLEMS,
             summary="Withdraw a proposal (the proposing Party)")
def withdraw(rt: RuntimeDep, principal: PrincipalDep, proposal_id: str,
             body: Reason) -> dict[str, Any]:
    return amendments.withdraw(rt, principal, proposal_id, body.reason)
