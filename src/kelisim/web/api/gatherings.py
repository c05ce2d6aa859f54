"""Training courses, conferences, symposia and meetings of the workspace (issue 15 item 8;
Art. 3 directions 17-19, Art. 9), their iCalendar (RFC 5545) calendar, and the library of best
practice, and the requests for expert review of R&D work (Art. 3 direction 16). Refusals are
problem details (RFC 9457)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from kelisim.services.workspace import calendar_feed, practices, reviews
from kelisim.services.workspace import gatherings as gather
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])
ICALENDAR = "text/calendar; charset=utf-8"
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A field kelisim cannot take (the problem is named)",
          "content": {"application/problem+json": {}}},
    403: {"description": "The account may not act so (the article is named)",
          "content": {"application/problem+json": {}}},
    404: {"description": "No such gathering", "content": {"application/problem+json": {}}},
    422: {"description": "The rule refuses it now (registration closed, cancelled...)",
          "content": {"application/problem+json": {}}},
}


class Schedule(BaseModel):
    starts: datetime = Field(description="With a time zone, e.g. 2027-03-01T09:00:00+05:00")
    ends: datetime
    registration_until: date = Field(description="The last day to register")
    place: str = Field(default="", max_length=300)
    online: bool = False


class NewGathering(Schedule):
    kind: str = Field(description="training, conference, symposium or meeting")
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=5000)
    directions: list[int] = Field(min_length=1, max_length=19,
                                  description="Art. 3 directions, 1-19 (17-19 most often)")
    languages: list[str] = Field(min_length=1, max_length=3, description="kk, ru, en")
    places_per_party: int | None = Field(default=None, ge=1, le=200)


class Participant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200)


class Registration(BaseModel):
    participants: list[Participant] = Field(min_length=1, max_length=200)


class NewMaterial(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=2000)
    text: str = Field(default="", max_length=5000)


class Cancellation(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@router.post("/gatherings", status_code=201, responses=PROBLEMS,
             summary="Announce a training course, conference, symposium or meeting (Art. 3, 9)")
def announce(rt: RuntimeDep, principal: PrincipalDep, body: NewGathering) -> dict[str, Any]:
    return gather.announce(rt, principal, **body.model_dump())


@router.get("/gatherings", summary="Gatherings, soonest first")
def list_gatherings(rt: RuntimeDep, principal: PrincipalDep,
                    upcoming: bool = False) -> dict[str, Any]:
    return {"gatherings": gather.list_gatherings(rt, principal, upcoming=upcoming)}


@router.get("/gatherings/{gathering_id}", responses=PROBLEMS, summary="A gathering as of now")
def show(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str) -> dict[str, Any]:
    return gather.show(rt, principal, gathering_id)


@router.get("/gatherings/{gathering_id}/events", responses=PROBLEMS,
            summary="Every change of a gathering, who and when")
def history(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str) -> dict[str, Any]:
    return {"events": gather.history(rt, principal, gathering_id)}


@router.put("/gatherings/{gathering_id}/registrations/mine", responses=PROBLEMS,
            summary="Register the caller's Party's participants (replaces its list)")
def register(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str,
             body: Registration) -> dict[str, Any]:
    return gather.register(rt, principal, gathering_id,
                           [p.model_dump() for p in body.participants])


@router.delete("/gatherings/{gathering_id}/registrations/mine", responses=PROBLEMS,
               summary="Withdraw the caller's Party's registration")
def withdraw(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str) -> dict[str, Any]:
    return gather.withdraw(rt, principal, gathering_id)


@router.post("/gatherings/{gathering_id}/schedule", responses=PROBLEMS,
             summary="Reschedule (the organizing Party; calendars get the new time)")
def reschedule(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str,
               body: Schedule) -> dict[str, Any]:
    return gather.reschedule(rt, principal, gathering_id, **body.model_dump())


@router.post("/gatherings/{gathering_id}/materials", status_code=201, responses=PROBLEMS,
             summary="Add a material: a link or a text (the organizing Party)")
def add_material(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str,
                 body: NewMaterial) -> dict[str, Any]:
    return gather.add_material(rt, principal, gathering_id, **body.model_dump())


@router.post("/gatherings/{gathering_id}/cancellation", responses=PROBLEMS,
             summary="Cancel (the organizing Party; it stays listed as cancelled)")
def cancel(rt: RuntimeDep, principal: PrincipalDep, gathering_id: str,
           body: Cancellation) -> dict[str, Any]:
    return gather.cancel(rt, principal, gathering_id, body.reason)


@router.get("/calendar", summary="The caller's calendar address, for calendar programs")
def calendar_address(rt: RuntimeDep, principal: PrincipalDep, request: Request
                     ) -> dict[str, Any]:
    """Calendar programs send no token: the address itself is the credential. It stops
    working when the account is disabled."""
    key = gather.calendar_key(rt, principal.account_id)
    return {"url": str(request.base_url).rstrip("/") + f"/api/v1/workspace/calendar/{key}.ics"}


@router.get("/calendar.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}},
            summary="Every gathering as iCalendar (RFC 5545), with the caller's token")
def calendar_with_token(rt: RuntimeDep, principal: PrincipalDep, request: Request
                        ) -> Response:
    return _ics(rt, request, gather.all_gatherings(rt, principal))


@router.get("/calendar/{key}.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}},
                       401: {"description": "Not a calendar address, or its account is "
                                            "disabled", "content": {
                                                "application/problem+json": {}}}},
            summary="Every gathering as iCalendar (RFC 5545), at an account's address")
def calendar_by_address(rt: RuntimeDep, request: Request, key: str) -> Response:
    return _ics(rt, request, gather.calendar_for_key(rt, key))


def _ics(rt: Any, request: Request, found: list[Any]) -> Response:
    body = calendar_feed.calendar(found, base_url=str(request.base_url), now=rt.clock())
    return Response(body, media_type=ICALENDAR,
                    headers={"Content-Disposition": 'inline; filename="kelisim.ics"',
                             "Cache-Control": "private, max-age=300"})


# --- the library of best practice (Art. 3 direction 19, Art. 9) -----------------------------------

class NewPractice(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=20_000)
    language: str = Field(description="kk, ru or en")
    directions: list[int] = Field(min_length=1, max_length=19, description="Art. 3, 1-19")
    keywords: list[str] = Field(default_factory=list, max_length=20)


class PracticeText(BaseModel):
    language: str = Field(description="kk, ru or en")
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=20_000)


@router.post("/practices", status_code=201, responses=PROBLEMS,
             summary="Publish a practice in the library (Art. 3 direction 19, Art. 9)")
def publish_practice(rt: RuntimeDep, principal: PrincipalDep, body: NewPractice
                     ) -> dict[str, Any]:
    return practices.publish(rt, principal, **body.model_dump())


@router.get("/practices", responses=PROBLEMS,
            summary="Search the library in every language (words, \"phrases\", prefix*)")
def search_practices(rt: RuntimeDep, principal: PrincipalDep, q: str = "",
                     direction: int | None = None, language: str | None = None,
                     withdrawn: bool = False) -> dict[str, Any]:
    return {"practices": practices.search(rt, principal, q, direction=direction,
                                          language=language, withdrawn=withdrawn)}


@router.get("/practices/{practice_id}", responses=PROBLEMS, summary="A practice")
def show_practice(rt: RuntimeDep, principal: PrincipalDep, practice_id: str
                  ) -> dict[str, Any]:
    return practices.show(rt, principal, practice_id)


@router.get("/practices/{practice_id}/events", responses=PROBLEMS,
            summary="Every change of a practice, who and when")
def practice_history(rt: RuntimeDep, principal: PrincipalDep, practice_id: str
                     ) -> dict[str, Any]:
    return {"events": practices.history(rt, principal, practice_id)}


@router.post("/practices/{practice_id}/translations", status_code=201, responses=PROBLEMS,
             summary="Add the practice in another language (any bound Party)")
def translate_practice(rt: RuntimeDep, principal: PrincipalDep, practice_id: str,
                       body: PracticeText) -> dict[str, Any]:
    return practices.translate(rt, principal, practice_id, **body.model_dump())


@router.post("/practices/{practice_id}/revisions", status_code=201, responses=PROBLEMS,
             summary="Revise a language's text (the Party that wrote it)")
def revise_practice(rt: RuntimeDep, principal: PrincipalDep, practice_id: str,
                    body: PracticeText) -> dict[str, Any]:
    return practices.revise(rt, principal, practice_id, **body.model_dump())


@router.post("/practices/{practice_id}/withdrawal", responses=PROBLEMS,
             summary="Withdraw a practice (the publishing Party)")
def withdraw_practice(rt: RuntimeDep, principal: PrincipalDep, practice_id: str,
                      body: Cancellation) -> dict[str, Any]:
    return practices.withdraw(rt, principal, practice_id, body.reason)


# --- requests for expert review of R&D work (Art. 3 direction 16, Art. 6, 9) ---------------------

class NewReview(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(min_length=1, max_length=5000)
    directions: list[int] = Field(min_length=1, max_length=19, description="Art. 3, 1-19")
    asked: list[str] = Field(min_length=1, max_length=20,
                             description="The Parties asked for experts (KAZ, RUS...)")
    deadline: date = Field(description="The last day for conclusions")
    url: str = Field(default="", max_length=2000)
    restricted: bool = Field(default=False, description="Seen only by the requesting and the "
                                                        "asked Parties (Art. 6)")


class ExpertIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    qualification: str = Field(min_length=1, max_length=300,
                               description="Qualification or organization")


class Assignment(BaseModel):
    experts: list[ExpertIn] = Field(min_length=1, max_length=20)


class ConclusionIn(BaseModel):
    expert_id: str
    verdict: str = Field(description="supports, supports_with_remarks or does_not_support")
    text: str = Field(min_length=1, max_length=20_000)


class Closing(BaseModel):
    summary: str = Field(min_length=1, max_length=5000)


@router.post("/reviews", status_code=201, responses=PROBLEMS,
             summary="Request an expert review of R&D work (Art. 3 direction 16)")
def request_review(rt: RuntimeDep, principal: PrincipalDep, body: NewReview
                   ) -> dict[str, Any]:
    return reviews.request(rt, principal, **body.model_dump())


@router.get("/reviews", responses=PROBLEMS,
            summary="The reviews the reader may see (status: open, overdue, closed)")
def list_reviews(rt: RuntimeDep, principal: PrincipalDep, status: str | None = None
                 ) -> dict[str, Any]:
    return {"reviews": reviews.listed(rt, principal, status=status)}


@router.get("/reviews/{review_id}", responses=PROBLEMS, summary="A review")
def show_review(rt: RuntimeDep, principal: PrincipalDep, review_id: str) -> dict[str, Any]:
    return reviews.show(rt, principal, review_id)


@router.get("/reviews/{review_id}/events", responses=PROBLEMS,
            summary="Every change of a review, who and when")
def review_history(rt: RuntimeDep, principal: PrincipalDep, review_id: str
                   ) -> dict[str, Any]:
    return {"events": reviews.history(rt, principal, review_id)}


@router.post("/reviews/{review_id}/experts", status_code=201, responses=PROBLEMS,
             summary="Assign experts (a Party asked)")
def assign_experts(rt: RuntimeDep, principal: PrincipalDep, review_id: str,
                   body: Assignment) -> dict[str, Any]:
    return reviews.assign(rt, principal, review_id, [e.model_dump() for e in body.experts])


@router.post("/reviews/{review_id}/declination", responses=PROBLEMS,
             summary="Decline to provide experts (a Party asked)")
def decline_review(rt: RuntimeDep, principal: PrincipalDep, review_id: str,
                   body: Cancellation) -> dict[str, Any]:
    return reviews.decline(rt, principal, review_id, body.reason)


@router.post("/reviews/{review_id}/conclusions", status_code=201, responses=PROBLEMS,
             summary="Submit or revise an expert's conclusion (the expert's Party)")
def conclude_review(rt: RuntimeDep, principal: PrincipalDep, review_id: str,
                    body: ConclusionIn) -> dict[str, Any]:
    return reviews.conclude(rt, principal, review_id, **body.model_dump())


@router.post("/reviews/{review_id}/closure", responses=PROBLEMS,
             summary="Close the review with a summary (the requesting Party)")
def close_review(rt: RuntimeDep, principal: PrincipalDep, review_id: str, body: Closing
                 ) -> dict[str, Any]:
    return reviews.close(rt, principal, review_id, body.summary)
