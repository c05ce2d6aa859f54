"""`kelisim backup FILE` and `kelisim restore FILE`: the SQLite store copied while the server
runs, and put back with every hash chain verified. PostgreSQL stores use PostgreSQL's tools."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import (
    ANY_REVISION,
    INITIALIZING,
    LOCAL_OPERATOR,
    CliError,
    app,
    err,
    out,
    runtime,
    supported_url,
)
from kelisim.config import Settings
from kelisim.services.chains import verify_chains
from kelisim.services.runtime import Runtime
from kelisim.storage import backup as sqlite_backup
from kelisim.storage.database import upgrade

PG_DUMP = ("pg_dump --format=custom --file FILE \"$URL\"", "pg_restore --clean --if-exists "
           "--no-owner --dbname \"$URL\" FILE")
"""What the README's "Backups" section gives for PostgreSQL ($URL without `+psycopg`)."""


def _sqlite_store(ctx: typer.Context, verb: str) -> Path:
    settings: Settings = ctx.obj
    url = supported_url(settings)
    if url.get_backend_name() != "sqlite" or not url.database:
        command = PG_DUMP[0] if verb == "backup" else PG_DUMP[1]
        raise CliError(f"kelisim {verb} copies the embedded SQLite store, and this store is "
                       "PostgreSQL", f"use `{command}` (README, Backups)")
    return Path(url.database)


@app.command()
def backup(ctx: typer.Context,
           file: Annotated[Path, typer.Argument(help="The backup to write (a SQLite file).")],
           force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]
           = False) -> None:
    """Copy the store consistently while the server runs (SQLite's online backup API)."""
    store = _sqlite_store(ctx, "backup")
    runtime(ctx, ANY_REVISION)  # the store exists (at any migration: back up, then upgrade)
    if file.exists() and not force:
        raise CliError(f"{file} exists", "choose another FILE, or add --force to replace it")
    if file.resolve() == store.resolve():
        raise CliError(f"{file} is the store itself", "choose a FILE outside the store")
    try:
        size = sqlite_backup.back_up(store, file)
    except OSError as error:
        raise CliError(f"cannot write {file}: {error.strerror or error}",
                       "choose a FILE in a folder you may write") from None
    out.print(f"Backed up {store} to {file} ({size:,} bytes, mode 0600); restore it with "
              f"`kelisim restore {file}`.")


@app.command()
def restore(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(help="A file `kelisim backup` wrote.")],
            force: Annotated[bool, typer.Option(
                "--force", help="Replace a store that is not empty (stop its server first).")]
            = False) -> None:
    """Put a backup in place of the store, migrate it, and verify every hash chain."""
    store = _sqlite_store(ctx, "restore")
    if not file.is_file():
        raise CliError(f"no such backup: {file}", "give the FILE `kelisim backup` wrote")
    try:
        held = sqlite_backup.tables(store)
    except sqlite3.DatabaseError:
        held = ["(unreadable content)"]
    if held and not force:
        raise CliError(f"the store {store} is not empty",
                       "restore into a new --data-dir, or add --force to replace it (stop its "
                       "server first; `kelisim backup` it if in doubt)")
    try:
        sqlite_backup.restore(file, store)
    except sqlite_backup.NotABackup as error:
        raise CliError(str(error), "give a FILE `kelisim backup` wrote") from None
    except OSError as error:
        raise CliError(f"cannot write the store {store}: {error.strerror or error}",
                       "choose a data folder you may write with --data-dir") from None
    rt = runtime(ctx, INITIALIZING)
    upgrade(rt.uow.engine)
    out.print(f"Restored {file} into {store}.")
    report_chains(rt, "restore an earlier backup")


def report_chains(rt: Runtime, remedy: str) -> None:
    """Print each chain's verdict; exit 1 with one line if any does not verify."""
    failed = []
    for command, report in verify_chains(rt, LOCAL_OPERATOR).items():
        if report["ok"]:
            out.print(f"  [green]OK[/green] {command}: {report['entries']} entries, head "
                      f"{report['head']['seq']}")
            continue
        failed.append(f"`kelisim {command}`")
        err.print(f"  [red]FAILED[/red] {command}: {'; '.join(report['problems'])}",
                  highlight=False)
    if failed:
        err.print(f"error: {len(failed)} chain(s) do not verify ({', '.join(failed)} names "
                  f"each break) — {remedy}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
