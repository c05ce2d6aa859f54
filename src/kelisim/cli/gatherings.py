"""`kelisim workspace gathering|practice|review ...`: training courses, conferences, symposia,
meetings (Art. 3 directions 17-19, Art. 9) from the console, acting as a named account, the
calendar as an .ics file, the library of practice and the requests for expert review of R&D
work (Art. 3 direction 16)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import out, print_json
from kelisim.cli.workspace import As, _acting, workspace_app
from kelisim.domain.errors import InvalidInput
from kelisim.services.workspace import calendar_feed, practices, reviews
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


# --- requests for expert review of R&D work (Art. 3 direction 16) --------------------------------

review_app = typer.Typer(help="Requests for expert review of R&D work (Art. 3 direction 16, "
                              "Art. 6, 9): request, assign, decline, conclude, close.",
                         no_args_is_help=True)
workspace_app.add_typer(review_app, name="review")
ReviewId = Annotated[str, typer.Argument(help="The review's id.")]


@review_app.command("request")
def review_request(ctx: typer.Context, title: Annotated[str, typer.Argument()], as_: As,
                   summary: Annotated[str, typer.Option(help="The R&D work (or @FILE)")],
                   ask: Annotated[list[str], typer.Option(
                       help="A Party asked for experts (KAZ); repeat")],
                   deadline: Annotated[str, typer.Option(help="Last day for conclusions")],
                   direction: Annotated[list[int] | None, typer.Option(
                       help="An Art. 3 direction; repeat. Default 16")] = None,
                   url: Annotated[str, typer.Option(help="A link to the work")] = "",
                   restricted: Annotated[bool, typer.Option(
                       help="Only the requesting and asked Parties see it (Art. 6)")] = False
                   ) -> None:
    """Request an expert review for the acting account's Party."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.request(rt, who, title=title, summary=_text(summary),
                               directions=direction or [16], asked=ask,
                               deadline=_day(deadline, "deadline"), url=url,
                               restricted=restricted))


@review_app.command("assign")
def review_assign(ctx: typer.Context, review: ReviewId, as_: As,
                  expert: Annotated[list[str], typer.Option(
                      help='"Name|qualification or organization"; repeat')]) -> None:
    """Assign experts of the acting account's Party (a Party asked)."""
    rt, who = _acting(ctx, as_)
    people = [dict(zip(("name", "qualification"), [*e.split("|", 1), ""][:2], strict=True))
              for e in expert]
    print_json(reviews.assign(rt, who, review, people))


@review_app.command("decline")
def review_decline(ctx: typer.Context, review: ReviewId, as_: As,
                   reason: Annotated[str, typer.Option()]) -> None:
    """Decline to provide experts (a Party asked)."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.decline(rt, who, review, reason))


@review_app.command("conclude")
def review_conclude(ctx: typer.Context, review: ReviewId, as_: As,
                    expert: Annotated[str, typer.Option(help="The expert's id")],
                    verdict: Annotated[str, typer.Option(
                        help="supports, supports_with_remarks or does_not_support")],
                    text: Annotated[str, typer.Option(help="The conclusion (or @FILE)")]
                    ) -> None:
    """Submit (or revise) an expert's conclusion (the expert's Party)."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.conclude(rt, who, review, expert_id=expert, verdict=verdict,
                                text=_text(text)))


@review_app.command("close")
def review_close(ctx: typer.Context, review: ReviewId, as_: As,
                 summary: Annotated[str, typer.Option(help="The summary (or @FILE)")]) -> None:
    """Close the review with a summary (the requesting Party)."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.close(rt, who, review, _text(summary)))


@review_app.command("list")
def review_list(ctx: typer.Context, as_: As,
                status: Annotated[str | None, typer.Option(
                    help="open, overdue or closed")] = None) -> None:
    """The reviews the acting account may see, newest first."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.listed(rt, who, status=status))


@review_app.command("show")
def review_show(ctx: typer.Context, review: ReviewId, as_: As) -> None:
    """A review, its experts and their latest conclusions."""
    rt, who = _acting(ctx, as_)
    print_json(reviews.show(rt, who, review))


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} is a day such as 2027-03-01.", field=name) from None


def _text(value: str) -> str:
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file: give --text @FILE with a readable file, "
                               "or the text itself.", field="text")
        return path.read_text(encoding="utf-8")
    return value
