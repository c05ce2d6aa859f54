"""The command line's shared parts: the Typer apps, global options and small helpers.

Commands act on the data folder (or KELISIM_DATABASE_URL) directly as its local operator, the
way an administrator at the depositary's console would; the HTTP API is for everyone else.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from kelisim.config import Settings
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import KelisimError
from kelisim.services.runtime import Runtime, build_runtime

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


@app.callback()
def main_options(ctx: typer.Context, data_dir: DataDir = None,
                 database_url: DatabaseUrl = None) -> None:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    ctx.obj = Settings(**overrides)


def runtime(ctx: typer.Context) -> Runtime:
    """One runtime per command, its connections closed when the command ends."""
    root = ctx.find_root()
    runtime = root.meta.get("kelisim.runtime")
    if runtime is None:
        runtime = root.meta["kelisim.runtime"] = build_runtime(ctx.obj)
        root.call_on_close(runtime.close)
    return runtime


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise KelisimError(f"--on must be a date as YYYY-MM-DD, not {raw!r}.") from None


def read_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise KelisimError(f"No such file: {path}.") from None
    except orjson.JSONDecodeError as error:
        raise KelisimError(f"{path} is not valid JSON: {error}.") from None


