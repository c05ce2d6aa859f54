"""Public verification of a certificate number: no token, only what its scheme made public.

Art. 3 (direction 14): anyone relying on a certified information protection tool can check it.
The JSON endpoint (and the UI's translated page at `/verify/{number}`, web/ui/certification.py)
show the number, the scheme, the verdict (with reasons worded to disclose no unpublished
field) and the fields the scheme chose to publish (`kelisim.domain.certification.publication`).
A scheme that publishes nothing answers 404, as an unknown number does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kelisim.services.certification.verification import verify_public
from kelisim.web.dates import IsoDate
from kelisim.web.dependencies import RuntimeDep

router = APIRouter(tags=["public verification"])

Party = Annotated[str | None, Query(alias="in", min_length=3, max_length=3,
                                    description="Verify for this Party (ISO alpha-3).")]


@router.get("/api/v1/public/certificates/{number:path}",
            summary="Verify a certificate without an account (public fields only)")
def public_certificate(rt: RuntimeDep, number: str, party: Party = None,
                       on: IsoDate | None = None) -> dict[str, Any]:
    return verify_public(rt, number, party, on)
