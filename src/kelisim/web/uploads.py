"""A multipart/form-data upload streamed to disk as it arrives (workspace documents, issue 15).

Starlette's `request.form()` spools a file part to a temporary file and the use case would then
copy it; here the body is parsed as it is received (python-multipart's streaming parser) and
the one file part is written straight into the store's `Incoming` file, hashed and counted on
the way, so the server's memory does not grow with the file's size. The small text fields
(title, language, ...) are kept in memory up to `FIELD_LIMIT` bytes each. Past the document
limit the partial file is removed and the request refused with 413; the application's general
body limit (web/limits.py) does not apply to these routes, which have their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.storage.document_files import Incoming

FIELD_LIMIT = 64 * 1024
MAX_FIELDS = 50
FILE_FIELD = "file"
OVERHEAD = 4 * 1024 * 1024
"""What the body may hold beyond the file: the text fields and the parts' headers."""


@dataclass
class Upload:
    fields: dict[str, list[str]] = field(default_factory=dict)
    filename: str = ""
    received: bool = False

    def first(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default


class _Receiver:
    """python-multipart callbacks: each part's headers, then its data to a field or the file."""

    def __init__(self, incoming: Incoming) -> None:
        self.incoming = incoming
        self.upload = Upload()
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.is_file = False
        self.value = bytearray()
        self.error: Exception | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value_part, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished, "on_part_data": self.data,
                "on_part_end": self.part_end}

    def part_begin(self) -> None:
        self.headers, self.value, self.header_name, self.header_value = {}, bytearray(), b"", b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_value_part(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name, self.header_value = b"", b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        self.is_file = self.name == FILE_FIELD and b"filename" in options
        if self.is_file:
            if self.upload.received:
                raise _refused(N_("Send one file a request."))
            self.upload.received = True
            self.upload.filename = options[b"filename"].decode("utf-8", "replace")

    def data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.incoming.write(data[start:end])
            return
        self.value += data[start:end]
        if len(self.value) > FIELD_LIMIT:
            raise _refused(N_("A form field is longer than 64 KiB."))

    def part_end(self) -> None:
        if self.is_file or not self.name:
            return
        if sum(len(v) for v in self.upload.fields.values()) >= MAX_FIELDS:
            raise _refused(N_("Too many form fields."))
        self.upload.fields.setdefault(self.name, []).append(
            bytes(self.value).decode("utf-8", "replace"))


async def receive_upload(request: Request, incoming: Incoming) -> Upload:
    """Parse the request's multipart body into `incoming` (the file) and the text fields."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _refused(N_("Send the document as multipart/form-data with a file field."))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > incoming.limit + OVERHEAD:
        raise incoming.too_large()  # refused before a byte of the body is read
    receiver = _Receiver(incoming)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > incoming.limit + OVERHEAD:
                raise incoming.too_large()
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise _refused(N_("The multipart/form-data body is malformed.")) from None
    if not receiver.upload.received:
        raise _refused(N_("Send the document as multipart/form-data with a file field."))
    return receiver.upload


def _refused(template: str) -> InvalidInput:
    return InvalidInput(Message(template), field="file")
