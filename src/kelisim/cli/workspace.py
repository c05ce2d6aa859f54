"""`kelisim workspace ...`: programs and projects from the console (issue 15; Art. 4, 5, 7).

The workspace is where Parties act, so each command that changes it names the account it acts
as (`--as`, an active party-admin or analyst of an authorized body); the local operator runs it
on that account's behalf and the event records that account.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from kelisim.cli.base import app, print_json, runtime
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput
from kelisim.services.accounts import managed_account
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import consultations as consult
from kelisim.services.workspace import projects as ws

workspace_app = typer.Typer(help="The cooperation workspace: programs, projects, stages, costs "
                                 "(Art. 4, 5, 7).", no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")

As = Annotated[str, typer.Option("--as", help="The account acting (name or id): a party-admin "
                                              "or analyst of the Party's authorized body.")]
ProjectId = Annotated[str, typer.Argument(help="The program's or project's id.")]
StageId = Annotated[str, typer.Argument(help="The stage's id.")]


def _acting(ctx: typer.Context, name: str) -> tuple[Runtime, Principal]:
    rt = runtime(ctx)
    with rt.unit_of_work() as uow:
        return rt, managed_account(uow, None, name)


@workspace_app.command("propose")
def propose(ctx: typer.Context, title: Annotated[str, typer.Argument(help="Its title.")],
            as_: As,
            direction: Annotated[list[int], typer.Option(help="An Art. 3 direction (1-19); "
                                                            "repeat for several.")],
            kind: Annotated[str, typer.Option(help="program or project.")] = "project",
            goals: Annotated[str, typer.Option(help="Its goals.")] = "") -> None:
    """Propose a program or project; the acting account's Party leads it."""
    rt, who = _acting(ctx, as_)
    print_json(ws.propose_project(rt, who, kind=kind, title=title, directions=direction,
                                  goals=goals))


@workspace_app.command("notify")
def notify(ctx: typer.Context) -> None:
    """Turn the workspace's events since the last pass into inbox notices, the deadlines near
    or past too (once a day), and send the mail that is due: what `kelisim up`'s worker does
    every 30 s, for a cron job where no server runs. Prints how many."""
    from kelisim.services.exchange.worker import notify_subscribers

    written, sent = notify_subscribers(runtime(ctx))
    print_json({"notifications": written, "sent": sent})


@workspace_app.command("list")
def list_projects(ctx: typer.Context, as_: As) -> None:
    """Programs and projects, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(ws.list_projects(rt, who))


@workspace_app.command("show")
def show(ctx: typer.Context, project: ProjectId, as_: As) -> None:
    """A project as of today: participants, stages (agreed, overdue), costs."""
    rt, who = _acting(ctx, as_)
    print_json(ws.show_project(rt, who, project, costs_limit=None))  # every cost


@workspace_app.command("history")
def history(ctx: typer.Context, project: ProjectId, as_: As) -> None:
    """Every change to a project: its events, who and when."""
    rt, who = _acting(ctx, as_)
    print_json(ws.project_history(rt, who, project))


@workspace_app.command("join")
def join(ctx: typer.Context, project: ProjectId, as_: As) -> None:
    """Join as the acting account's Party (the Agreement must be in force for it)."""
    rt, who = _acting(ctx, as_)
    print_json(ws.join_project(rt, who, project))


@workspace_app.command("add-stage")
def add_stage(ctx: typer.Context, project: ProjectId, title: Annotated[str, typer.Argument()],
              as_: As, deadline: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
              deliverable: Annotated[list[str] | None, typer.Option(
                  help="A deliverable; repeat for several.")] = None) -> None:
    """Add the next stage (the lead Party)."""
    rt, who = _acting(ctx, as_)
    print_json(ws.add_stage(rt, who, project, title=title, deadline=_day(deadline),
                            deliverables=deliverable or []))


@workspace_app.command("set-deadline")
def set_deadline(ctx: typer.Context, project: ProjectId, stage: StageId, as_: As,
                 deadline: Annotated[str, typer.Option(help="YYYY-MM-DD.")]) -> None:
    """Change a stage's deadline (the lead Party); every Party must consent again."""
    rt, who = _acting(ctx, as_)
    print_json(ws.change_deadline(rt, who, project, stage, _day(deadline)))


@workspace_app.command("consent")
def consent(ctx: typer.Context, project: ProjectId, stage: StageId, as_: As,
            revision: Annotated[int, typer.Option(help="The deadline's revision.")]) -> None:
    """Consent to a stage's deadline for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(ws.consent_to_deadline(rt, who, project, stage, revision))


@workspace_app.command("complete-stage")
def complete_stage(ctx: typer.Context, project: ProjectId, stage: StageId, as_: As) -> None:
    """Mark a stage completed (the lead Party, stages in order)."""
    rt, who = _acting(ctx, as_)
    print_json(ws.complete_stage(rt, who, project, stage))


@workspace_app.command("record-cost")
def record_cost(ctx: typer.Context, project: ProjectId, as_: As,
                amount: Annotated[str, typer.Option(help="A decimal, e.g. 1250.50.")],
                currency: Annotated[str, typer.Option(help="ISO 4217, e.g. KZT.")],
                stage: Annotated[str | None, typer.Option(help="The stage's id.")] = None,
                description: Annotated[str, typer.Option(help="What it paid for.")] = "",
                ) -> None:
    """Record a cost the acting account's Party incurred (Art. 7)."""
    rt, who = _acting(ctx, as_)
    print_json(ws.record_cost(rt, who, project, amount=amount, currency=currency,
                              stage_id=stage, description=description)["costs"])


@workspace_app.command("propose-shares")
def propose_shares(ctx: typer.Context, project: ProjectId, as_: As,
                   share: Annotated[list[str], typer.Option(
                       help="PARTY=FRACTION, e.g. KAZ=0.6; one per participant.")]) -> None:
    """Propose agreed cost shares (the lead Party); all participants must consent (Art. 7)."""
    rt, who = _acting(ctx, as_)
    pairs = dict(item.split("=", 1) for item in share if "=" in item)
    print_json(ws.propose_shares(rt, who, project, pairs)["costs"])


@workspace_app.command("consent-shares")
def consent_shares(ctx: typer.Context, project: ProjectId, as_: As,
                   revision: Annotated[int, typer.Option(help="The shares' revision.")]) -> None:
    """Consent to the proposed cost shares for the acting account's Party (Art. 7)."""
    rt, who = _acting(ctx, as_)
    print_json(ws.consent_to_shares(rt, who, project, revision)["costs"])


def _day(text: str, option: str = "deadline") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--{option} must be a date as YYYY-MM-DD, not {text!r}.",
                           field=option) from None


# --- consultations (issue 15 item 4; Art. 4, 12) ------------------------------------------------

consultation_app = typer.Typer(help="Consultations between the Parties: request, answer, "
                                    "schedule, minutes, follow-up actions (Art. 4, 12).",
                               no_args_is_help=True)
workspace_app.add_typer(consultation_app, name="consultation")
ConsultationId = Annotated[str, typer.Argument(help="The consultation's id.")]


@consultation_app.command("request")
def consultation_request(ctx: typer.Context,
                         subject: Annotated[str, typer.Argument(help="Its subject.")], as_: As,
                         article: Annotated[list[int], typer.Option(
                             help="An article concerned (1-15); repeat for several.")],
                         invite: Annotated[list[str], typer.Option(
                             help="A Party invited (alpha-3); repeat for several.")]) -> None:
    """Request a consultation for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(consult.request_consultation(rt, who, subject=subject, articles=article,
                                            invited=invite))


@consultation_app.command("list")
def consultation_list(ctx: typer.Context, as_: As) -> None:
    """Consultations, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(consult.list_consultations(rt, who))


@consultation_app.command("show")
def consultation_show(ctx: typer.Context, consultation: ConsultationId, as_: As) -> None:
    """A consultation as of today: answers, schedule, minutes, actions (overdue flagged)."""
    rt, who = _acting(ctx, as_)
    print_json(consult.show_consultation(rt, who, consultation))


@consultation_app.command("answer")
def consultation_answer(ctx: typer.Context, consultation: ConsultationId, as_: As,
                        accept: Annotated[bool, typer.Option(
                            "--accept/--decline", help="Accept or decline.")] = True) -> None:
    """Accept or decline an invitation for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(consult.answer_invitation(rt, who, consultation, accept))


@consultation_app.command("schedule")
def consultation_schedule(ctx: typer.Context, consultation: ConsultationId, as_: As,
                          on: Annotated[str, typer.Option("--date", help="YYYY-MM-DD.")],
                          agenda: Annotated[list[str] | None, typer.Option(
                              help="An agenda item; repeat for several.")] = None,
                          place: Annotated[str, typer.Option(help="Where it is held.")] = "",
                          online: Annotated[bool, typer.Option(help="Held online.")] = False,
                          ) -> None:
    """Set the agenda, the date and the place or online (the requesting Party)."""
    rt, who = _acting(ctx, as_)
    print_json(consult.schedule_consultation(rt, who, consultation, held_on=_day(on, "date"),
                                             agenda=agenda or [], place=place, online=online))


@consultation_app.command("minutes")
def consultation_minutes(ctx: typer.Context, consultation: ConsultationId, as_: As,
                         text: Annotated[str, typer.Option("--text", help="The minutes.")],
                         present: Annotated[list[str], typer.Option(
                             help="A Party present; repeat for several.")],
                         decision: Annotated[list[str] | None, typer.Option(
                             help="A decision taken; repeat for several.")] = None) -> None:
    """Record the minutes, the Parties present and the decisions (the requesting Party)."""
    rt, who = _acting(ctx, as_)
    print_json(consult.record_minutes(rt, who, consultation, minutes=text, present=present,
                                      decisions=decision or []))


@consultation_app.command("add-action")
def consultation_add_action(ctx: typer.Context, consultation: ConsultationId,
                            description: Annotated[str, typer.Argument(help="What is to do.")],
                            as_: As,
                            owner: Annotated[str, typer.Option(help="The Party that owns it.")],
                            deadline: Annotated[str, typer.Option(help="YYYY-MM-DD.")]) -> None:
    """Add a follow-up action with its owner Party and deadline (a Party present)."""
    rt, who = _acting(ctx, as_)
    print_json(consult.add_action(rt, who, consultation, description=description, owner=owner,
                                  deadline=_day(deadline)))


@consultation_app.command("action-done")
def consultation_action_done(ctx: typer.Context, consultation: ConsultationId,
                             action: Annotated[str, typer.Argument(help="The action's id.")],
                             as_: As) -> None:
    """Mark a follow-up action done (its owner Party)."""
    rt, who = _acting(ctx, as_)
    print_json(consult.complete_action(rt, who, consultation, action))
