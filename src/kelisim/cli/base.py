"""The command line's shared parts: the Typer apps, global options and small helpers.

Commands act on the data folder (or KELISIM_DATABASE_URL) directly as its local operator, the
way an administrator at the depositary's console would; the HTTP API is for everyone else.
"""

from __future__ import annotations

import errno
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from alembic.util.exc import CommandError as AlembicCommandError
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from typer.core import TyperOption

from kelisim import __version__
from kelisim.config import Settings
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.agreement_text import LANGUAGES
from kelisim.domain.errors import KelisimError, NotFound
from kelisim.services.runtime import Runtime, build_runtime

app = typer.Typer(help="kelisim: the 2013 CIS Agreement on cooperation in ensuring information "
                       "security, put to work.", no_args_is_help=True,
                  pretty_exceptions_enable=False, context_settings={"show_default": True})
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

_display_type_rich = TyperOption.display_type_rich


def _flag_takes_no_value(self: TyperOption, ctx: Any) -> str | None:
    """Typer's rich help shows `<bool>` beside a flag as if it took a value; a flag shows none."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_takes_no_value  # type: ignore[method-assign]


class CliError(Exception):
    """A first mistake at the console: what went wrong and how to fix it, in one line."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} — {fix}")
        self.what = what
        self.fix = fix


FIX_BY_FIELD = {"account": "`kelisim accounts list` shows every account and its id"}
"""How to fix a NotFound at the console, by the field it names."""


def error_line(error: BaseException) -> str | None:
    """The one line `kelisim` prints for an exception it knows, or None to let it propagate."""
    if isinstance(error, CliError):
        return f"error: {error}"
    if isinstance(error, KelisimError):
        article = f" ({error.article})" if error.article else ""
        hint = FIX_BY_FIELD.get(error.details.get("field", "")) if isinstance(
            error, NotFound) else None
        return f"error: {error.reason}{article}" + (f" — {hint}" if hint else "")
    if isinstance(error, AlembicCommandError):  # e.g. a store migrated by a newer kelisim
        return (f"error: the migrations cannot proceed: {error} — install the kelisim that "
                "last migrated this store, or restore a backup it can read")
    if isinstance(error, sa_exc.OperationalError):  # the database went away mid-command
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return (f"error: the database refused the command: {first} — check that it is "
                "running and reachable, then try again")
    return None


def checked_lang(lang: str) -> str:
    """One of the Agreement's languages, or a one-line refusal naming them."""
    if lang not in LANGUAGES:
        raise CliError(f"{lang!r} is not one of kelisim's languages", "use --lang kk, ru or en")
    return lang


def _print_version(value: bool) -> None:
    if value:
        print(f"kelisim {__version__}")
        raise typer.Exit()


DEFAULT_DATA_DIR: Path = Settings.model_fields["data_dir"].default
DataDir = Annotated[Path, typer.Option(
    "--data-dir", envvar="KELISIM_DATA_DIR",
    help="Data folder (SQLite database), from the current folder.")]
DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", envvar="KELISIM_DATABASE_URL", help="SQLAlchemy URL, e.g. PostgreSQL.")]
Version = Annotated[bool, typer.Option("--version", is_eager=True, callback=_print_version,
                                       help="Print the version and exit.")]


_DATA_DIR_FROM = {"COMMANDLINE": "--data-dir", "ENVIRONMENT": "KELISIM_DATA_DIR"}
"""Where the data folder came from (by the name of click's ParameterSource)."""


@app.callback()
def main_options(ctx: typer.Context, data_dir: DataDir = DEFAULT_DATA_DIR,
                 database_url: DatabaseUrl = None, version: Version = False) -> None:
    overrides: dict[str, Any] = {"data_dir": data_dir}
    if database_url is not None:
        overrides["database_url"] = database_url
    try:
        ctx.obj = Settings(**overrides)
    except ValidationError as error:
        problem = error.errors()[0]
        name = "KELISIM_" + "_".join(str(part) for part in problem["loc"]).upper()
        raise CliError(f"{name}: {problem['msg']}", f"fix or unset {name}") from None
    source = ctx.get_parameter_source("data_dir")
    ctx.meta["kelisim.data_dir_from"] = _DATA_DIR_FROM.get(
        source.name if source else "", "the default, in the current folder")


INITIALIZING = "create"
"""`runtime(ctx, INITIALIZING)`: the command may create the data folder and the schema."""
ANY_REVISION = "any revision"
"""`runtime(ctx, ANY_REVISION)`: an initialized store at any migration (`db downgrade`)."""


def runtime(ctx: typer.Context, store: str = "current") -> Runtime:
    """One runtime per command, its connections closed when the command ends.

    Unless the command initializes (`init`, `up`, `db upgrade`, `restore`), the store must
    already exist and be migrated: nothing is created by a command that only reads or records.
    """
    root = ctx.find_root()
    runtime = root.meta.get("kelisim.runtime")
    if runtime is None:
        settings: Settings = ctx.obj
        url = supported_url(settings)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            _check_sqlite_store(Path(url.database), root.meta.get("kelisim.data_dir_from", ""),
                                settings, create=store == INITIALIZING)
        runtime = build_runtime(settings)
        root.call_on_close(runtime.close)
        _probe(runtime, url, store)
        root.meta["kelisim.runtime"] = runtime
    return runtime


def supported_url(settings: Settings) -> URL:
    """The store's URL, refused in one line unless kelisim can speak to it."""
    raw = settings.effective_database_url
    try:
        url = make_url(raw)
    except sa_exc.ArgumentError:
        raise CliError("the database URL cannot be read",
                       "write it as postgresql+psycopg://user:password@host:5432/dbname in "
                       "--database-url or KELISIM_DATABASE_URL") from None
    backend, driver = url.get_backend_name(), url.drivername.partition("+")[2]
    if backend == "postgresql" and driver not in ("", "psycopg"):
        raise CliError(f"the PostgreSQL driver {driver!r} is not supported",
                       "use postgresql+psycopg://... (psycopg 3, installed with kelisim)")
    if backend not in ("postgresql", "sqlite") or (backend == "sqlite" and driver
                                                     not in ("", "pysqlite")):
        raise CliError(f"kelisim cannot store in {url.drivername!r}",
                       "use postgresql+psycopg://... or leave --database-url unset for SQLite "
                       "in the data folder")
    return url


def _check_sqlite_store(db_file: Path, data_dir_from: str, settings: Settings, *,
                        create: bool) -> None:
    folder = db_file.parent
    if create:
        if folder.is_dir():
            return
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as error:
            raise CliError(f"cannot create the data folder {folder}: "
                           f"{error.strerror or error}",
                           "choose a folder you may write with --data-dir or "
                           "KELISIM_DATA_DIR") from None
        return
    if not db_file.is_file():
        where = (f"data folder {folder.resolve()} (from {data_dir_from})"
                 if not settings.database_url else f"SQLite file {db_file}")
        raise CliError(f"no kelisim store in the {where}",
                       "run `kelisim init` to create one, or point --data-dir or "
                       "KELISIM_DATA_DIR at an initialized folder")


def _probe(rt: Runtime, url: URL, store: str) -> None:
    """Connect once, turning what a first start gets wrong into one line."""
    from kelisim.storage.database import current_revision, head_revision, shipped_revisions

    where = url.render_as_string(hide_password=True)
    try:
        with rt.uow.engine.connect() as conn:
            initialized = inspect(conn).has_table("alembic_version")
            revision = current_revision(conn) if initialized else None
    except sa_exc.OperationalError as error:
        raise _connection_error(error, url) from None
    if store == INITIALIZING:
        return
    if revision is None:
        raise CliError(f"{where} holds no kelisim store",
                       "run `kelisim init` (or `kelisim up`) on it first")
    if revision not in shipped_revisions(rt.uow.engine):
        raise CliError(f"the store is at migration {revision}, which this kelisim does not "
                       "know (a newer kelisim migrated it)", "install that kelisim, or "
                       "restore a backup taken before its upgrade")
    head = head_revision(rt.uow.engine)
    if store != ANY_REVISION and revision != head:
        raise CliError(f"the store is at migration {revision}, this kelisim needs {head}",
                       "run `kelisim db upgrade` (back it up first: `kelisim backup FILE`)")


def _connection_error(error: sa_exc.OperationalError, url: URL) -> CliError:
    text = str(error.orig or error)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    setting = "fix --database-url or KELISIM_DATABASE_URL"
    if url.get_backend_name() == "sqlite":
        return CliError(f"cannot open {url.database}: {text.splitlines()[0]}",
                        "choose a data folder you may write with --data-dir or "
                        "KELISIM_DATA_DIR")
    if "does not exist" in text and "database" in text:
        return CliError(f"the database {url.database!r} does not exist on {where}",
                        f"create it (createdb {url.database}) or {setting}")
    if "password authentication failed" in text or "no password supplied" in text:
        return CliError(f"PostgreSQL at {where} refused the user {url.username!r}'s "
                        "credentials", f"{setting} with the right user and password")
    if "refused" in text or "could not" in text or "timeout" in text or "resolve" in text:
        return CliError(f"nothing answers at {where} (PostgreSQL)",
                        f"start PostgreSQL there, or {setting}")
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return CliError(f"cannot connect to PostgreSQL at {where}: {first}", setting)


def ensure_port_free(host: str, port: int) -> None:
    """Refuse in one line, before anything is created, a port another program listens on."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise CliError(f"cannot listen on {host!r}: {error.strerror}",
                       "give an address of this machine with --host or KELISIM_HOST") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CliError(f"port {port} on {host} is already in use",
                               "stop what listens there, or choose another port with "
                               "--port or KELISIM_PORT") from None
            raise CliError(f"cannot listen on {host}:{port}: {error.strerror}",
                           "choose another --host/--port (KELISIM_HOST, KELISIM_PORT)") from None


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


