"""Accounts and their tokens from the console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kelisim.cli.base import accounts_app, out, print_json, runtime
from kelisim.services import accounts as accounts_service
from kelisim.services import signin as signin_service


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
        runtime(ctx), None, name=name, role=role, organization_kind=kind, party=party,
        organization=organization)
    out.print(f"Account {account['id']} ({account['role']}, {account['party'] or 'depositary'}); "
              "token (shown once):")
    print(account["token"], flush=True)


@accounts_app.command("list")
def list_accounts(ctx: typer.Context) -> None:
    """Accounts (never their tokens)."""
    print_json(accounts_service.list_accounts(runtime(ctx), None))




@accounts_app.command("disable")
def disable_account(ctx: typer.Context,
                    account: Annotated[str, typer.Argument(help="Account name or id.")]) -> None:
    """Disable an account: its token and web sessions stop working at once (revokes a leaked
    token). The account stays on record; create a new one to give a new token."""
    done = accounts_service.disable_account(runtime(ctx), None, account)
    out.print(f"Account {done['id']} ({done['name']}) disabled at "
              f"{done['disabled_at']:%Y-%m-%d %H:%M:%S} UTC.")


@accounts_app.command("password")
def set_password(ctx: typer.Context,
                 account: Annotated[str, typer.Argument(help="Account name or id.")]) -> None:
    """Set an account's web UI password (prompted; or read from stdin's first line).

    Stored only as an argon2id hash; the account's open browser sessions end.
    """
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    principal = signin_service.set_password(runtime(ctx), None, account, password)
    out.print(f"Password set for account {principal.account_id} ({principal.name}).")
