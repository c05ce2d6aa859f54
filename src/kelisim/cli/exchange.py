"""`kelisim collections ...` and `kelisim audit verify`: the exchange from the operator's console
(Art. 6, 9). They act as the local operator, with the depositary's powers over collections."""

from __future__ import annotations

from typing import Annotated

import typer

from kelisim.cli.base import LOCAL_OPERATOR, app, err, print_json, runtime
from kelisim.services.exchange import audit, collections

collections_app = typer.Typer(help="TAXII collections of the exchange and who may use them.",
                              no_args_is_help=True)
audit_app = typer.Typer(help="The audit of reads of restricted-access information (Art. 6).",
                        no_args_is_help=True)
app.add_typer(collections_app, name="collections")
app.add_typer(audit_app, name="audit")

Parties = Annotated[list[str] | None, typer.Option(
    help="A Party (ISO alpha-3) allowed; repeat. Omit for every Party bound by the Agreement.")]


@collections_app.command("add")
def add(ctx: typer.Context, title: str,
        description: Annotated[str | None, typer.Option()] = None,
        alias: Annotated[str | None, typer.Option()] = None,
        owner: Annotated[str | None, typer.Option(help="Owner Party; none: depositary")] = None,
        read: Parties = None, write: Parties = None) -> None:
    """Create a collection and print it (its id is what TAXII clients use)."""
    created = collections.create_collection(
        runtime(ctx), LOCAL_OPERATOR, title=title, description=description, alias=alias,
        owner_party=owner, read_parties=read, write_parties=write)
    print_json(created.admin())


@collections_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every collection with its read and write rules."""
    print_json([c.admin() for c in collections.list_collections(runtime(ctx), LOCAL_OPERATOR)])


@collections_app.command("grant")
def grant(ctx: typer.Context, collection: str, read: Parties = None,
          write: Parties = None) -> None:
    """Replace who may read and write a collection (by id or alias)."""
    print_json(collections.grant(runtime(ctx), LOCAL_OPERATOR, collection, read_parties=read,
                                 write_parties=write).admin())


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Prove the audit chain untouched; exit 1 naming each break if not."""
    report = audit.verify_audit(runtime(ctx))
    print_json(report)
    if not report["ok"]:
        err.print("error: the audit of reads does not verify (Art. 6)", highlight=False)
        raise typer.Exit(1)
