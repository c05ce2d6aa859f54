"""The Agreement's text, its Art. 2 glossary and the CIS states."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kelisim.services import reference
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["agreement"])


@router.get("/agreement", summary="The Agreement: titles, articles (kk text), depositary")
def get_agreement(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return reference.get_agreement(rt, principal)


@router.get("/glossary", summary="The Art. 2 terms in Kazakh, Russian and English")
def get_glossary(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"article": "Art. 2", "terms": reference.get_glossary(rt, principal)}


@router.get("/states", summary="CIS states with their membership periods")
def get_states(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"states": reference.get_states(rt, principal)}


@router.get("/domestic-acts", summary="Publicly sourced domestic acts; they change no status")
def get_domestic_acts(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"domestic_acts": reference.get_domestic_acts(rt, principal)}
