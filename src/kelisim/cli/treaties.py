"""The treaties the depositary tracks (Art. 11, 13) and the consolidated text, from the console."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from kelisim.cli.base import LOCAL_OPERATOR, app, checked_lang, out, parse_day, print_json, runtime
from kelisim.services import treaties

agreement_app = typer.Typer(help="The Agreement's text as amended by its protocols (Art. 11).",
                            no_args_is_help=True)
app.add_typer(agreement_app, name="agreement")


@app.command("treaties")
def list_treaties(ctx: typer.Context,
                  on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default "
                                                         "today).")] = None,
                  json: Annotated[bool, typer.Option("--json", help="JSON, as the API "
                                                     "gives.")] = False,
                  lang: Annotated[str, typer.Option(help="Titles in kk, ru or en.")] = "en",
                  ) -> None:
    """The Agreement and every protocol the depositary recorded, with their terms (Art. 11)."""
    checked_lang(lang)
    rt = runtime(ctx)
    body = treaties.list_treaties(rt, LOCAL_OPERATOR, parse_day(on) if on else rt.clock().date())
    if json:
        print_json({"treaties": body})
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("Treaty", "Kind", "Done", "Entry into force", "Notifications", "Title"):
        table.add_column(column, no_wrap=column != "Title")
    for treaty in body:
        terms = treaty["entry_into_force"]
        table.add_row(treaty["id"], treaty["kind"], treaty["done_on"], terms["date"] or "not yet",
                      f"{treaty['notifications_received']}/{terms['notifications']}",
                      treaty["titles"].get(lang, ""))
    out.print(table)


def print_treaty_status(body: dict[str, Any], lang: str) -> None:
    """A protocol's status as a table (the Agreement's keeps its own, `kelisim status`)."""
    treaty = body["treaty"]
    since = treaty["entry_into_force_date"] or "not yet"
    state = "[green]in force[/green]" if treaty["in_force"] else "[red]not in force[/red]"
    out.print(f"On {body['on']} {treaty['id']} is {state} (entry into force: {since}; "
              f"notifications received: {treaty['notifications_received']} of "
              f"{treaty['entry_into_force']['notifications']}); {treaty['article']}.")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("Party", "Name", "State", "In force", "Ended", "Flags"):
        table.add_column(column, no_wrap=column != "Name")
    for p in body["parties"]:
        if p["state"] == "not_party":
            continue
        table.add_row(p["party"], p["names"].get(lang, ""), p["state"], p["in_force_from"] or "",
                      p["withdrawal_effective"] or "",
                      " ".join(f"{f['code']} ({f['article']})" for f in p["flags"]))
    out.print(table)


@agreement_app.command("text")
def agreement_text(ctx: typer.Context,
                   party: Annotated[str, typer.Option(help="The Party, e.g. KAZ.")],
                   on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default "
                                                          "today).")] = None,
                   lang: Annotated[str, typer.Option(help="kk, ru or en.")] = "kk",
                   json: Annotated[bool, typer.Option("--json", help="JSON, as the API "
                                                      "gives.")] = False,
                   ) -> None:
    """The Agreement in force for a Party on a date, with its protocols' amendments (Art. 11)."""
    checked_lang(lang)
    rt = runtime(ctx)
    body = treaties.consolidated_text(rt, LOCAL_OPERATOR, party,
                                      parse_day(on) if on else rt.clock().date(), lang)
    if json:
        print_json(body)
        return
    protocols = ", ".join(f"{p['protocol']} (from {p['in_force_from']})"
                          for p in body["protocols_in_force"]) or "none"
    out.print(f"{body['title']}\n{body['party']} on {body['on']}: the Agreement is "
              f"{body['agreement_state']}; protocols in force: {protocols}.", highlight=False)
    for article in body["articles"]:
        marks = "; ".join(f"{m['action']} by {m['protocol']}" for m in article["amended_by"])
        head = f"\nArticle {article['article']}" + (f" — {article['title']}"
                                                    if article["title"] else "")
        out.print(head + (f"  [{marks}]" if marks else ""), highlight=False, markup=False)
        if article["status"] == "repealed":
            out.print("(repealed)", highlight=False)
        elif article["text"]:
            label = "(summary) " if article["text_is_summary"] else ""
            out.print(label + article["text"], highlight=False, markup=False)
