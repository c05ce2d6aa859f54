"""`kelisim up`, `init`, `glossary` and the database migrations."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
from rich.table import Table

from kelisim.cli.base import (
    ANY_REVISION,
    INITIALIZING,
    app,
    checked_lang,
    db_app,
    ensure_port_free,
    out,
    print_json,
    runtime,
)
from kelisim.config import Settings
from kelisim.services import reference
from kelisim.services.bootstrap import initialize


@app.command()
def up(ctx: typer.Context,
       host: Annotated[str, typer.Option(envvar="KELISIM_HOST", help="Listen address.")] = (
           Settings.model_fields["host"].default),
       port: Annotated[int, typer.Option(envvar="KELISIM_PORT", help="Listen port.")] = (
           Settings.model_fields["port"].default),
       workers: Annotated[int | None, typer.Option(
           min=1, help="Server processes on this port (KELISIM_WORKERS).")] = None,
       proxy_headers: Annotated[bool | None, typer.Option(
           "--proxy-headers/--no-proxy-headers",
           help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips "
                "(default: off).")] = None,
       forwarded_allow_ips: Annotated[str | None, typer.Option(
           help="Proxies trusted by --proxy-headers, comma-separated.")] = None) -> None:
    """Create or reuse the data folder, load the Agreement, print the first token once, serve."""
    from kelisim.services import process_hints
    from kelisim.services.federation.engine import start_background_sync
    from kelisim.web.app import create_app
    from kelisim.web.server import serve

    settings: Settings = ctx.obj
    if host:
        settings.host = host
    if port:
        settings.port = port
    for name, value in (("workers", workers), ("proxy_headers", proxy_headers),
                        ("forwarded_allow_ips", forwarded_allow_ips)):
        if value is not None:
            setattr(settings, name, value)
    ensure_port_free(settings.host, settings.port)
    rt = runtime(ctx, INITIALIZING)
    admin = initialize(rt)
    out.print(f"kelisim data: [bold]{settings.data_dir.resolve()}[/bold]"
              if not settings.database_url else "kelisim database: PostgreSQL/other URL")
    if admin:
        out.print("[bold green]First administrator created[/bold green] (depositary). "
                  "Its token is shown this once; keep it:")
        print(admin["token"], flush=True)
    base = f"http://{settings.host}:{settings.port}"
    out.print(f"Serving on {base}  (API docs: {base}/api/docs)")
    if settings.workers > 1:  # each worker builds its own runtime on the same database
        syncing = start_background_sync(rt)  # one federation sync for all the workers
        if syncing is None:
            rt.close()
        else:  # which the workers wake: a peer's notify or an intake lands in one of them
            process_hints.listen(settings, rt.caches, syncing)
        serve(settings)
        return
    rt.screener.start()  # now, so that the first large envelope does not wait for the workers
    start_background_sync(rt)  # with the peer nodes, if this server is a federation node
    application = create_app(runtime=rt)
    # What exists now (modules, routes, reference data) lives as long as the server: kept out
    # of the cyclic collector's full passes, which otherwise stall an intake for ~0.1 s.
    gc.collect()
    gc.freeze()
    serve(settings, application)


@app.command()
def init(ctx: typer.Context) -> None:
    """Like `up` without serving: migrate, load the Agreement, print a first token if new."""
    admin = initialize(runtime(ctx, INITIALIZING))
    if admin:
        out.print("First administrator created; its token (shown once):")
        print(admin["token"], flush=True)
    else:
        out.print("Already initialized; nothing lost, nothing duplicated.")


@app.command()
def glossary(ctx: typer.Context,
             lang: Annotated[str | None, typer.Option(help="Only kk, ru or en.")] = None,
             json: Annotated[bool, typer.Option("--json", help="JSON, as the API gives.")] = False,
             ) -> None:
    """The Art. 2 terms in Kazakh, Russian and English."""
    if lang is not None:
        checked_lang(lang)
    terms = reference.get_glossary(runtime(ctx), None)
    if json:
        print_json(terms)
        return
    langs = [lang] if lang else ["kk", "ru", "en"]
    table = Table("key", *langs, show_lines=True)
    for term in terms:
        table.add_row(term["key"], *(f"[bold]{term[x]['term']}[/bold]\n{term[x]['definition']}"
                                     for x in langs))
    out.print(table)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = "head") -> None:
    """Apply migrations up to REVISION: the upgrade step after installing a new kelisim
    (back up first with `kelisim backup FILE`); then verifies every hash chain."""
    from kelisim.storage.database import upgrade

    rt = runtime(ctx, ANY_REVISION)
    upgrade(rt.uow.engine, revision)
    out.print(f"Database at {revision}.")
    if revision == "head":
        from kelisim.cli.backup import report_chains

        report_chains(rt, "restore the backup taken before the upgrade")


@db_app.command("downgrade")
def db_downgrade(ctx: typer.Context, revision: str) -> None:
    """Undo migrations down to REVISION (`base` removes everything)."""
    from kelisim.storage.database import downgrade

    downgrade(runtime(ctx, ANY_REVISION).uow.engine, revision)
    out.print(f"Database at {revision}.")


