"""`kelisim workspace dispute ...`: disputes between the Parties from the console (issue 15
item 5; Art. 12). As for consultations, each command names the account it acts as (`--as`), and
reads show what that account may see (`domain.access.dispute_view`)."""

from __future__ import annotations

from typing import Annotated

import typer

from kelisim.cli.base import print_json
from kelisim.cli.workspace import As, _acting, _day, workspace_app
from kelisim.services.workspace import disputes

dispute_app = typer.Typer(help="Disputes on the application or interpretation of the "
                               "Agreement: open, log, share, settle (Art. 12).",
                          no_args_is_help=True)
workspace_app.add_typer(dispute_app, name="dispute")
DisputeId = Annotated[str, typer.Argument(help="The dispute's id.")]
Means = Annotated[str, typer.Option(help="consultations or negotiations.")]


@dispute_app.command("open")
def dispute_open(ctx: typer.Context, subject: Annotated[str, typer.Argument(help="Its subject.")],
                 as_: As,
                 article: Annotated[list[int], typer.Option(
                     help="An article in dispute (1-15); repeat for several.")],
                 concerned: Annotated[list[str], typer.Option(
                     help="Another Party concerned (alpha-3); repeat for several.")],
                 matter: Annotated[str, typer.Option(
                     help="application or interpretation.")] = "interpretation") -> None:
    """Open a dispute for the acting account's Party with the other Parties concerned."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.open_dispute(rt, who, subject=subject, matter=matter, articles=article,
                                     concerned=concerned))


@dispute_app.command("list")
def dispute_list(ctx: typer.Context, as_: As) -> None:
    """The disputes the acting account may see, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.list_disputes(rt, who))


@dispute_app.command("show")
def dispute_show(ctx: typer.Context, dispute: DisputeId, as_: As) -> None:
    """A dispute as the acting account may see it (all of it for the Parties concerned)."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.show_dispute(rt, who, dispute))


@dispute_app.command("history")
def dispute_history(ctx: typer.Context, dispute: DisputeId, as_: As) -> None:
    """Every event of a dispute (the Parties concerned only)."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.dispute_history(rt, who, dispute))


@dispute_app.command("log")
def dispute_log(ctx: typer.Context, dispute: DisputeId,
                summary: Annotated[str, typer.Argument(help="What was discussed or agreed.")],
                as_: As, means: Means,
                held_on: Annotated[str, typer.Option("--held-on", help="YYYY-MM-DD.")],
                consultation: Annotated[str | None, typer.Option(
                    help="The workspace consultation it was held in.")] = None) -> None:
    """Log consultations or negotiations held (a Party concerned)."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.log_negotiation(rt, who, dispute, means=means,
                                        held_on=_day(held_on, "held-on"), summary=summary,
                                        consultation_id=consultation))


@dispute_app.command("share")
def dispute_share(ctx: typer.Context, dispute: DisputeId, as_: As) -> None:
    """Consent, for the acting account's Party, to share the subject and outcome."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.consent_to_share(rt, who, dispute))


@dispute_app.command("settle")
def dispute_settle(ctx: typer.Context, dispute: DisputeId,
                   text: Annotated[str, typer.Argument(help="The outcome agreed.")],
                   as_: As, means: Means) -> None:
    """Record how the dispute was settled; closes it (a Party concerned)."""
    rt, who = _acting(ctx, as_)
    print_json(disputes.record_outcome(rt, who, dispute, means=means, text=text))
