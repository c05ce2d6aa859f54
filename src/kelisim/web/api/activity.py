"""The exchange's counts over time (issue 16, item 10), within what the caller may read
(Art. 6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kelisim.domain.exchange_activity import MAX_SPAN, Facet, Period
from kelisim.services.exchange import activity
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


class SeriesOut(BaseModel):
    key: str = Field(description="The direction (1-19), threat class or producer Party; `-` "
                                 "for objects without one")
    counts: list[int] = Field(description="Objects first added in each period, in the order "
                                          "of `periods`")
    total: int


class ActivityOut(BaseModel):
    by: Facet
    period: Period
    periods: list[str] = Field(description="The first day of each period (UTC), oldest first")
    objects: int = Field(description="Objects counted, each once (an object in two "
                                     "directions is in two series)")
    series: list[SeriesOut] = Field(description="Largest total first")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A span out of range (the problem is named)",
          "content": {"application/problem+json": {}}},
    403: {"description": "The caller may not read the exchange (Art. 6)",
          "content": {"application/problem+json": {}}},
}


@router.get("/activity", response_model=ActivityOut, responses=PROBLEMS,
            summary="Objects first added per day, week or month, by direction, threat class "
                    "or producer Party")
def exchange_activity(
    rt: RuntimeDep, principal: PrincipalDep,
    by: Annotated[Facet, Query(description="What the counts are split by")] = Facet.PRODUCER,
    period: Annotated[Period, Query(description="day, week (ISO, from Monday) or month")
                      ] = Period.MONTH,
    span: Annotated[int | None, Query(ge=1, le=max(MAX_SPAN.values()), description=(
        "How many periods, the current one included (default 30 days, 26 weeks, 12 months; "
        "at most 366 days, 260 weeks, 120 months)"))] = None,
) -> dict[str, Any]:
    """Each object the caller may read counts once, in the period its first version the
    caller may read was added (a new version is not a new object). Objects the caller may not
    read, and collections it may not read, are not counted (Art. 6)."""
    return activity.as_json(activity.activity(rt, principal, by, period, span))
