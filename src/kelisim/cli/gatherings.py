"""`kelisim workspace gathering|practice ...`: training courses, conferences, symposia, meetings
(Art. 3 directions 17-19, Art. 9) from the console, acting as a named account, and the
calendar as an .ics file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import out, print_json
from kelisim.cli.workspace import As, _acting, workspace_app
from kelisim.domain.errors import InvalidInput
from kelisim.services.workspace import calendar_feed, practices
from kelisim.services.workspace import gatherings as gather

gathering_app = typer.Typer(help="Training, conferences, symposia, meetings (Art. 3, 9): "
                                 "announce, register, reschedule, cancel, calendar.",
                            no_args_is_help=True)
workspace_app.add_typer(gathering_app, name="gathering")

GatheringId = Annotated[str, typer.Argument(help="The gathering's id.")]
Instant = Annotated[str, typer.Option(help="With a time zone: 2027-03-01T09:00:00+05:00")]
Place = Annotated[str, typer.Option(help="Where (or --online)")]
Online = Annotated[bool, typer.Option(help="Held online (no place)")]


def _instant(text: str, name: str) -> datetime:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} is an instant such as 2027-03-01T09:00:00+05:00.",
                           field=name) from None
    return found


@gathering_app.command("announce")
def announce(ctx: typer.Context, title: Annotated[str, typer.Argument(help="Its title.")],
             as_: As, starts: Instant, ends: Instant,
             registration_until: Annotated[datetime, typer.Option(
                 formats=["%Y-%m-%d"], help="The last day to register")],
             kind: Annotated[str, typer.Option(
                 help="training, conference, symposium or meeting")] = "training",
             direction: Annotated[list[int] | None, typer.Option(
                 help="An Art. 3 direction (1-19); repeat. Default 17 (training)")] = None,
             language: Annotated[list[str] | None, typer.Option(
                 help="kk, ru or en; repeat. Default ru")] = None,
             place: Place = "", online: Online = False,
             places_per_party: Annotated[int | None, typer.Option(
                 help="Places a Party (default: no limit but 200)")] = None,
             description: Annotated[str, typer.Option()] = "") -> None:
    """Announce a gathering for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(gather.announce(
        rt, who, kind=kind, title=title, starts=_instant(starts, "starts"),
        ends=_instant(ends, "ends"), registration_until=registration_until.date(),
        languages=language or ["ru"], directions=direction or [17], description=description,
        place=place, online=online, places_per_party=places_per_party))


@gathering_app.command("list")
def list_(ctx: typer.Context, as_: As,
          upcoming: Annotated[bool, typer.Option(help="Only those not ended")] = False) -> None:
    """Gatherings, soonest first."""
    rt, who = _acting(ctx, as_)
    print_json(gather.list_gatherings(rt, who, upcoming=upcoming))


@gathering_app.command("show")
def show(ctx: typer.Context, gathering: GatheringId, as_: As) -> None:
    """A gathering as of now: schedule, registrations by Party, materials."""
    rt, who = _acting(ctx, as_)
    print_json(gather.show(rt, who, gathering))


@gathering_app.command("register")
def register(ctx: typer.Context, gathering: GatheringId, as_: As,
             participant: Annotated[list[str], typer.Option(
                 help="NAME or NAME:ROLE; repeat. Replaces the Party's list")]) -> None:
    """Register the acting account's Party's participants."""
    rt, who = _acting(ctx, as_)
    people = [dict(zip(("name", "role"), [*p.split(":", 1), ""][:2], strict=True))
              for p in participant]
    print_json(gather.register(rt, who, gathering, people))


@gathering_app.command("withdraw")
def withdraw(ctx: typer.Context, gathering: GatheringId, as_: As) -> None:
    """Withdraw the acting account's Party's registration."""
    rt, who = _acting(ctx, as_)
    print_json(gather.withdraw(rt, who, gathering))


@gathering_app.command("reschedule")
def reschedule(ctx: typer.Context, gathering: GatheringId, as_: As, starts: Instant,
               ends: Instant,
               registration_until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
               place: Place = "", online: Online = False) -> None:
    """Move a gathering (the organizing Party); calendars get the new time."""
    rt, who = _acting(ctx, as_)
    print_json(gather.reschedule(
        rt, who, gathering, starts=_instant(starts, "starts"), ends=_instant(ends, "ends"),
        registration_until=registration_until.date(),
        place=place, online=online))


@gathering_app.command("add-material")
def add_material(ctx: typer.Context, gathering: GatheringId, as_: As,
                 title: Annotated[str, typer.Option()],
                 url: Annotated[str, typer.Option(help="A link (or --text)")] = "",
                 text: Annotated[str, typer.Option(help="A text (or --url)")] = "") -> None:
    """Add a material to a gathering (the organizing Party)."""
    rt, who = _acting(ctx, as_)
    print_json(gather.add_material(rt, who, gathering, title=title, url=url, text=text))


@gathering_app.command("cancel")
def cancel(ctx: typer.Context, gathering: GatheringId, as_: As,
           reason: Annotated[str, typer.Option()]) -> None:
    """Cancel a gathering (the organizing Party); it stays listed as cancelled."""
    rt, who = _acting(ctx, as_)
    print_json(gather.cancel(rt, who, gathering, reason))


@gathering_app.command("calendar")
def calendar(ctx: typer.Context, as_: As,
             output: Annotated[Path | None, typer.Option(
                 "--out", help="Write the .ics here (default: standard output)")] = None,
             base_url: Annotated[str, typer.Option(
                 help="The node's address, for the links")] = "http://127.0.0.1:8470") -> None:
    """Every gathering as an iCalendar (RFC 5545) file."""
    rt, who = _acting(ctx, as_)
    body = calendar_feed.calendar(gather.all_gatherings(rt, who), base_url=base_url,
                                  now=rt.clock())
    if output is None:
        out.file.write(body.decode())
        return
    output.write_bytes(body)
    out.print(f"{output}: {body.count(b'BEGIN:VEVENT')} gatherings", highlight=False,
              soft_wrap=True)


# --- the library of best practice -------------------------------------------------------------

practice_app = typer.Typer(help="The library of best practice and experience (Art. 3 "
                                "direction 19, Art. 9): publish, translate, revise, search.",
                           no_args_is_help=True)
workspace_app.add_typer(practice_app, name="practice")


@practice_app.command("publish")
def practice_publish(ctx: typer.Context, title: Annotated[str, typer.Argument()], as_: As,
                     text: Annotated[str, typer.Option(help="The text (or @FILE)")],
                     language: Annotated[str, typer.Option(help="kk, ru or en")] = "ru",
                     direction: Annotated[list[int] | None, typer.Option(
                         help="An Art. 3 direction; repeat. Default 19")] = None,
                     keyword: Annotated[list[str] | None, typer.Option(
                         help="A keyword; repeat")] = None) -> None:
    """Publish a practice for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(practices.publish(rt, who, title=title, text=_text(text), language=language,
                                 directions=direction or [19], keywords=keyword or []))


@practice_app.command("translate")
def practice_translate(ctx: typer.Context, practice: Annotated[str, typer.Argument()],
                       as_: As, language: Annotated[str, typer.Option()],
                       title: Annotated[str, typer.Option()],
                       text: Annotated[str, typer.Option(help="The text (or @FILE)")]) -> None:
    """Add a practice in another language."""
    rt, who = _acting(ctx, as_)
    print_json(practices.translate(rt, who, practice, language=language, title=title,
                                   text=_text(text)))


@practice_app.command("search")
def practice_search(ctx: typer.Context, as_: As,
                    query: Annotated[str, typer.Argument(help='Words, "phrases", prefix*')] = "",
                    direction: Annotated[int | None, typer.Option()] = None,
                    language: Annotated[str | None, typer.Option()] = None) -> None:
    """Search the library in every language, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(practices.search(rt, who, query, direction=direction, language=language))


def _text(value: str) -> str:
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file: give --text @FILE with a readable file, "
                               "or the text itself.", field="text")
        return path.read_text(encoding="utf-8")
    return value
