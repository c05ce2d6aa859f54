"""`kelisim export suricata|csv|stix|misp`: what a sensor or another platform loads, as the
account whose token it is given (KELISIM_TOKEN; without one, what the depositary may read:
open information), only what that account may read (Art. 6), streamed to a file or stdout."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import LOCAL_OPERATOR, CliError, app, runtime
from kelisim.services import accounts
from kelisim.services.exchange.exports import FORMATS, ExportFilter, export_objects

export_app = typer.Typer(help="Exports for sensors and platforms: Suricata rules, CSV, a STIX "
                              "2.1 bundle, a MISP event (Art. 6: only what the account may "
                              "read).", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _run(ctx: typer.Context, fmt: str, collection: str | None, types: list[str] | None,
         producer: str | None, added_after: str | None, include_expired: bool,
         include_warned: bool, out: Path | None, token: str | None) -> None:
    rt = runtime(ctx)
    principal = accounts.authenticate(rt, token) if token else LOCAL_OPERATOR
    after = None
    if added_after:
        try:
            after = datetime.fromisoformat(added_after.replace("Z", "+00:00"))
        except ValueError:
            raise CliError(f"--added-after {added_after!r} is not a date or instant",
                           "give e.g. 2026-11-01 or 2026-11-01T00:00:00Z") from None
        if after.tzinfo is None:
            after = after.replace(tzinfo=UTC)
    done = export_objects(rt, principal, fmt, ExportFilter(
        collection=collection, types=tuple(types or ()), producer=producer,
        added_after=after, include_expired=include_expired, include_warned=include_warned))
    if out is None:
        for chunk in done.chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    with out.open("wb") as file:
        for chunk in done.chunks:
            file.write(chunk)


Collection = Annotated[str | None, typer.Option(
    help="Collection id or alias; default: every collection the account may read")]
Types = Annotated[list[str] | None, typer.Option(
    "--type", help="STIX object type; repeat. Default: indicator (stix: every type)")]
Producer = Annotated[str | None, typer.Option(help="Only this producer Party (ISO alpha-3)")]
AddedAfter = Annotated[str | None, typer.Option(
    help="Only objects added after this instant (TAXII added_after)")]
Expired = Annotated[bool, typer.Option("--include-expired",
                                     help="Keep expired and revoked indicators too")]
Warned = Annotated[bool, typer.Option(
    "--include-warned", help="Keep values the MISP warning lists name (public resolvers, top "
                             "sites, cloud ranges...); left out by default")]
Out = Annotated[Path | None, typer.Option(help="Write to this file; default: stdout")]
Token = Annotated[str | None, typer.Option(envvar="KELISIM_TOKEN",
                                           help="Act as this account (kls_...)")]


def _command(fmt: str, summary: str) -> None:
    def command(ctx: typer.Context, collection: Collection = None, types: Types = None,
                producer: Producer = None, added_after: AddedAfter = None,
                include_expired: Expired = False, include_warned: Warned = False,
                out: Out = None, token: Token = None) -> None:
        _run(ctx, fmt, collection, types, producer, added_after, include_expired,
             include_warned, out, token)

    command.__doc__ = summary
    export_app.command(fmt)(command)


_command("suricata", "Suricata rules from IP, domain and URL indicators (hashes need list "
                     "files and are counted, not exported); each rule's msg and metadata "
                     "carry its TLP.")
_command("csv", "One row per value: type, value, indicator id, producer Party, TLP, "
                "valid_until, lifecycle state.")
_command("stix", "A STIX 2.1 bundle of the objects as stored, with their marking definitions.")
_command("misp", "A MISP event (misp-stix), TLP tags on each attribute and on the event.")
assert set(FORMATS) == {"suricata", "csv", "stix", "misp"}
