"""`kelisim workspace contact ...` and `kelisim workspace check ...`: points of contact and their
communication checks from the console (issue 15 item 9; Art. 8, 9).

`check launch` prints each target's one-time acknowledgement link (only the token's hash is
stored: the link is shown once); `check report` prints the answers and response times per
Party over time as a table (`--json` for the data).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from kelisim.cli.base import out, print_json
from kelisim.cli.workspace import As, _acting, workspace_app
from kelisim.domain.errors import InvalidInput
from kelisim.services.workspace import checks, contacts

contact_app = typer.Typer(help="Points of contact of the authorized bodies: add, change, "
                               "retire, list (Art. 8, 9).", no_args_is_help=True)
check_app = typer.Typer(help="Communication checks of the points of contact: launch, show, "
                             "report per Party (Art. 8, 9).", no_args_is_help=True)
workspace_app.add_typer(contact_app, name="contact")
workspace_app.add_typer(check_app, name="check")
ContactId = Annotated[str, typer.Argument(help="The contact's id.")]
Name = Annotated[str, typer.Argument(help="The contact's name (a person or a duty desk).")]
Hours = Annotated[str, typer.Option(help="24/7 or office.")]
OfficeHours = Annotated[str, typer.Option(help="The office hours and time zone.")]
Languages = Annotated[list[str], typer.Option("--language",
                                              help="An ISO 639 code; repeat for several.")]
Channels = Annotated[list[str], typer.Option("--channel", help="KIND:VALUE, KIND one of email, "
                                                               "phone, fax, secure-messaging; "
                                                               "repeat for several.")]
Json = Annotated[bool, typer.Option("--json", help="Print the data as JSON.")]


def _channels(values: list[str]) -> list[dict[str, str]]:
    parsed = []
    for value in values:
        kind, sep, rest = value.partition(":")
        if not sep:
            raise InvalidInput(f"--channel is KIND:VALUE (e.g. email:soc@cert.example), not "
                               f"{value!r}.", field="channel")
        parsed.append({"kind": kind, "value": rest})
    return parsed


@contact_app.command("add")
def contact_add(ctx: typer.Context, name: Name, as_: As, hours: Hours, language: Languages,
                channel: Channels, office_hours: OfficeHours = "") -> None:
    """Add a point of contact of the acting account's authorized body."""
    rt, who = _acting(ctx, as_)
    print_json(contacts.add_contact(rt, who, name=name, hours=hours, office_hours=office_hours,
                                    languages=language, channels=_channels(channel)))


@contact_app.command("change")
def contact_change(ctx: typer.Context, contact: ContactId, name: Name, as_: As, hours: Hours,
                   language: Languages, channel: Channels, office_hours: OfficeHours = "") -> None:
    """Replace a contact's details (every field given again; the old version is kept)."""
    rt, who = _acting(ctx, as_)
    print_json(contacts.change_contact(rt, who, contact, name=name, hours=hours,
                                       office_hours=office_hours, languages=language,
                                       channels=_channels(channel)))


@contact_app.command("retire")
def contact_retire(ctx: typer.Context, contact: ContactId, as_: As) -> None:
    """Retire a contact of the acting account's Party (it stays in the history)."""
    rt, who = _acting(ctx, as_)
    print_json(contacts.retire_contact(rt, who, contact))


@contact_app.command("list")
def contact_list(ctx: typer.Context, as_: As,
                 party: Annotated[str | None, typer.Option(help="One Party only.")] = None,
                 retired: Annotated[bool, typer.Option(help="With retired ones.")] = False
                 ) -> None:
    """The points of contact, by Party."""
    rt, who = _acting(ctx, as_)
    print_json(contacts.list_contacts(rt, who, party=party, retired=retired))


@contact_app.command("show")
def contact_show(ctx: typer.Context, contact: ContactId, as_: As) -> None:
    """A contact and every version of it."""
    rt, who = _acting(ctx, as_)
    print_json(contacts.show_contact(rt, who, contact))


@check_app.command("launch")
def check_launch(ctx: typer.Context, as_: As,
                 hours: Annotated[int, typer.Option(help="The deadline in hours (1-720).")] = 24,
                 party: Annotated[list[str] | None, typer.Option(
                     help="A Party checked; repeat for several (none: every Party bound).")
                 ] = None,
                 base_url: Annotated[str, typer.Option(
                     help="The server's address, put before each link's path.")] = "",
                 json_: Json = False) -> None:
    """Launch a communication check (the depositary or a Party's body) and print the links."""
    rt, who = _acting(ctx, as_)
    launched = checks.launch_check(rt, who, hours=hours, parties=party or [])
    settings = rt.settings
    base = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    for link in launched["links"]:
        link["url"] = base + link["path"]
    if json_:
        print_json(launched)
        return
    out.print(f"Check {launched['id']}: answer by {launched['deadline']}.")
    if launched["without_contacts"]:
        out.print("No current point of contact: " + ", ".join(launched["without_contacts"]))
    table = Table("Party", "Contact", "E-mail", "Mailed", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_edge=False)
    for link in launched["links"]:
        table.add_row(link["party"], link["contact_name"], link["email"] or "",
                      "yes" if link["mailed"] else "no")
    out.print(table)
    for link in launched["links"]:  # whole, one a line, so that a terminal never cuts one
        out.print(f"{link['party']} {link['contact_name']}: {link['url']}", soft_wrap=True,
                  highlight=False)


@check_app.command("show")
def check_show(ctx: typer.Context, check: Annotated[str, typer.Argument(help="The check's id.")],
               as_: As) -> None:
    """A check: each target answered, awaited or (after the deadline) unanswered."""
    rt, who = _acting(ctx, as_)
    print_json(checks.show_check(rt, who, check))


@check_app.command("list")
def check_list(ctx: typer.Context, as_: As) -> None:
    """Communication checks, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(checks.list_checks(rt, who))


@check_app.command("report")
def check_report(ctx: typer.Context, as_: As,
                 party: Annotated[str | None, typer.Option(help="One Party only.")] = None,
                 json_: Json = False) -> None:
    """Answers and response times per Party over the checks; unanswered ones flagged.

    Missed: contacts that did not answer by the deadline; No POC: checks that found the
    Party without a current point of contact."""
    rt, who = _acting(ctx, as_)
    rows = checks.report_checks(rt, who, party)
    if json_:
        print_json(rows)
        return
    table = Table("Party", "Checks", "Answered", "Missed", "No POC", "Median s", "Max s",
                  "Over time", "Flag", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                  padding=(0, 1), collapse_padding=True)
    for r in rows:  # fits 80 columns; "Over time" wraps between checks
        table.add_row(r["party"], str(r["checks"]), f"{r['answered']}/{r['targets']}",
                      str(r["unanswered"]), str(r["no_contact"]), _seconds(r["median_seconds"]),
                      _seconds(r["max_seconds"]),
                      " ".join(f"{h['answered']}/{h['targets']}" for h in r["history"]),
                      "yes" if r["flagged"] else "")
    out.print(table)


def _seconds(value: Any) -> str:
    return "—" if value is None else f"{value:.0f}"
