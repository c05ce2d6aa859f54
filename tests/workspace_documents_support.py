"""Small real documents for the workspace documents' tests: a PDF, a DOCX and an ODT as their
formats lay them out (a zip with the right `[Content_Types].xml` or `mimetype`), and a zip that
is neither."""

from __future__ import annotations

import io
import zipfile

from kelisim.domain.workspace.documents import DOCX_MAIN, ODT_MIMETYPE


def pdf(text: str = "Draft model law on information security", pad: int = 0) -> bytes:
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n"
            + b"0" * pad + b"\n%%EOF\n")
    return body


def entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so that the same document is the same bytes."""
    return zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0))


def docx(text: str = "Draft normative document") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry("[Content_Types].xml"), (
            b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            b'ContentType="' + DOCX_MAIN + b'"/></Types>'))
        archive.writestr(entry("word/document.xml"), f"<w:document>{text}</w:document>")
    return buffer.getvalue()


def odt(text: str = "Draft normative document") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry("mimetype"), ODT_MIMETYPE,
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr(entry("content.xml"), f"<office:document-content>{text}"
                                        "</office:document-content>")
    return buffer.getvalue()


def other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry("readme.txt"), "not a document")
    return buffer.getvalue()
