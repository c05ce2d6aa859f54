"""`kelisim attack techniques|objects`: MITRE ATT&CK as kelisim ships it (offline, with its
version), and the objects that refer to a technique, as the account whose token is given
(KELISIM_TOKEN; without one, what the depositary may read: open information), only what that
account may read (Art. 6)."""

from __future__ import annotations

from typing import Annotated

import typer

from kelisim.cli.base import LOCAL_OPERATOR, app, print_json, runtime
from kelisim.services import accounts
from kelisim.services.exchange import attack

attack_app = typer.Typer(help="MITRE ATT&CK techniques and the objects referring to them.",
                         no_args_is_help=True)
app.add_typer(attack_app, name="attack")

Token = Annotated[str | None, typer.Option(envvar="KELISIM_TOKEN",
                                           help="Act as this account (kls_...)")]


@attack_app.command("techniques")
def techniques(tactic: Annotated[str | None, typer.Option(
                   help="Only this tactic: short name (initial-access) or id (TA0001)")] = None,
               search: Annotated[str | None, typer.Option(
                   help="Only techniques whose id or name contains this word")] = None,
               as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False
               ) -> None:
    """The ATT&CK techniques shipped with kelisim (revoked ones left out), with the data's
    version: id, name, tactics."""
    known, found = attack.techniques(tactic, search)
    if as_json:
        print_json({"version": known.version, "techniques": [
            {"id": t.id, "name": t.name, "tactics": list(t.tactics), "parent": t.parent}
            for t in found]})
        return
    lines = [f"MITRE ATT&CK: {known.version}"]
    lines += [f"{t.id}\t{t.name}\t{', '.join(t.tactics)}" for t in found]  # tab-separated
    typer.echo("\n".join(lines))


@attack_app.command("objects")
def objects(ctx: typer.Context,
            technique_id: Annotated[str, typer.Argument(help="A technique id, e.g. T1566")],
            limit: Annotated[int, typer.Option(help="Objects per page")] = 100,
            next_token: Annotated[str | None, typer.Option("--next",
                                                           help="A page's next token")] = None,
            token: Token = None) -> None:
    """The objects the account may read that refer to the technique (an external reference
    with source_name 'mitre-attack'); a keyset page as JSON."""
    rt = runtime(ctx)
    principal = accounts.authenticate(rt, token) if token else LOCAL_OPERATOR
    page = attack.objects_of(rt, principal, technique_id, limit=limit, next_token=next_token)
    print_json({"objects": [o._asdict() for o in page.objects], "more": page.more,
                "next": page.next})
