"""The Agreement's status on a date (Art. 13-15), as JSON or the UNTC table in CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kelisim.services.party_history import party_history
from kelisim.services.status import (
    UNTC_COLUMNS,
    compute_status,
    party_json,
    status_json,
    untc_rows,
)
from kelisim.web.dates import IsoDate
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["status"])


@router.get("/status", summary="Status of the Agreement and of every state on a date",
            responses={200: {"content": {"text/csv": {}}}})
def get_status(
    rt: RuntimeDep, principal: PrincipalDep,
    on: Annotated[IsoDate | None,
                  Query(description="The date (YYYY-MM-DD); default today.")] = None,
    format: Annotated[Literal["json", "csv"], Query(
        description="json, or csv for the UN Treaty Collection layout")] = "json",
) -> Any:
    status, names = compute_status(rt, principal, on or rt.clock().date())
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(UNTC_COLUMNS)
        writer.writerows(untc_rows(status, names))
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
    return status_json(status, names)


@router.get("/parties/{party}", summary="One state's record: terms, authorized bodies over time")
def get_party(
    rt: RuntimeDep, principal: PrincipalDep, party: str,
    on: Annotated[IsoDate | None, Query(description="Up to this date; default today.")] = None,
) -> dict[str, Any]:
    day = on or rt.clock().date()
    history = party_history(rt, principal, party, day)
    status, names = compute_status(rt, principal, day)
    current = next((p for p in status.parties if p.party == history["party"]), None)
    names_of = names.get(history["party"], {})
    return {**history, "names": names_of, "on": day.isoformat(),
            "status": party_json(current, names_of) if current else None}
