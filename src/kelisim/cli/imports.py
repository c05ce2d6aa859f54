"""`kelisim import misp FILE --collection KEY`: a MISP event (as MISP exports it) converted by
misp-stix, marked by kelisim's mapping of MISP distribution and TLP tags (decision 0021), and
posted through the normal intake as the account whose token is given (KELISIM_TOKEN): only an
authorized body's analyst or party-admin writes to the exchange (Art. 6, 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import CliError, app, out, print_json, runtime
from kelisim.services import accounts
from kelisim.services.exchange.misp_import import import_misp

import_app = typer.Typer(help="Imports from other platforms into the exchange (Art. 6: as the "
                              "account, through the normal intake).", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("misp")
def misp(ctx: typer.Context,
         file: Annotated[Path, typer.Argument(help="A MISP event as JSON ({\"Event\": ...}, a "
                                                   "bare event, or a list of them); - for "
                                                   "stdin")],
         collection: Annotated[str, typer.Option(help="Collection id or alias")],
         recipient: Annotated[list[str] | None, typer.Option(
             help="A Party (alpha-3) that may read AMBER/RED objects whose MISP distribution "
                  "names no sharing group; repeat. Default: the producing Party only")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON, as the API answers")
                            ] = False,
         token: Annotated[str | None, typer.Option(envvar="KELISIM_TOKEN",
                                                   help="Act as this account (kls_...)")
                          ] = None) -> None:
    """Convert a MISP event with misp-stix and post it; print the TAXII status and the report
    of what was not mapped (tags, unknown values, attributes and galaxies misp-stix left out,
    sharing-group organisations without a Party)."""
    if not token:
        raise CliError("an import posts as an account", "give --token or KELISIM_TOKEN of an "
                                                        "authorized body's analyst")
    if str(file) == "-":
        body = typer.get_binary_stream("stdin").read()
    else:
        try:
            body = file.read_bytes()
        except OSError as error:
            raise CliError(f"cannot read {file}: {error.strerror}",
                           "give the path of a MISP event exported as JSON") from None
    rt = runtime(ctx)
    done = import_misp(rt, accounts.authenticate(rt, token), collection, body, recipient or ())
    if as_json:
        print_json(done)
        return
    status = done["status"]
    out.print(f"status {status['id']}: {status['success_count']} of {status['total_count']} "
              f"objects stored, {status['failure_count']} failed "
              f"({done['events']} MISP event(s))", highlight=False, markup=False, soft_wrap=True)
    for failure in status.get("failures", []):
        out.print(f"failed  {failure.get('id')}  {failure.get('message', '')}",
                  highlight=False, markup=False, soft_wrap=True)
    for finding in done["report"]:
        out.print(f"not mapped  {finding['where']}  {finding['kind']}  {finding['item']}: "
                  f"{finding['reason']}", highlight=False, markup=False, soft_wrap=True)
