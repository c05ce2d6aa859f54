"""`kelisim node ...`, `kelisim sync`, `kelisim federation status` and `kelisim transfers ...`:
this server as one node of the federation of the Parties' nodes (issue 14).

They act as the local operator (the depositary's powers on the depositary's node, the
operator's view of the record on a Party's node); asking admission at the depositary's node is
done with a party-admin's token there, since the Party asks, not the node.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from kelisim.cli.base import LOCAL_OPERATOR, CliError, app, err, out, parse_day, print_json, runtime

node_app = typer.Typer(help="This server as a node of the federation: its key, its admission, "
                            "the roster.", no_args_is_help=True)
federation_app = typer.Typer(help="The links with the other nodes.", no_args_is_help=True)
transfers_app = typer.Typer(help="The record of every cross-border transfer (Art. 2, Art. 3 "
                                 "direction 7).", no_args_is_help=True)
app.add_typer(node_app, name="node")
app.add_typer(federation_app, name="federation")
app.add_typer(transfers_app, name="transfers")

Party = Annotated[str, typer.Argument(help="The peer Party (ISO alpha-3), e.g. RUS.")]
Direction = Annotated[str, typer.Option(help="sent (left this node) or arrived.")]


@node_app.command("init")
def init(ctx: typer.Context,
         url: Annotated[str, typer.Option(help="This node's public URL, e.g. "
                                               "https://kelisim.example.kz")],
         party: Annotated[str | None, typer.Option(
             help="The Party this node speaks for (ISO alpha-3); omit with --depositary.")] = None,
         depositary: Annotated[bool, typer.Option(
             "--depositary", help="This is the depositary's node (it signs the roster).")] = False,
         depositary_url: Annotated[str | None, typer.Option(
             help="The depositary node's URL (a Party's node).")] = None,
         depositary_key: Annotated[str | None, typer.Option(
             help="The depositary node's public key, as it publishes it (a Party's node).")] = None,
         ) -> None:
    """Give this server a node key and a signed descriptor; print the descriptor to send."""
    from kelisim.services.federation.node import init_node

    if depositary == (party is not None):
        raise CliError("say which node this is", "give --party KAZ for a Party's node, or "
                                                 "--depositary for the depositary's")
    made = init_node(runtime(ctx), party=party.upper() if party else None, url=url,
                     depositary_url=depositary_url, depositary_key=depositary_key)
    print_json(made)


@node_app.command("show")
def show(ctx: typer.Context) -> None:
    """This node's Party, URL, key id and signed descriptor."""
    from kelisim.services.federation.node import require_node

    node = require_node(runtime(ctx))
    print_json({"party": node.party, "url": node.url, "key_id": node.key.key_id,
                "public_key": node.key.public_key, "depositary_url": node.depositary_url,
                "depositary_key": node.depositary_key, "descriptor": node.descriptor})


@node_app.command("request-admission")
def request_admission(ctx: typer.Context,
                      token: Annotated[str, typer.Option(
                          envvar="KELISIM_PARTY_ADMIN_TOKEN",
                          help="A party-admin's token at the depositary's node.")]) -> None:
    """Ask the depositary's node to admit this node (as the Party's party-admin)."""
    from kelisim.services.federation.node import require_node

    node = require_node(runtime(ctx))
    print_json(_post_admission(node.depositary_url, node.descriptor, token))


def _post_admission(depositary_url: str, document: dict[str, Any], token: str) -> Any:
    import httpx

    try:
        answer = httpx.post(f"{depositary_url}/api/v1/federation/admissions",
                            json=document, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as error:
        raise CliError(f"the depositary's node at {depositary_url} did not answer "
                       f"({error})", "check --depositary-url given to `kelisim node init`"
                       ) from None
    if answer.status_code >= 400:
        detail = answer.json().get("detail") if answer.headers.get(
            "content-type", "").endswith("json") else answer.text[:200]
        raise CliError(f"the depositary's node refused: {detail}",
                       "use a party-admin token of this node's Party there")
    return answer.json()


@node_app.command("rotate-key")
def rotate_key(ctx: typer.Context,
               from_: Annotated[str | None, typer.Option(
                   "--from", help="A Party's node: the new key's first day (YYYY-MM-DD); "
                                  "default tomorrow.")] = None,
               token: Annotated[str | None, typer.Option(
                   envvar="KELISIM_PARTY_ADMIN_TOKEN",
                   help="A Party's node: a party-admin's token at the depositary's node, to ask "
                        "there; without it the request is printed.")] = None) -> None:
    """Make a new node key: asked for at the depositary's node, or there the new trust anchor.

    A Party's node asks for it (signed by the old key and the new) and switches once the roster
    names it; the depositary's node rotates the trust anchor at once (a roster signed by the old
    anchor and the new). The old key file is kept, renamed.
    """
    from kelisim.services.federation.node import prepare_rotation, require_node, rotate_anchor

    rt = runtime(ctx)
    node = require_node(rt)
    if node.is_depositary:
        if from_ is not None:
            raise CliError("the trust anchor rotates today", "omit --from on the depositary's "
                                                             "node")
        print_json(rotate_anchor(rt, LOCAL_OPERATOR))
        return
    made = prepare_rotation(rt, parse_day(from_) if from_ else None)
    if token is None:
        print_json(made)
        err.print("the request is not sent: give --token (a party-admin's token at the "
                  "depositary's node) or post `request` to /api/v1/federation/admissions there",
                  highlight=False)
        return
    print_json({**made, "asked": _post_admission(node.depositary_url, made["request"], token)})


@node_app.command("admissions")
def admissions(ctx: typer.Context) -> None:
    """Admissions asked at this (the depositary's) node, and their decisions."""
    from kelisim.services.federation.node import list_admissions

    print_json(list_admissions(runtime(ctx), LOCAL_OPERATOR))


@node_app.command("admit")
def admit(ctx: typer.Context, key_id: str,
          refuse: Annotated[bool, typer.Option("--refuse", help="Refuse instead.")] = False,
          ) -> None:
    """Admit an asked-for node to the roster (signing the next roster), or refuse it."""
    from kelisim.services.federation.node import decide_admission

    print_json(decide_admission(runtime(ctx), LOCAL_OPERATOR, key_id, admit=not refuse))


@node_app.command("revoke")
def revoke(ctx: typer.Context, key_id: str,
           on: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD); "
                                                       "default today.")] = None) -> None:
    """Stop a node key speaking for its Party from a day (a lost or replaced key)."""
    from kelisim.services.federation.node import revoke_node

    rt = runtime(ctx)
    day: date = parse_day(on) if on else rt.clock().date()
    print_json(revoke_node(rt, LOCAL_OPERATOR, key_id, day))


@app.command("sync")
def sync(ctx: typer.Context,
         once: Annotated[bool, typer.Option("--once", help="One sync, then exit (for cron); "
                                                           "`kelisim up` syncs by itself.")]
         = False) -> None:
    """Sync with the depositary's node and every bound peer: roster, ledger, transfers."""
    from kelisim.services.federation.engine import sync_once

    if not once:
        raise CliError("`kelisim sync` runs one sync", "add --once (`kelisim up` keeps "
                                                       "syncing by itself)")
    report = sync_once(runtime(ctx))
    print_json(report)
    failed = [p for p, r in report["peers"].items() if "error" in r]
    if "error" in report.get("ledger", {}) or failed:
        err.print(f"error: the sync did not complete with: {', '.join(failed) or 'depositary'}",
                  highlight=False)
        raise typer.Exit(1)


@federation_app.command("status")
def status(ctx: typer.Context,
           json: Annotated[bool, typer.Option("--json", help="JSON, as the API gives.")] = False,
           ) -> None:
    """Each peer: its Party's state, last contact, lag, quarantine, receipts; split views;
    node keys that expire soon."""
    from kelisim.services.federation.record import federation_status

    report = federation_status(runtime(ctx), LOCAL_OPERATOR)
    if json:
        print_json(report)
        return
    out.print(f"Node of {report['party'] or 'the depositary'} at {report['url']} "
              f"(key {report['key_id']}), roster {report['roster_serial']}, ledger "
              f"{report['ledger']['size']} entries, {report['ledger']['witnesses']} witnesses")
    table = Table("peer", "state", "last contact", "lag", "sent", "receipted", "arrived",
                  "quarantined", "error")
    for peer in report["peers"]:
        table.add_row(peer["party"], peer["state"] or "-", peer["last_contact"] or "never",
                      _shown(peer["lag_transfers"]), str(peer["sent"]),
                      str(peer["receipted_through"]), str(peer["arrived_through"]),
                      str(peer["quarantined"]), (peer["last_error"] or "")[:60])
    out.print(table)
    if report.get("pending_key_id"):
        out.print(f"New key {report['pending_key_id']} asked for: this node switches to it once "
                  "the roster names it for today (`kelisim node rotate-key`)")
    for warning in report["key_warnings"]:
        whose = "this node's key" if warning["own"] else f"{warning['party']}'s node key"
        err.print(f"WARNING: {whose} {warning['key_id']} expires on {warning['expires_on']} "
                  f"(in {warning['days_left']} days); run `{warning['remedy']}` on "
                  f"{'this node' if warning['own'] else 'that node'} before then", highlight=False)
    for split in report["split_views"]:
        err.print(f"SPLIT VIEW detected {split['detected_at']}: {split['reason']}",
                  highlight=False)


@transfers_app.command("list")
def list_(ctx: typer.Context, party: Party, direction: Direction = "sent",
          after: Annotated[int, typer.Option(help="After this transfer number.")] = 0,
          limit: Annotated[int, typer.Option(help="At most this many.")] = 100) -> None:
    """What left this node for PARTY (or arrived from it), with receipts."""
    from kelisim.services.federation.record import list_transfers

    print_json(list_transfers(runtime(ctx), LOCAL_OPERATOR, direction=direction, party=party,
                              after=after, limit=limit))


@transfers_app.command("verify")
def verify(ctx: typer.Context, party: Party, direction: Direction = "sent") -> None:
    """Prove the transfer chain with PARTY untouched and its receipts genuine; exit 1 if not."""
    from kelisim.services.federation.record import verify_transfers

    report = verify_transfers(runtime(ctx), LOCAL_OPERATOR, direction=direction, party=party)
    print_json(report)
    if not report["ok"]:
        err.print(f"error: the transfer record with {party} does not verify", highlight=False)
        raise typer.Exit(1)


def _shown(value: Any) -> str:
    return "-" if value is None else f"{value:g}"



