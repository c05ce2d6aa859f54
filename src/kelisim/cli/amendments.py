"""Proposals of amendments to the Agreement (Art. 11) from the console, acting as a named
account: `kelisim workspace amendment propose FILE --as ...`, discuss, consent, withdraw."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import print_json, read_json
from kelisim.cli.gatherings import _text
from kelisim.cli.workspace import As, _acting, workspace_app
from kelisim.domain.errors import InvalidInput
from kelisim.services.workspace import amendments

amendment_app = typer.Typer(help="Proposals of amendments and additions to the Agreement "
                                 "(Art. 11): propose, discuss, consent, withdraw.",
                            no_args_is_help=True)
workspace_app.add_typer(amendment_app, name="amendment")
ProposalId = Annotated[str, typer.Argument(help="The proposal's id.")]


@amendment_app.command("propose")
def propose(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(help="JSON: {titles: {kk, ru, en}, "
                                                 "amendments: [...], note}")],
            as_: As) -> None:
    """Propose amendments for the acting account's Party (the amendments as the depositary's
    protocol entry writes them)."""
    document = read_json(file)
    if not isinstance(document, dict):
        raise InvalidInput(f"{file} must hold an object with titles and amendments.",
                           field="file")
    rt, who = _acting(ctx, as_)
    print_json(amendments.propose(rt, who, titles=document.get("titles"),
                                  amendments=document.get("amendments"),
                                  note=str(document.get("note", ""))))


@amendment_app.command("list")
def list_proposals(ctx: typer.Context, as_: As) -> None:
    """Every proposal of amendments, newest first, with the consents awaited."""
    rt, who = _acting(ctx, as_)
    print_json(amendments.list_proposals(rt, who))


@amendment_app.command("discuss")
def discuss(ctx: typer.Context, proposal: ProposalId, as_: As,
            text: Annotated[str, typer.Option(help="The remark (or @FILE)")]) -> None:
    """Add the acting account's Party's remark to a proposal."""
    rt, who = _acting(ctx, as_)
    print_json(amendments.discuss(rt, who, proposal, _text(text)))


@amendment_app.command("consent")
def consent(ctx: typer.Context, proposal: ProposalId, as_: As) -> None:
    """Record the acting account's Party's consent (Art. 11: mutual consent)."""
    rt, who = _acting(ctx, as_)
    print_json(amendments.consent(rt, who, proposal))


@amendment_app.command("withdraw")
def withdraw(ctx: typer.Context, proposal: ProposalId, as_: As,
             reason: Annotated[str, typer.Option(help="Why")]) -> None:
    """Withdraw a proposal (the proposing Party)."""
    rt, who = _acting(ctx, as_)
    print_json(amendments.withdraw(rt, who, proposal, reason))
