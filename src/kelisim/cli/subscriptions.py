"""`kelisim subscriptions add|list|remove` and `kelisim inbox`: an account's saved exchange
filters and its notifications (issue 16, item 8). Each command acts as one account: its token
(KELISIM_TOKEN / --token) or, run by the local operator, `--as` an account's name or id. The
account is told only of objects it may read (Art. 6)."""

from __future__ import annotations

from typing import Annotated

import typer

from kelisim.cli.base import CliError, app, print_json, runtime
from kelisim.domain.accounts import Principal
from kelisim.services import accounts
from kelisim.services.accounts import managed_account
from kelisim.services.exchange.worker import notify_subscribers
from kelisim.services.notifications import inbox, subscriptions
from kelisim.services.runtime import Runtime

subscriptions_app = typer.Typer(help="Saved exchange filters that notify the account of new "
                                     "matching objects (inbox, e-mail, webhook).",
                                no_args_is_help=True)
app.add_typer(subscriptions_app, name="subscriptions")

Token = Annotated[str | None, typer.Option(envvar="KELISIM_TOKEN",
                                           help="Act as this account (kls_...)")]
As = Annotated[str | None, typer.Option("--as", help="Or, as the local operator, act for "
                                                     "this account (name or id)")]
Many = Annotated[list[str] | None, typer.Option()]


def _acting(ctx: typer.Context, token: str | None, as_: str | None) -> tuple[Runtime, Principal]:
    rt = runtime(ctx)
    if token:
        return rt, accounts.authenticate(rt, token)
    if as_:
        with rt.unit_of_work() as uow:
            return rt, managed_account(uow, None, as_)
    raise CliError("no account to act as", "give --token (or KELISIM_TOKEN) or --as NAME")


@subscriptions_app.command("add")
def add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Your name for it")],
        type_: Annotated[list[str] | None, typer.Option("--type", help="A STIX type; repeat")
                         ] = None,
        direction: Annotated[list[int] | None, typer.Option(help="An Art. 3 direction; repeat")
                             ] = None,
        threat_class: Annotated[list[str] | None, typer.Option(
            help="An Art. 2 threat class; repeat")] = None,
        value: Annotated[list[str] | None, typer.Option(
            help="An observable value (an IP network matches the addresses in it); repeat")
                         ] = None,
        technique: Annotated[str | None, typer.Option(
            help="An ATT&CK technique id (T1566 matches its sub-techniques)")] = None,
        producer: Annotated[list[str] | None, typer.Option(
            help="A producer Party (alpha-3); repeat")] = None,
        email: Annotated[str | None, typer.Option(help="Mail the notices here")] = None,
        webhook: Annotated[str | None, typer.Option(help="POST the notices here, signed")
                           ] = None,
        language: Annotated[str | None, typer.Option(help="The e-mail's language: kk, ru, en")
                            ] = None,
        token: Token = None, as_: As = None) -> None:
    """Subscribe to new exchange objects matching the filter (empty facets match anything);
    prints the subscription, with the webhook's secret this once."""
    rt, who = _acting(ctx, token, as_)
    wanted = subscriptions.FilterInput(
        types=tuple(type_ or ()), directions=tuple(direction or ()),
        threat_classes=tuple(threat_class or ()), values=tuple(value or ()),
        technique=technique, producers=tuple(producer or ()))
    print_json(subscriptions.create_subscription(rt, who, name=name, wanted=wanted,
                                                 email=email, webhook=webhook,
                                                 language=language))


@subscriptions_app.command("list")
def list_all(ctx: typer.Context, token: Token = None, as_: As = None) -> None:
    """The account's subscriptions (never a webhook's secret)."""
    rt, who = _acting(ctx, token, as_)
    print_json(subscriptions.list_subscriptions(rt, who))


@subscriptions_app.command("remove")
def remove(ctx: typer.Context,
           subscription_id: Annotated[str, typer.Argument(help="The subscription's id")],
           token: Token = None, as_: As = None) -> None:
    """Remove a subscription (recorded; its notifications stay in the inbox)."""
    rt, who = _acting(ctx, token, as_)
    subscriptions.remove_subscription(rt, who, subscription_id)
    typer.echo(f"removed {subscription_id}")


@subscriptions_app.command("notify")
def notify(ctx: typer.Context) -> None:
    """Match what was stored since the last pass and send the notices that are due (what
    `kelisim up` does after every intake); prints how many."""
    rt = runtime(ctx)
    written, sent = notify_subscribers(rt)
    print_json({"notifications": written, "sent": sent})


@app.command("inbox")
def show_inbox(ctx: typer.Context,
               unread: Annotated[bool, typer.Option(help="Only the unread ones")] = False,
               limit: Annotated[int, typer.Option(help="Notifications per page")] = 50,
               before: Annotated[int | None, typer.Option(help="A page's next")] = None,
               mark_read: Annotated[bool, typer.Option(
                   "--mark-read", help="Then mark the listed ones read")] = False,
               token: Token = None, as_: As = None) -> None:
    """The account's notifications, newest first, as JSON."""
    rt, who = _acting(ctx, token, as_)
    page = inbox.read_inbox(rt, who, unread_only=unread, limit=limit, before=before)
    if mark_read and page["notifications"]:
        inbox.mark_read(rt, who, [n["id"] for n in page["notifications"]])
    print_json(page)


@app.command("inbox-mail")
def inbox_mail(ctx: typer.Context,
               email: Annotated[str | None, typer.Option(
                   help="The account's address for its workspace notices ('' stops them)")
               ] = None,
               language: Annotated[str, typer.Option(help="kk, ru or en")] = "en",
               token: Token = None, as_: As = None) -> None:
    """Show, or with --email set, the account's own address and language for the mail of its
    workspace notices (issue 15 item 10), as JSON."""
    rt, who = _acting(ctx, token, as_)
    print_json(inbox.mail_settings(rt, who) if email is None
               else inbox.set_mail(rt, who, email, language))
