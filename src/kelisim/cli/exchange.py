"""`kelisim collections ...`, `kelisim audit verify` and `kelisim exchange correlate|search|
sightings|graph|activity`: the exchange from the operator's console (Art. 6, 9). They act as
the local operator, with the depositary's powers over collections; the `exchange` commands act
as the account whose token they are given (KELISIM_TOKEN), and without one read what the
depositary may (open information)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from kelisim.cli.base import LOCAL_OPERATOR, app, err, out, print_json, runtime
from kelisim.domain.accounts import Principal
from kelisim.domain.exchange_activity import Facet, Period
from kelisim.domain.stix.extension import SIGHTING_TYPES
from kelisim.services import accounts
from kelisim.services.exchange import (
    activity,
    audit,
    collections,
    correlation,
    graph,
    search,
    sightings,
)
from kelisim.services.runtime import Runtime

collections_app = typer.Typer(help="TAXII collections of the exchange and who may use them.",
                              no_args_is_help=True)
audit_app = typer.Typer(help="The audit of reads of restricted-access information (Art. 6).",
                        no_args_is_help=True)
app.add_typer(collections_app, name="collections")
app.add_typer(audit_app, name="audit")
exchange_app = typer.Typer(help="What an analyst works with in the exchange (Art. 6, 9).",
                           no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")

Token = Annotated[str | None, typer.Option(envvar="KELISIM_TOKEN",
                                           help="Act as this account (kls_...)")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON, as the API answers")]
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
              token: Token = None) -> None:
    """Where else an object's values were seen, or which objects have a value; only what the
    account may read (Art. 6)."""
    rt = runtime(ctx)
    principal = _acting(rt, token)
    if (object_id is None) == (value is None):
        err.print("error: give an object id or --value, not both or neither — "
                  "`kelisim exchange correlate --help`", highlight=False)
        raise typer.Exit(1)
    if object_id is not None:
        shared = correlation.where_else(rt, principal, collection, object_id, per_value=limit)
        print_json([{"kind": s.kind, "value": s.value, "count": s.count,
                     "count_capped": s.count_capped,
                     "objects": [o._asdict() for o in s.objects]} for s in shared])
        return
    assert value is not None
    page = correlation.search_value(rt, principal, value, kind=kind, exact=exact, limit=limit,
                                    next_token=next_token)
    print_json({"objects": [o._asdict() for o in page.objects], "more": page.more,
                "next": page.next})


def _acting(rt: Runtime, token: str | None) -> Principal:
    return accounts.authenticate(rt, token) if token else LOCAL_OPERATOR


def _table(*columns: str) -> Table:
    return Table(*columns, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)


@exchange_app.command("sightings")
def sightings_(ctx: typer.Context,
               collection: Annotated[str, typer.Argument(help="Collection id or alias")],
               object_id: Annotated[str, typer.Argument(help="The STIX id of the object")],
               limit: Annotated[int, typer.Option(help="Sightings listed per Party")] = 20,
               as_json: AsJson = False, token: Token = None) -> None:
    """The sightings of an object by reporting Party: per MISP type, total count, first and
    last seen; only the sightings the account may read (Art. 6; STIX 2.1 §5.2)."""
    found = sightings.sightings_of_object(runtime(ctx), _acting(runtime(ctx), token),
                                          collection, object_id, per_party=limit).as_json()
    if as_json:
        print_json(found)
        return
    groups = found["parties"]
    summary = _table("party", "reports", *SIGHTING_TYPES, "total count", "first seen",
                     "last seen")
    for g in groups:
        summary.add_row(g["party"] or "-", str(g["reports"]),
                        *(str(g["by_type"][t]) for t in SIGHTING_TYPES), str(g["total_count"]),
                        _minute(g["first_seen"]), _minute(g["last_seen"]))
    out.print(f"{found['reports']} sightings of {object_id}"
              + (" (the first 10,000 summarized)" if found["more"] else ""), highlight=False)
    if groups:
        out.print(summary)
    for g in groups:  # one line a sighting: ids are never cut to fit a table
        for s in g["sightings"]:
            count = "?" if s["count"] is None else s["count"]
            out.print(f"{g['party'] or '-'}  {s['id']}  {s['sighting_type']}  count {count}  "
                      f"{s['first_seen'] or '-'} .. {s['last_seen'] or '-'}", highlight=False,
                      markup=False, soft_wrap=True)


def _minute(stamp: str | None) -> str:
    return stamp[:16].replace("T", " ") if stamp else "-"


@exchange_app.command("graph")
def graph_(ctx: typer.Context,
           collection: Annotated[str, typer.Argument(help="Collection id or alias")],
           object_id: Annotated[str, typer.Argument(help="The STIX id of the object")],
           limit: Annotated[int, typer.Option(help="Neighbours at most")] = graph.MAX_NEIGHBOURS,
           as_json: AsJson = False, token: Token = None) -> None:
    """The objects an object names and those naming it, one hop; only those the account may
    read (Art. 6; STIX 2.1 §3.2 *_ref properties)."""
    found = graph.graph_of(runtime(ctx), _acting(runtime(ctx), token), collection, object_id,
                           limit=limit)
    if as_json:
        print_json(found.as_json())
        return
    nodes = {n.stix_id: n for n in found.nodes}
    out.print(f"{found.center.name or object_id} ({found.center.type}): {len(found.nodes)} "
              f"neighbours{' and more' if found.more else ''}", highlight=False)
    for e in found.edges:  # one line an edge: ids are never cut to fit a table
        outward = e.source == object_id
        n = nodes[e.target if outward else e.source]
        out.print(f"{'->' if outward else '<-'} {e.property}  {n.stix_id}  {n.name or ''}",
                  highlight=False, markup=False, soft_wrap=True)


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


@exchange_app.command("activity")
def activity_command(
        ctx: typer.Context,
        by: Annotated[Facet, typer.Option(help="Split by direction, threat class or producer "
                                               "Party")] = Facet.PRODUCER,
        period: Annotated[Period, typer.Option(help="day, week (from Monday) or month")
                          ] = Period.MONTH,
        span: Annotated[int | None, typer.Option(
            help="How many periods, the current one included (default 30 days, 26 weeks, "
                 "12 months)")] = None,
        as_json: AsJson = False, token: Token = None) -> None:
    """Objects first added in each period, split by direction, threat class or producer;
    only what the account may read (Art. 6), each object once."""
    rt = runtime(ctx)
    principal = accounts.authenticate(rt, token) if token else LOCAL_OPERATOR
    found = activity.activity(rt, principal, by, period, span)
    if as_json:
        print_json(activity.as_json(found))
        return
    shown = found.periods[-12:]  # a console's width: the latest twelve, the JSON has all
    table = Table(box=box.SIMPLE, title=f"{found.objects} objects, by {by.value}")
    table.add_column(by.value)
    for start in shown:
        table.add_column(_period_label(start.isoformat(), period), justify="right")
    table.add_column("total", justify="right")
    for key in found.keys:
        counts = found.counts[key][-len(shown):]
        table.add_row(key, *(str(c) if c else "." for c in counts), str(found.total(key)))
    out.print(table)


def _period_label(start: str, period: Period) -> str:
    return start[:7] if period is Period.MONTH else start[5:]
