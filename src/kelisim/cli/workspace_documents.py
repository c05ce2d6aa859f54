"""`kelisim workspace documents ...`: documents circulated for comment (issue 15 item 3; Art. 3
directions 1-3, Art. 5, Art. 6), from the console, as a named account (`--as`).

`add` and `add-version` stream the local file into the node's store in chunks under the same
limit (KELISIM_MAX_DOCUMENT_BYTES) and checks as an upload over HTTP; `download` copies a
version's file out and prints its SHA-256.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from kelisim.cli.base import print_json
from kelisim.cli.workspace import As, ProjectId, _acting, workspace_app
from kelisim.services.workspace import documents as docs

documents_app = typer.Typer(help="Documents circulated for comment: upload, versions, "
                                 "circulate, comment, agree, adopt (Art. 5, 6).",
                            no_args_is_help=True)
workspace_app.add_typer(documents_app, name="documents")
DocumentId = Annotated[str, typer.Argument(help="The document's id.")]
FileArg = Annotated[Path, typer.Argument(help="A PDF, DOCX or ODT file.", exists=True,
                                         dir_okay=False, readable=True)]


@documents_app.command("add")
def add(ctx: typer.Context, project: ProjectId, file: FileArg, as_: As,
        title: Annotated[str, typer.Option(help="Its title.")],
        language: Annotated[str, typer.Option(help="kk, ru or en.")],
        description: Annotated[str, typer.Option(help="What it is for.")] = "",
        classification: Annotated[str, typer.Option(
            help="open or restricted (state-secret is refused, Art. 6).")] = "open",
        restricted_to: Annotated[list[str] | None, typer.Option(
            help="A Party a restricted document is for; repeat for several.")] = None) -> None:
    """Upload a draft (its first version) to a project the acting Party takes part in."""
    rt, who = _acting(ctx, as_)
    incoming = docs.begin_upload(rt, who, project)
    with file.open("rb") as source:
        docs.receive(incoming, source)
    print_json(docs.add_document(rt, who, project, incoming, docs.Metadata(
        title=title, language=language, description=description,
        classification=classification, restricted_to=restricted_to or []), file.name))


@documents_app.command("add-version")
def add_version(ctx: typer.Context, project: ProjectId, document: DocumentId, file: FileArg,
                as_: As) -> None:
    """Upload a new version (the uploading Party; while a draft or circulated)."""
    rt, who = _acting(ctx, as_)
    incoming = docs.begin_upload(rt, who, project, document)
    with file.open("rb") as source:
        docs.receive(incoming, source)
    print_json(docs.add_version(rt, who, project, document, incoming, file.name))


@documents_app.command("list")
def list_documents(ctx: typer.Context, project: ProjectId, as_: As) -> None:
    """A project's documents the acting Party may know of (Art. 6), newest first."""
    rt, who = _acting(ctx, as_)
    print_json(docs.list_documents(rt, who, project))


@documents_app.command("show")
def show(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As) -> None:
    """A document: its versions and SHA-256, state, agreements and comments per Party."""
    rt, who = _acting(ctx, as_)
    print_json(docs.show_document(rt, who, project, document))


@documents_app.command("history")
def history(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As) -> None:
    """Every change to a document: its events, who and when."""
    rt, who = _acting(ctx, as_)
    print_json(docs.document_history(rt, who, project, document))


@documents_app.command("circulate")
def circulate(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As) -> None:
    """Send the draft to the other participating Parties' authorized bodies (Art. 5)."""
    rt, who = _acting(ctx, as_)
    print_json(docs.circulate_document(rt, who, project, document))


@documents_app.command("comment")
def comment(ctx: typer.Context, project: ProjectId, document: DocumentId,
            text: Annotated[str, typer.Argument(help="The comment.")], as_: As) -> None:
    """Comment on the current version, for the acting Party (while circulated)."""
    rt, who = _acting(ctx, as_)
    print_json(docs.comment_on_document(rt, who, project, document, text))


@documents_app.command("agree")
def agree(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As,
          version: Annotated[int, typer.Option(help="The version agreed (the current).")]
          ) -> None:
    """Agree the current version for the acting Party (Art. 5)."""
    rt, who = _acting(ctx, as_)
    print_json(docs.agree_document(rt, who, project, document, version))


@documents_app.command("adopt")
def adopt(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As) -> None:
    """Adopt a document every participating Party agreed (the lead Party)."""
    rt, who = _acting(ctx, as_)
    print_json(docs.adopt_document(rt, who, project, document))


@documents_app.command("download")
def download(ctx: typer.Context, project: ProjectId, document: DocumentId, as_: As,
             output: Annotated[Path, typer.Option("--output", "-o", help="Where to write it.")],
             version: Annotated[int | None, typer.Option(
                 help="The version (default: the current).")] = None) -> None:
    """Copy a version's file out; prints its SHA-256, size and media type."""
    rt, who = _acting(ctx, as_)
    found = docs.open_version(rt, who, project, document, version)
    shutil.copyfile(found.path, output)
    print_json({"sha256": found.sha256, "size": found.size, "media_type": found.media_type,
                "written": str(output)})
