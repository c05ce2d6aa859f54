"""The depositary's record from the console: status, instruments, the ledger (Art. 8, 13-15)."""

from __future__ import annotations

import csv
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich import box
from rich.table import Table

from kelisim.cli.base import (
    LOCAL_OPERATOR,
    app,
    checked_lang,
    depositary_app,
    err,
    ledger_app,
    out,
    parse_day,
    print_json,
    read_json,
    runtime,
)
from kelisim.domain.errors import KelisimError
from kelisim.domain.treaty_terms import AGREEMENT_ID
from kelisim.services import depositary, ledger
from kelisim.services.runtime import Runtime
from kelisim.services.status import UNTC_COLUMNS, compute_status, status_json, untc_rows
from kelisim.services.treaties import compute_treaty_status, treaty_status_json


class StatusFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    UNTC = "untc"


@app.command()
def status(ctx: typer.Context,
           on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today).")] = None,
           json: Annotated[bool, typer.Option("--json", help="JSON, as the API gives.")] = False,
           format: Annotated[StatusFormat, typer.Option(help="table, json or untc.")] = (
               StatusFormat.TABLE),
           lang: Annotated[str, typer.Option(help="Names in kk, ru or en.")] = "en",
           treaty: Annotated[str | None, typer.Option(
               help="A protocol's id (`kelisim treaties`); default the Agreement.")] = None,
           ) -> None:
    """The Agreement's status and every state's on a date (Art. 13-15).

    With --treaty, a protocol's status instead (Art. 11): in force for a Party only while the
    Agreement is in force for it."""
    checked_lang(lang)
    rt = runtime(ctx)
    day = parse_day(on) if on else rt.clock().date()
    if treaty is not None and treaty != AGREEMENT_ID:
        _protocol_status(rt, treaty, day, lang, json or format is StatusFormat.JSON)
        return
    agreement_status, names = compute_status(rt, LOCAL_OPERATOR, day)
    if json or format is StatusFormat.JSON:
        print_json(status_json(agreement_status, names))
    elif format is StatusFormat.UNTC:
        writer = csv.writer(sys.stdout)
        writer.writerow(UNTC_COLUMNS)
        writer.writerows(untc_rows(agreement_status, names))
    else:
        _print_status_table(status_json(agreement_status, names), lang)


def _protocol_status(rt: Runtime, treaty: str, day: date, lang: str, as_json: bool) -> None:
    from kelisim.cli.treaties import print_treaty_status

    protocol_status, names = compute_treaty_status(rt, LOCAL_OPERATOR, treaty, day)
    body = treaty_status_json(protocol_status, names)
    if as_json:
        print_json(body)
    else:
        print_treaty_status(body, lang)


WIDE_STATUS = 120
"""Columns from which the status table also shows authorized bodies and flags inline."""


def _print_status_table(body: dict[str, Any], lang: str) -> None:
    """The status as a table fitted to the terminal, dates and codes never cut; on a narrow
    terminal (80 columns) the authorized bodies and flags follow the table, one line each."""
    agreement = body["agreement"]
    since = agreement["entry_into_force"] or "not yet"
    out.print(f"On {body['on']} the Agreement is "
              f"{'[green]in force[/green]' if agreement['in_force'] else '[red]not in force[/red]'}"
              f" (entry into force: {since}; notifications received: "
              f"{agreement['notifications_received']}).")
    wide = out.width >= WIDE_STATUS
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    for column in ("Party", "Name", "State", "In force", "Withdrawal"):
        table.add_column(column, no_wrap=column != "Name")
    if wide:
        table.add_column("Authorized bodies")
        table.add_column("Flags", no_wrap=True)
    below: dict[str, list[str]] = {"Authorized bodies": [], "Flags": []}
    for p in body["parties"]:
        names = [b["name"] for b in p["authorized_bodies"]]
        flags = [f"{f['code']} ({f['article']})" if f.get("article") else f["code"]
                 for f in p["flags"]]
        below["Authorized bodies"] += [f"{p['party']}  {name}" for name in names]
        below["Flags"] += [f"{p['party']}  {flag}" for flag in flags]
        row = [p["party"], p["names"].get(lang, ""), p["state"], p["in_force_from"] or "",
               p["withdrawal_effective"] or ""]
        if wide:
            row += ["; ".join(names), "\n".join(f["code"] for f in p["flags"])]
        table.add_row(*row)
    out.print(table)
    for title, lines in below.items():
        if lines and not wide:
            out.print(f"{title}:")
            for line in lines:
                out.print(f"  {line}", highlight=False, markup=False)


@depositary_app.command("import")
def import_entries(ctx: typer.Context,
                   file: Annotated[Path, typer.Argument(help="JSON list of entries, or "
                                                        "an object with an `entries` list.")],
                   ) -> None:
    """Record a whole history at once, all or nothing."""
    document = read_json(file)
    entries = document.get("entries") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise KelisimError(f"{file} must hold a list of entries, or an object with `entries`.")
    recorded = depositary.record_entries(runtime(ctx), LOCAL_OPERATOR, entries)
    flagged = sum(1 for r in recorded if r["flags"])
    out.print(f"Recorded {len(recorded)} entries (ids {recorded[0]['id']}-{recorded[-1]['id']}); "
              f"{flagged} flagged.")
    for entry in recorded:
        for flag in entry["flags"]:
            out.print(f"  entry {entry['id']}: {flag['code']} ({flag['article']})")


@depositary_app.command("record")
def record_entry(ctx: typer.Context,
                 entry: Annotated[str, typer.Argument(help="One entry as JSON, or - for stdin.")],
                 ) -> None:
    """Record one instrument, e.g. '{"kind": "signature", "party": "KAZ", "date": "2013-11-20"}'."""
    raw = sys.stdin.read() if entry == "-" else entry
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise KelisimError(f"The entry is not valid JSON: {error}.") from None
    print_json(depositary.record_entries(runtime(ctx), LOCAL_OPERATOR, [body])[0])


@depositary_app.command("entries")
def list_entries(ctx: typer.Context,
                 party: Annotated[str | None, typer.Option(help="Only this Party.")] = None,
                 ) -> None:
    """The ledger's entries as recorded (JSON)."""
    print_json(depositary.list_entries(runtime(ctx), LOCAL_OPERATOR,
                                        party.upper() if party else None))


@ledger_app.command("verify")
def verify(ctx: typer.Context,
           file: Annotated[Path | None, typer.Option(
               "--file", help="Verify an exported ledger instead of the database.")] = None,
           ) -> None:
    """Recompute the hash chain; exit 1 and name every break if anything was touched."""
    report = (ledger.verify_export(read_json(file)) if file
              else ledger.verify_ledger(runtime(ctx), LOCAL_OPERATOR))
    if report["ok"]:
        out.print(f"[green]OK[/green]: {report['entries']} entries, chain intact; head "
                  f"{report['head']['seq']} {report['head']['hash']}")
        return
    err.print(f"[red]TAMPERED[/red]: {len(report['problems'])} problem(s) in "
              f"{report['entries']} entries:")
    for problem in report["problems"]:  # one line each, whatever the terminal's width
        err.print(f"  - {problem}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)


@ledger_app.command("export")
def export(ctx: typer.Context,
           output: Annotated[Path | None, typer.Option("-o", "--output",
                                                       help="File (default stdout).")] = None,
           ) -> None:
    """Write the record with its chain, for `kelisim ledger verify --file` anywhere."""
    document = ledger.export_ledger(runtime(ctx), LOCAL_OPERATOR)
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    if output:
        output.write_bytes(data)
        out.print(f"Wrote {len(document['entries'])} entries to {output}")
    else:
        sys.stdout.write(data.decode() + "\n")


