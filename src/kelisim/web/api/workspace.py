"""The cooperation workspace's API (issue 15): programs and projects (Art. 3, 4), stages and
agreed deadlines (Art. 5), costs (Art. 7), consultations (Art. 4, 12), disputes (Art. 12),
points of contact and their communication checks (Art. 8, 9). Refusals are problem
details (RFC 9457)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kelisim.services.workspace import checks as checks
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import contacts as contacts
from kelisim.services.workspace import disputes as disputes
from kelisim.services.workspace import projects as ws
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


class NewProject(BaseModel):
    kind: str = Field(description="program or project (Art. 4)")
    title: str = Field(min_length=1, max_length=500)
    directions: list[int] = Field(min_length=1, max_length=19,
                                  description="Art. 3 directions, 1-19")
    goals: str = Field(default="", max_length=5000)


class NewStage(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    deadline: date
    deliverables: list[str] = Field(default_factory=list, max_length=100)


class NewDeadline(BaseModel):
    deadline: date


class ConsentTo(BaseModel):
    revision: int = Field(ge=1, description="the revision of the deadline or shares consented to")


class NewCost(BaseModel):
    amount: str = Field(max_length=40, description="a decimal string, e.g. 1250.50")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. KZT")
    stage_id: str | None = Field(default=None, max_length=36)
    description: str = Field(default="", max_length=500)


class NewShares(BaseModel):
    shares: dict[str, str] = Field(description="{Party: fraction as a decimal string}, sum 1")


@router.post("/projects", status_code=201, summary="Propose a program or project (Art. 4)")
def propose(rt: RuntimeDep, principal: PrincipalDep, body: NewProject) -> dict[str, Any]:
    return ws.propose_project(rt, principal, **body.model_dump())


@router.get("/projects", summary="Programs and projects, newest first")
def list_projects(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"projects": ws.list_projects(rt, principal)}


PAGE = 100
"""The events, costs or documents one page holds when the request names no `limit`."""


@router.get("/projects/{project_id}", summary="A project as of today (Art. 4, 5, 7)")
def show(rt: RuntimeDep, principal: PrincipalDep, request: Request,
         project_id: str) -> dict[str, Any]:
    """The project with the first page of its costs in `costs.recorded` (the totals per Party
    and currency count every cost, Art. 7); `costs.recorded_next_url` reads the next page."""
    found = ws.show_project(rt, principal, project_id, costs_limit=ws.COSTS_PAGE)
    costs = found["costs"]
    costs["recorded_next_url"] = next_url(request, costs["recorded_next"], ws.COSTS_PAGE,
                                          path=f"{request.url.path}/costs")
    return found


@router.get("/projects/{project_id}/costs", summary="The costs recorded (Art. 7), by pages")
def costs(rt: RuntimeDep, principal: PrincipalDep, request: Request, project_id: str,
          after: Annotated[int, Query(description=(
              "The history position of the last cost read (the previous page's `next`); 0 "
              "for the first page"))] = 0,
          limit: Annotated[int, Query(description=f"At most this many costs (1 to "
                                                  f"{ws.MAX_PAGE})")] = PAGE,
          ) -> dict[str, Any]:
    """The project's costs in the order recorded, a keyset page at a time: each with its
    `position` in the history, `total` how many the project recorded, `next` the `after` of
    the next page (None after the last) and `next_url` its address. The totals per Party and
    currency are the project's (`GET .../projects/{id}`)."""
    page = ws.costs_page(rt, principal, project_id, after=after, limit=limit)
    return {**page, "next_url": next_url(request, page["next"], limit)}


@router.get("/projects/{project_id}/events", summary="Every change, who and when, by pages")
def history(rt: RuntimeDep, principal: PrincipalDep, request: Request, project_id: str,
            after: Annotated[int, Query(description=(
                "The position of the last event read (the previous page's `next`); 0 for "
                "the first page"))] = 0,
            limit: Annotated[int, Query(description=f"At most this many events (1 to "
                                                    f"{ws.MAX_PAGE})")] = PAGE,
            ) -> dict[str, Any]:
    """The project's events in order of position, a keyset page at a time: `total` is how many
    the project has, `next` the `after` of the next page (None after the last) and
    `next_url` its address."""
    page = ws.history_page(rt, principal, project_id, after=after, limit=limit)
    return {**page, "next_url": next_url(request, page["next"], limit)}


def next_url(request: Request, after: int | str | None, limit: int, *,
             path: str | None = None) -> str | None:
    """The address of the next page: this one's (or `path`) with `after` moved on."""
    if after is None:
        return None
    return f"{path or request.url.path}?{urlencode({'after': after, 'limit': limit})}"


@router.post("/projects/{project_id}/participants", status_code=201,
             summary="Join as the caller's Party (Art. 4, 13-15)")
def join(rt: RuntimeDep, principal: PrincipalDep, project_id: str) -> dict[str, Any]:
    return ws.join_project(rt, principal, project_id)


@router.post("/projects/{project_id}/stages", status_code=201,
             summary="Add the next stage (the lead Party; Art. 5)")
def add_stage(rt: RuntimeDep, principal: PrincipalDep, project_id: str,
              body: NewStage) -> dict[str, Any]:
    return ws.add_stage(rt, principal, project_id, **body.model_dump())


@router.post("/projects/{project_id}/stages/{stage_id}/deadline",
             summary="Change a deadline; consent is needed again (Art. 5)")
def change_deadline(rt: RuntimeDep, principal: PrincipalDep, project_id: str, stage_id: str,
                    body: NewDeadline) -> dict[str, Any]:
    return ws.change_deadline(rt, principal, project_id, stage_id, body.deadline)


@router.post("/projects/{project_id}/stages/{stage_id}/consents", status_code=201,
             summary="Consent to a stage's deadline for the caller's Party (Art. 5)")
def consent(rt: RuntimeDep, principal: PrincipalDep, project_id: str, stage_id: str,
            body: ConsentTo) -> dict[str, Any]:
    return ws.consent_to_deadline(rt, principal, project_id, stage_id, body.revision)


@router.post("/projects/{project_id}/stages/{stage_id}/completion",
             summary="Mark a stage completed (the lead Party, in order; Art. 5)")
def complete(rt: RuntimeDep, principal: PrincipalDep, project_id: str,
             stage_id: str) -> dict[str, Any]:
    return ws.complete_stage(rt, principal, project_id, stage_id)


@router.post("/projects/{project_id}/costs", status_code=201,
             summary="Record a cost the caller's Party incurred (Art. 7)")
def record_cost(rt: RuntimeDep, principal: PrincipalDep, project_id: str,
                body: NewCost) -> dict[str, Any]:
    return ws.record_cost(rt, principal, project_id, **body.model_dump())


@router.post("/projects/{project_id}/cost-shares", status_code=201,
             summary="Propose agreed cost shares (the lead Party; Art. 7)")
def propose_shares(rt: RuntimeDep, principal: PrincipalDep, project_id: str,
                   body: NewShares) -> dict[str, Any]:
    return ws.propose_shares(rt, principal, project_id, body.shares)


@router.post("/projects/{project_id}/cost-shares/consents", status_code=201,
             summary="Consent to the proposed cost shares (Art. 7)")
def consent_shares(rt: RuntimeDep, principal: PrincipalDep, project_id: str,
                   body: ConsentTo) -> dict[str, Any]:
    return ws.consent_to_shares(rt, principal, project_id, body.revision)


# --- consultations (issue 15 item 4; Art. 4, 12) ------------------------------------------------

class NewConsultation(BaseModel):
    subject: str = Field(min_length=1, max_length=500)
    articles: list[int] = Field(min_length=1, max_length=15,
                                description="the Agreement's articles concerned, 1-15")
    invited: list[str] = Field(min_length=1, max_length=20,
                               description="the Parties invited (ISO 3166-1 alpha-3)")


class Answer(BaseModel):
    accepted: bool


class Schedule(BaseModel):
    date: date
    agenda: list[str] = Field(default_factory=list, max_length=100)
    place: str = Field(default="", max_length=300)
    online: bool = False


class Minutes(BaseModel):
    minutes: str = Field(min_length=1, max_length=5000)
    present: list[str] = Field(min_length=1, max_length=20)
    decisions: list[str] = Field(default_factory=list, max_length=100)


class FollowUp(BaseModel):
    description: str = Field(min_length=1, max_length=1000)
    owner: str = Field(min_length=3, max_length=3, description="a Party present")
    deadline: date


@router.post("/consultations", status_code=201,
             summary="Request a consultation with other Parties (Art. 4, 12)")
def request_consultation(rt: RuntimeDep, principal: PrincipalDep,
                         body: NewConsultation) -> dict[str, Any]:
    return consult.request_consultation(rt, principal, **body.model_dump())


@router.get("/consultations", summary="Consultations, newest first")
def list_consultations(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"consultations": consult.list_consultations(rt, principal)}


@router.get("/consultations/{consultation_id}", summary="A consultation as of today")
def show_consultation(rt: RuntimeDep, principal: PrincipalDep,
                      consultation_id: str) -> dict[str, Any]:
    return consult.show_consultation(rt, principal, consultation_id)


@router.get("/consultations/{consultation_id}/events", summary="Every change, who and when")
def consultation_history(rt: RuntimeDep, principal: PrincipalDep,
                         consultation_id: str) -> dict[str, Any]:
    return {"events": consult.consultation_history(rt, principal, consultation_id)}


@router.post("/consultations/{consultation_id}/answers", status_code=201,
             summary="Accept or decline the invitation for the caller's Party (Art. 12)")
def answer(rt: RuntimeDep, principal: PrincipalDep, consultation_id: str,
           body: Answer) -> dict[str, Any]:
    return consult.answer_invitation(rt, principal, consultation_id, body.accepted)


@router.post("/consultations/{consultation_id}/schedule",
             summary="Set the agenda, date and place or online (the requesting Party)")
def schedule(rt: RuntimeDep, principal: PrincipalDep, consultation_id: str,
             body: Schedule) -> dict[str, Any]:
    return consult.schedule_consultation(rt, principal, consultation_id, held_on=body.date,
                                         agenda=body.agenda, place=body.place,
                                         online=body.online)


@router.post("/consultations/{consultation_id}/minutes", status_code=201,
             summary="Record the minutes, the Parties present and the decisions")
def minutes(rt: RuntimeDep, principal: PrincipalDep, consultation_id: str,
            body: Minutes) -> dict[str, Any]:
    return consult.record_minutes(rt, principal, consultation_id, **body.model_dump())


@router.post("/consultations/{consultation_id}/actions", status_code=201,
             summary="Add a follow-up action with its owner Party and deadline")
def add_action(rt: RuntimeDep, principal: PrincipalDep, consultation_id: str,
               body: FollowUp) -> dict[str, Any]:
    return consult.add_action(rt, principal, consultation_id, **body.model_dump())


@router.post("/consultations/{consultation_id}/actions/{action_id}/completion",
             summary="Mark a follow-up action done (its owner Party)")
def complete_action(rt: RuntimeDep, principal: PrincipalDep, consultation_id: str,
                    action_id: str) -> dict[str, Any]:
    return consult.complete_action(rt, principal, consultation_id, action_id)


# --- disputes (issue 15 item 5; Art. 12) ----------------------------------------------------------

class NewDispute(BaseModel):
    subject: str = Field(min_length=1, max_length=500)
    matter: str = Field(description="application or interpretation (Art. 12)")
    articles: list[int] = Field(min_length=1, max_length=15,
                                description="the Agreement's articles in dispute, 1-15")
    concerned: list[str] = Field(min_length=1, max_length=20,
                                 description="the other Parties concerned (alpha-3); the "
                                             "caller's Party is one of them")


class LogEntry(BaseModel):
    means: str = Field(description="consultations or negotiations (Art. 12)")
    held_on: date
    summary: str = Field(min_length=1, max_length=5000)
    consultation_id: str | None = Field(default=None, max_length=36,
                                        description="a workspace consultation it was held in")


class Outcome(BaseModel):
    means: str = Field(description="settled by consultations or by negotiations (Art. 12)")
    text: str = Field(min_length=1, max_length=5000)


@router.post("/disputes", status_code=201,
             summary="Open a dispute with the other Parties concerned (Art. 12)")
def open_dispute(rt: RuntimeDep, principal: PrincipalDep, body: NewDispute) -> dict[str, Any]:
    return disputes.open_dispute(rt, principal, **body.model_dump())


@router.get("/disputes", summary="The disputes the caller may see, newest first (Art. 12)")
def list_disputes(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"disputes": disputes.list_disputes(rt, principal)}


@router.get("/disputes/{dispute_id}",
            summary="A dispute: all of it for the Parties concerned, the shared part for others")
def show_dispute(rt: RuntimeDep, principal: PrincipalDep, dispute_id: str) -> dict[str, Any]:
    return disputes.show_dispute(rt, principal, dispute_id)


@router.get("/disputes/{dispute_id}/events",
            summary="Every change, who and when (the Parties concerned only)")
def dispute_history(rt: RuntimeDep, principal: PrincipalDep, dispute_id: str) -> dict[str, Any]:
    return {"events": disputes.dispute_history(rt, principal, dispute_id)}


@router.post("/disputes/{dispute_id}/log", status_code=201,
             summary="Log consultations or negotiations held (a Party concerned)")
def log_negotiation(rt: RuntimeDep, principal: PrincipalDep, dispute_id: str,
                    body: LogEntry) -> dict[str, Any]:
    return disputes.log_negotiation(rt, principal, dispute_id, **body.model_dump())


@router.post("/disputes/{dispute_id}/sharing", status_code=201,
             summary="Consent to share the subject and outcome with all accounts "
                     "(a Party concerned)")
def consent_to_share(rt: RuntimeDep, principal: PrincipalDep, dispute_id: str
                     ) -> dict[str, Any]:
    return disputes.consent_to_share(rt, principal, dispute_id)


@router.post("/disputes/{dispute_id}/outcome", status_code=201,
             summary="Record how the dispute was settled; closes it (a Party concerned)")
def record_outcome(rt: RuntimeDep, principal: PrincipalDep, dispute_id: str,
                   body: Outcome) -> dict[str, Any]:
    return disputes.record_outcome(rt, principal, dispute_id, **body.model_dump())


# --- points of contact and communication checks (issue 15 item 9; Art. 8, 9) ---------------------

class Channel(BaseModel):
    kind: str = Field(description="email, phone, fax or secure-messaging")
    value: str = Field(min_length=1, max_length=300)


class ContactDetails(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    hours: str = Field(description="24/7 or office")
    office_hours: str = Field(default="", max_length=200,
                              description="the hours and time zone, for office hours")
    languages: list[str] = Field(min_length=1, max_length=20,
                                 description="ISO 639 codes, e.g. kk, ru, en")
    channels: list[Channel] = Field(min_length=1, max_length=10)


class NewCheck(BaseModel):
    hours: int = Field(ge=1, le=720, description="the deadline, in hours after the launch")
    parties: list[str] = Field(default_factory=list, max_length=20,
                               description="the Parties checked; empty: every Party bound")


def _details(body: ContactDetails) -> dict[str, Any]:
    return {**body.model_dump(exclude={"channels"}),
            "channels": [c.model_dump() for c in body.channels]}


@router.post("/contacts", status_code=201,
             summary="Add a point of contact of the caller's authorized body (Art. 8, 9)")
def add_contact(rt: RuntimeDep, principal: PrincipalDep, body: ContactDetails) -> dict[str, Any]:
    return contacts.add_contact(rt, principal, **_details(body))


@router.get("/contacts", summary="The points of contact, by Party (current ones unless asked)")
def list_contacts(rt: RuntimeDep, principal: PrincipalDep,
                  party: str | None = Query(default=None, max_length=3),
                  retired: bool = False) -> dict[str, Any]:
    return {"contacts": contacts.list_contacts(rt, principal, party=party, retired=retired)}


@router.get("/contacts/{contact_id}", summary="A point of contact and every version of it")
def show_contact(rt: RuntimeDep, principal: PrincipalDep, contact_id: str) -> dict[str, Any]:
    return contacts.show_contact(rt, principal, contact_id)


@router.put("/contacts/{contact_id}",
            summary="Change a point of contact (its own Party; the old version is kept)")
def change_contact(rt: RuntimeDep, principal: PrincipalDep, contact_id: str,
                   body: ContactDetails) -> dict[str, Any]:
    return contacts.change_contact(rt, principal, contact_id, **_details(body))


@router.post("/contacts/{contact_id}/retirement",
             summary="Retire a point of contact (its own Party; kept in the history)")
def retire_contact(rt: RuntimeDep, principal: PrincipalDep, contact_id: str) -> dict[str, Any]:
    return contacts.retire_contact(rt, principal, contact_id)


@router.post("/checks", status_code=201,
             summary="Launch a communication check of the points of contact; returns the "
                     "one-time acknowledgement links (the depositary or a Party)")
def launch_check(rt: RuntimeDep, principal: PrincipalDep, request: Request,
                 body: NewCheck) -> dict[str, Any]:
    launched = checks.launch_check(rt, principal, hours=body.hours, parties=body.parties)
    base = str(request.base_url).rstrip("/")
    for link in launched["links"]:
        link["url"] = base + link["path"]
    return launched


@router.get("/checks", summary="Communication checks, newest first")
def list_checks(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"checks": checks.list_checks(rt, principal)}


@router.get("/checks/report",
            summary="Answers and response times per Party over the checks; unanswered flagged")
def report_checks(rt: RuntimeDep, principal: PrincipalDep,
                  party: str | None = Query(default=None, max_length=3)) -> dict[str, Any]:
    return {"parties": checks.report_checks(rt, principal, party)}


@router.get("/checks/{check_id}",
            summary="A check: each target answered, awaited or (after the deadline) unanswered")
def show_check(rt: RuntimeDep, principal: PrincipalDep, check_id: str) -> dict[str, Any]:
    return checks.show_check(rt, principal, check_id)
