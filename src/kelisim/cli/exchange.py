"""`kelisim collections ...`, `kelisim audit verify`, `kelisim exchange correlate` and
`kelisim exchange search`: the exchange from the operator's console (Art. 6, 9). They act as the
local operator, with the depositary's powers over collections; `exchange correlate` and
`exchange search` act as the account whose token they are given (KELISIM_TOKEN), and without
one read what the depositary may (open information)."""

from __future__ import annotations

from typing import Annotated

import typer

from kelisim.cli.base import LOCAL_OPERATOR, app, err, print_json, runtime
from kelisim.services import accounts
from kelisim.services.exchange import audit, collections, correlation, search

collections_app = typer.Typer(help="TAXII collections of the exchange and who may use them.",
                              no_args_is_help=True)
audit_app = typer.Typer(help="The audit of reads of restricted-access information (Art. 6).",
                        no_args_is_help=True)
app.add_typer(collections_app, name="collections")
app.add_typer(audit_app, name="audit")
exchange_app = typer.Typer(help="What an analyst works with in the exchange (Art. 6, 9).",
                           no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")

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


@exchange_app.command("correlate")
def correlate(ctx: typer.Context,
              object_id: Annotated[str | None, typer.Argument(
                  help="Where else: the STIX id of an object in --collection")] = None,
              collection: Annotated[str, typer.Option(help="Collection id or alias")] = "main",
              value: Annotated[str | None, typer.Option(
                  help="Search by this value instead: IP or CIDR, domain, URL, e-mail, hash, "
                       "file name")] = None,
              kind: Annotated[str | None, typer.Option(help="The value's kind; default guessed")
                              ] = None,
              exact: Annotated[bool, typer.Option(
                  help="Only the value itself (no CIDR containment, no registered domain)")
                               ] = False,
              limit: Annotated[int, typer.Option(help="Objects per value or page")] = 100,
              next_token: Annotated[str | None, typer.Option("--next",
                                                             help="A page's next token")] = None,
              token: Annotated[str | None, typer.Option(
                  envvar="KELISIM_TOKEN", help="Act as this account (kls_...)")] = None) -> None:
    """Where else an object's values were seen, or which objects have a value; only what the
    account may read (Art. 6)."""
    rt = runtime(ctx)
    principal = accounts.authenticate(rt, token) if token else LOCAL_OPERATOR
    if (object_id is None) == (value is None):
        err.print("error: give an object id or --value, not both or neither — "
                  "`kelisim exchange correlate --help`", highlight=False)
        raise typer.Exit(1)
    if object_id is not None:
        shared = correlation.where_else(rt, principal, collection, object_id, per_value=limit)
        print_json([{"kind": s.kind, "value": s.value, "count": s.count,
                     "objects": [o._asdict() for o in s.objects]} for s in shared])
        return
    assert value is not None
    page = correlation.search_value(rt, principal, value, kind=kind, exact=exact, limit=limit,
                                    next_token=next_token)
    print_json({"objects": [o._asdict() for o in page.objects], "more": page.more,
                "next": page.next})


@exchange_app.command("search")
def search_command(
        ctx: typer.Context,
        query: Annotated[str, typer.Argument(
            help='Words (all must occur), "quoted phrases", prefixes (malw*); case and '
                 "diacritics folded (ә=а, ё=е, é=e)")],
        type_: Annotated[list[str] | None, typer.Option("--type", help="A STIX type; repeat")
                         ] = None,
        direction: Annotated[list[int] | None, typer.Option(
            help="An Art. 3 direction (1-19); repeat")] = None,
        threat_class: Annotated[list[str] | None, typer.Option(
            help="An Art. 2 threat class; repeat")] = None,
        tlp: Annotated[list[str] | None, typer.Option(
            help="A TLP level (clear, green, amber, amber+strict, red, none); repeat")] = None,
        producer: Annotated[list[str] | None, typer.Option(
            help="A producer Party (alpha-3); repeat")] = None,
        added_after: Annotated[str | None, typer.Option(
            help="Added after: YYYY-MM-DD or a timestamp")] = None,
        added_before: Annotated[str | None, typer.Option(
            help="Added before: YYYY-MM-DD or a timestamp")] = None,
        collection: Annotated[str | None, typer.Option(
            help="Only this collection (id or alias)")] = None,
        limit: Annotated[int, typer.Option(help="Objects per page")] = search.DEFAULT_LIMIT,
        next_token: Annotated[str | None, typer.Option("--next",
                                                       help="A page's next token")] = None,
        token: Annotated[str | None, typer.Option(
            envvar="KELISIM_TOKEN", help="Act as this account (kls_...)")] = None) -> None:
    """Full-text search of names, descriptions, labels, aliases, external references and
    values; only what the account may read (Art. 6), newest indexed first."""
    rt = runtime(ctx)
    principal = accounts.authenticate(rt, token) if token else LOCAL_OPERATOR
    filters = search.Filters(
        types=tuple(type_ or ()), directions=tuple(direction or ()),
        threat_classes=tuple(threat_class or ()), tlps=tuple(tlp or ()),
        producers=tuple(producer or ()),
        added_after=search.parse_instant(added_after, "--added-after") if added_after
        else None,
        added_before=search.parse_instant(added_before, "--added-before") if added_before
        else None, collection=collection)
    found = search.search_objects(rt, principal, query, filters, limit=limit,
                                  next_token=next_token)
    print_json({"objects": [search.summary(h) for h in found.hits], "more": found.more,
                "next": found.next})
