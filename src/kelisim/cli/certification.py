"""The certification registry from the console (Art. 2; Art. 3, direction 14).

`kelisim schemes add`, `kelisim arrangements add`, `kelisim certificates add/event/verify/import/
export/search/show`, `kelisim certification verify-ledger/rebuild/changes`. Like every command, they
act on the data folder as its local operator (the node's console), which may record on any
Party's behalf — e.g. to load a scheme's existing registry; over HTTP each account records only
what `domain/access.py` allows it.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from kelisim.cli.base import (
    LOCAL_OPERATOR,
    app,
    err,
    out,
    parse_day,
    print_json,
    read_json,
    runtime,
)
from kelisim.domain.errors import KelisimError
from kelisim.services.certification import catalogue, feed, integrity, recording, verification

schemes_app = typer.Typer(help="Certification schemes of the Parties.", no_args_is_help=True)
certificates_app = typer.Typer(help="Certificates of information protection tools.",
                               no_args_is_help=True)
arrangements_app = typer.Typer(help="Recognition arrangements between schemes.",
                               no_args_is_help=True)
certification_app = typer.Typer(help="The certification registry's ledger and feed.",
                                no_args_is_help=True)
app.add_typer(schemes_app, name="schemes")
app.add_typer(certificates_app, name="certificates")
app.add_typer(arrangements_app, name="arrangements")
app.add_typer(certification_app, name="certification")

JsonArg = Annotated[str, typer.Argument(help="A JSON file, a JSON object, or - for stdin.")]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def load(source: str) -> Any:
    if source == "-":
        raw = sys.stdin.read()
    elif source.lstrip().startswith("{"):
        raw = source
    else:
        return read_json(Path(source))
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise KelisimError(f"Not valid JSON: {error}.") from None


@schemes_app.command("add")
def add_scheme(ctx: typer.Context, scheme: JsonArg) -> None:
    """Record a scheme: {key, party, name, role, documents: [{key, title, scale}],
    public_fields}."""
    print_json(recording.record_scheme(runtime(ctx), LOCAL_OPERATOR, load(scheme)))


@schemes_app.command("list")
def list_schemes(ctx: typer.Context,
                 party: Annotated[str | None, typer.Option(help="Only this Party.")] = None,
                 ) -> None:
    print_json(catalogue.list_schemes(runtime(ctx), LOCAL_OPERATOR, party))


@arrangements_app.command("add")
def add_arrangement(ctx: typer.Context, arrangement: JsonArg) -> None:
    """Record an arrangement: {key, name, recognising_scheme, recognised_scheme, caps, valid_from,
    ends_on, above_cap, recognition_period_months}."""
    print_json(recording.record_arrangement(runtime(ctx), LOCAL_OPERATOR, load(arrangement)))


@arrangements_app.command("list")
def list_arrangements(ctx: typer.Context,
                      party: Annotated[str | None, typer.Option(
                          help="Only those of this recognising Party.")] = None) -> None:
    print_json(catalogue.list_arrangements(runtime(ctx), LOCAL_OPERATOR,
                                           recognising_party=party))


@certificates_app.command("add")
def add_certificate(ctx: typer.Context, certificate: JsonArg) -> None:
    """Record a certificate's issue: {number, scheme, product, vendor, version, category,
    requirements: [{document, level}], issued_on, expires_on, documents}."""
    print_json(recording.issue_certificate(runtime(ctx), LOCAL_OPERATOR, load(certificate)))


@certificates_app.command("event")
def add_event(ctx: typer.Context,
              number: Annotated[str, typer.Argument(help="Certificate number.")],
              event: Annotated[str, typer.Argument(help="amended, maintenance, suspended, "
                                                   "reinstated, withdrawn or expired.")],
              on: Annotated[str, typer.Option(help="Date of the event, YYYY-MM-DD.")],
              reason: Annotated[str | None, typer.Option(help="Why.")] = None,
              version: Annotated[str | None, typer.Option(help="Maintenance: version.")] = None,
              title: Annotated[str | None, typer.Option(help="Maintenance: title.")] = None,
              changes: Annotated[str | None, typer.Option(
                  help="Amended: the changed fields as JSON.")] = None) -> None:
    """Record a lifecycle event; the state is derived by replaying every event."""
    raw: dict[str, Any] = {"on": on, "reason": reason, "version": version, "title": title}
    if changes:
        raw["changes"] = load(changes)
    result = recording.record_event(runtime(ctx), LOCAL_OPERATOR, number, event, raw)
    out.print(f"Recorded {event} of {number} on {on} (ledger entry {result['seq']}).")


@certificates_app.command("verify")
def verify(ctx: typer.Context,
           number: Annotated[str, typer.Argument(help="Certificate number.")],
           party: Annotated[str, typer.Option("--in", help="The Party asked about.")],
           on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
           json: Annotated[bool, typer.Option("--json", help="JSON, as the API gives.")] = False,
           ) -> None:
    """Is certificate N valid in Party P on day D, and why? Exit status 2 when it is not."""
    answer = verification.verify_certificate(runtime(ctx), LOCAL_OPERATOR, number, party,
                                             parse_day(on) if on else None)
    verdict = answer["verdict"]
    if json:
        print_json(answer)
    else:
        word = "[green]VALID[/green]" if verdict["valid"] else "[red]NOT VALID[/red]"
        out.print(f"{number}: {word} in {verdict['in']} on {verdict['on']}")
        for i, reason in enumerate(verdict["reasons"], 1):
            mark = "+" if reason["ok"] else "-"
            out.print(f"  {i}. {mark} {reason['text']} ({reason['article']})", highlight=False)
    if not verdict["valid"]:
        raise typer.Exit(2)


@certificates_app.command("show")
def show(ctx: typer.Context, number: Annotated[str, typer.Argument()]) -> None:
    print_json(catalogue.get_certificate(runtime(ctx), LOCAL_OPERATOR, number))


@certificates_app.command("search")
def search(ctx: typer.Context,
           text: Annotated[str | None, typer.Argument(help="Words of product or vendor.")] = None,
           party: str | None = None, scheme: str | None = None, category: str | None = None,
           vendor: str | None = None, requirement: str | None = None, level: str | None = None,
           state: str | None = None,
           on: Annotated[str | None, typer.Option(help="Date for --state.")] = None,
           limit: int = 50, cursor: str | None = None) -> None:
    """One page of certificates (JSON with `next`, the cursor of the following page)."""
    print_json(catalogue.search_certificates(
        runtime(ctx), LOCAL_OPERATOR, limit=limit, cursor=cursor, party=party, scheme=scheme,
        category=category, vendor=vendor, requirement=requirement, level=level, state=state,
        on=parse_day(on) if on else None, text=text))


@certificates_app.command("import")
def import_csv(ctx: typer.Context,
               file: Annotated[Path, typer.Argument(help="CSV in the CCRA list layout.")],
               scheme: Annotated[str, typer.Option(help="The scheme the list belongs to.")],
               ) -> None:
    """Load a scheme's registry, all or nothing; every bad line is named."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise KelisimError(f"Cannot read {file}: {error}.") from None
    try:
        result = catalogue.import_csv(runtime(ctx), LOCAL_OPERATOR, scheme, text)
    except KelisimError as error:
        for line in error.details.get("errors", [])[1:]:
            err.print(f"  line {line['line']}: {line['reason']}", highlight=False, markup=False)
        raise
    out.print(f"Imported {result['imported']} certificates "
              f"({result['maintenance_reports']} maintenance reports) into {scheme}.")


@certificates_app.command("export")
def export(ctx: typer.Context,
           format: Annotated[ExportFormat, typer.Option(help="csv or json.")] = ExportFormat.CSV,
           extended: Annotated[bool, typer.Option(
               help="Add number, version, expiry, domain and state columns.")] = False,
           scheme: str | None = None, party: str | None = None,
           output: Annotated[Path | None, typer.Option("-o", "--output")] = None) -> None:
    """The registry in the CCRA certified products list layout (dates MM/DD/YYYY)."""
    rt, filters = runtime(ctx), {"scheme": scheme, "party": party}
    if format is ExportFormat.JSON:
        data = orjson.dumps(catalogue.export_json(rt, LOCAL_OPERATOR, extended=extended,
                                                  **filters), option=orjson.OPT_INDENT_2)
        text = data.decode() + "\n"
    else:
        text = catalogue.export_csv(rt, LOCAL_OPERATOR, extended=extended, **filters)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@certification_app.command("verify-ledger")
def verify_ledger(ctx: typer.Context) -> None:
    """Recompute the certification ledger's hash chain; exit 1 naming every break."""
    report = integrity.verify_certification_ledger(runtime(ctx), LOCAL_OPERATOR)
    if report["ok"]:
        out.print(f"[green]OK[/green]: {report['entries']} entries, chain intact; head "
                  f"{report['head']['seq']} {report['head']['hash']}")
        return
    err.print(f"[red]TAMPERED[/red]: {len(report['problems'])} problem(s):")
    for problem in report["problems"]:
        err.print(f"  - {problem}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)


@certification_app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Drop the registry's projection and replay it from the ledger."""
    result = integrity.rebuild_projection(runtime(ctx), LOCAL_OPERATOR)
    out.print(f"Replayed {result['entries']} entries into {result['certificates']} certificates.")


@certification_app.command("changes")
def changes(ctx: typer.Context,
            since: Annotated[str | None, typer.Option(help="RFC 3339 timestamp.")] = None,
            after: int = 0, limit: int = 100) -> None:
    """The change feed (what `GET /api/v1/certification/changes` gives)."""
    try:
        changed_since = datetime.fromisoformat(since) if since else None
    except ValueError:
        raise KelisimError(f"--since must be an RFC 3339 timestamp, not {since!r}.") from None
    print_json(feed.changes(runtime(ctx), LOCAL_OPERATOR, changed_since=changed_since,
                            after=after, limit=limit))
