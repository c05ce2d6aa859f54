"""The command line: `kelisim up` first, then the depositary's, ledger and account commands.

Commands act on the data folder (or KELISIM_DATABASE_URL) directly as its local operator, the
way an administrator at the depositary's console would; the HTTP API is for everyone else.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from kelisim.config import Settings
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import KelisimError
from kelisim.services import accounts as accounts_service
from kelisim.services import depositary, ledger, reference
from kelisim.services.bootstrap import initialize
from kelisim.services.runtime import Runtime, build_runtime
from kelisim.services.status import UNTC_COLUMNS, compute_status, status_json, untc_rows

app = typer.Typer(help="kelisim: the 2013 CIS Agreement on cooperation in ensuring information "
                       "security, put to work.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
depositary_app = typer.Typer(help="The depositary's record (Art. 8, 13-15).",
                             no_args_is_help=True)
ledger_app = typer.Typer(help="Prove the depositary's record untouched.", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts and their tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(depositary_app, name="depositary")
app.add_typer(ledger_app, name="ledger")
app.add_typer(accounts_app, name="accounts")
app.add_typer(db_app, name="db")

out = Console()
err = Console(stderr=True)

LOCAL_OPERATOR = Principal(account_id=0, name="local operator (CLI)", role=Role.DEPOSITARY,
                           organization_kind=OrganizationKind.DEPOSITARY, party=None)

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", envvar="KELISIM_DATA_DIR", help="Data folder (SQLite database).")]
DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", envvar="KELISIM_DATABASE_URL", help="SQLAlchemy URL, e.g. PostgreSQL.")]


class StatusFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    UNTC = "untc"


@app.callback()
def main_options(ctx: typer.Context, data_dir: DataDir = None,
                 database_url: DatabaseUrl = None) -> None:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    ctx.obj = Settings(**overrides)


def _runtime(ctx: typer.Context) -> Runtime:
    """One runtime per command, its connections closed when the command ends."""
    root = ctx.find_root()
    runtime = root.meta.get("kelisim.runtime")
    if runtime is None:
        runtime = root.meta["kelisim.runtime"] = build_runtime(ctx.obj)
        root.call_on_close(runtime.close)
    return runtime


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


@app.command()
def up(ctx: typer.Context,
       host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
       port: Annotated[int | None, typer.Option(help="Listen port.")] = None) -> None:
    """Create or reuse the data folder, load the Agreement, print the first token once, serve."""
    import uvicorn

    from kelisim.web.app import create_app

    settings: Settings = ctx.obj
    if host:
        settings.host = host
    if port:
        settings.port = port
    rt = _runtime(ctx)
    admin = initialize(rt)
    out.print(f"kelisim data: [bold]{settings.data_dir.resolve()}[/bold]"
              if not settings.database_url else "kelisim database: PostgreSQL/other URL")
    if admin:
        out.print("[bold green]First administrator created[/bold green] (depositary). "
                  "Its token is shown this once; keep it:")
        print(admin["token"], flush=True)
    base = f"http://{settings.host}:{settings.port}"
    out.print(f"Serving on {base}  (API docs: {base}/api/docs)")
    uvicorn.run(create_app(runtime=rt), host=settings.host, port=settings.port,
                log_level="info", server_header=False)


@app.command()
def init(ctx: typer.Context) -> None:
    """Like `up` without serving: migrate, load the Agreement, print a first token if new."""
    admin = initialize(_runtime(ctx))
    if admin:
        out.print("First administrator created; its token (shown once):")
        print(admin["token"], flush=True)
    else:
        out.print("Already initialized; nothing lost, nothing duplicated.")


@app.command()
def status(ctx: typer.Context,
           on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today).")] = None,
           json: Annotated[bool, typer.Option("--json", help="JSON, as the API gives.")] = False,
           format: Annotated[StatusFormat, typer.Option(help="table, json or untc.")] = (
               StatusFormat.TABLE),
           lang: Annotated[str, typer.Option(help="Names in kk, ru or en.")] = "en") -> None:
    """The Agreement's status and every state's on a date (Art. 13-15)."""
    rt = _runtime(ctx)
    day = _parse_day(on) if on else rt.clock().date()
    agreement_status, names = compute_status(rt, LOCAL_OPERATOR, day)
    if json or format is StatusFormat.JSON:
        _print_json(status_json(agreement_status, names))
    elif format is StatusFormat.UNTC:
        writer = csv.writer(sys.stdout)
        writer.writerow(UNTC_COLUMNS)
        writer.writerows(untc_rows(agreement_status, names))
    else:
        _print_status_table(status_json(agreement_status, names), lang)


def _print_status_table(body: dict[str, Any], lang: str) -> None:
    agreement = body["agreement"]
    since = agreement["entry_into_force"] or "not yet"
    out.print(f"On {body['on']} the Agreement is "
              f"{'[green]in force[/green]' if agreement['in_force'] else '[red]not in force[/red]'}"
              f" (entry into force: {since}; notifications received: "
              f"{agreement['notifications_received']}).")
    table = Table("Party", "Name", "State", "In force from", "Withdrawal", "Authorized bodies",
                  "Flags")
    for p in body["parties"]:
        table.add_row(p["party"], p["names"].get(lang, ""), p["state"], p["in_force_from"] or "",
                      p["withdrawal_effective"] or "",
                      "; ".join(b["name"] for b in p["authorized_bodies"]),
                      ", ".join(f["code"] for f in p["flags"]))
    out.print(table)


@depositary_app.command("import")
def import_entries(ctx: typer.Context,
                   file: Annotated[Path, typer.Argument(help="JSON list of entries, or "
                                                        "an object with an `entries` list.")],
                   ) -> None:
    """Record a whole history at once, all or nothing."""
    document = _read_json(file)
    entries = document.get("entries") if isinstance(document, dict) else document
    recorded = depositary.record_entries(_runtime(ctx), LOCAL_OPERATOR, entries)
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
    _print_json(depositary.record_entries(_runtime(ctx), LOCAL_OPERATOR, [body])[0])


@depositary_app.command("entries")
def list_entries(ctx: typer.Context,
                 party: Annotated[str | None, typer.Option(help="Only this Party.")] = None,
                 ) -> None:
    """The ledger's entries as recorded (JSON)."""
    _print_json(depositary.list_entries(_runtime(ctx), LOCAL_OPERATOR,
                                        party.upper() if party else None))


@ledger_app.command("verify")
def verify(ctx: typer.Context,
           file: Annotated[Path | None, typer.Option(
               "--file", help="Verify an exported ledger instead of the database.")] = None,
           ) -> None:
    """Recompute the hash chain; exit 1 and name every break if anything was touched."""
    report = (ledger.verify_export(_read_json(file)) if file
              else ledger.verify_ledger(_runtime(ctx), LOCAL_OPERATOR))
    if report["ok"]:
        out.print(f"[green]OK[/green]: {report['entries']} entries, chain intact; head "
                  f"{report['head']['seq']} {report['head']['hash']}")
        return
    err.print(f"[red]TAMPERED[/red]: {len(report['problems'])} problem(s) in "
              f"{report['entries']} entries:")
    for problem in report["problems"]:
        err.print(f"  - {problem}")
    raise typer.Exit(1)


@ledger_app.command("export")
def export(ctx: typer.Context,
           output: Annotated[Path | None, typer.Option("-o", "--output",
                                                       help="File (default stdout).")] = None,
           ) -> None:
    """Write the record with its chain, for `kelisim ledger verify --file` anywhere."""
    document = ledger.export_ledger(_runtime(ctx), LOCAL_OPERATOR)
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    if output:
        output.write_bytes(data)
        out.print(f"Wrote {len(document['entries'])} entries to {output}")
    else:
        sys.stdout.write(data.decode() + "\n")


@app.command()
def glossary(ctx: typer.Context,
             lang: Annotated[str | None, typer.Option(help="Only kk, ru or en.")] = None,
             json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The Art. 2 terms in Kazakh, Russian and English."""
    terms = reference.get_glossary(_runtime(ctx), None)
    if json:
        _print_json(terms)
        return
    langs = [lang] if lang else ["kk", "ru", "en"]
    table = Table("key", *langs, show_lines=True)
    for term in terms:
        table.add_row(term["key"], *(f"[bold]{term[x]['term']}[/bold]\n{term[x]['definition']}"
                                     for x in langs))
    out.print(table)


@accounts_app.command("add")
def add_account(ctx: typer.Context,
                name: Annotated[str, typer.Argument(help="Person or system name.")],
                role: Annotated[str, typer.Option(help="depositary, party-admin, analyst, "
                                                  "reader or certifier.")],
                kind: Annotated[str, typer.Option(help="depositary, authorized_body or "
                                                  "certification_body.")] = "authorized_body",
                party: Annotated[str | None, typer.Option(help="ISO alpha-3 of the Party.")] = None,
                organization: Annotated[str | None, typer.Option(help="Body's name.")] = None,
                ) -> None:
    """Create an account and print its token (shown once, stored only hashed)."""
    account = accounts_service.create_account(
        _runtime(ctx), None, name=name, role=role, organization_kind=kind, party=party,
        organization=organization)
    out.print(f"Account {account['id']} ({account['role']}, {account['party'] or 'depositary'}); "
              "token (shown once):")
    print(account["token"], flush=True)


@accounts_app.command("list")
def list_accounts(ctx: typer.Context) -> None:
    """Accounts (never their tokens)."""
    _print_json(accounts_service.list_accounts(_runtime(ctx), None))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default head)."""
    from kelisim.storage.database import upgrade

    upgrade(_runtime(ctx).uow.engine, revision)
    out.print(f"Database at {revision}.")


@db_app.command("downgrade")
def db_downgrade(ctx: typer.Context, revision: str) -> None:
    """Undo migrations down to REVISION (`base` removes everything)."""
    from kelisim.storage.database import downgrade

    downgrade(_runtime(ctx).uow.engine, revision)
    out.print(f"Database at {revision}.")


def _parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise KelisimError(f"--on must be a date as YYYY-MM-DD, not {raw!r}.") from None


def _read_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise KelisimError(f"No such file: {path}.") from None
    except orjson.JSONDecodeError as error:
        raise KelisimError(f"{path} is not valid JSON: {error}.") from None


def main() -> None:
    """Entry point: run the app, turning refusals into one line on stderr and exit status 1."""
    try:
        app()
    except KelisimError as error:
        article = f" ({error.article})" if error.article else ""
        err.print(f"error: {error.reason}{article}", highlight=False, markup=False)
        sys.exit(1)
