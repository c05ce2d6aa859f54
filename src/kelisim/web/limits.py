"""Refuse oversized request bodies before they are read into memory (HTTP 413)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kelisim.web.problems import is_taxii, problem
from kelisim.web.taxii.media import taxii_error


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int,
                 exempt: Callable[[str], bool] = lambda _path: False) -> None:
        """`exempt`: paths whose routes stream the body under a limit of their own (the
        workspace documents' uploads, web/uploads.py)."""
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, scope)
            return
        seen = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            if refused:
                await self._refuse(send, scope)

    async def _refuse(self, send: Send, scope: Scope) -> None:
        """413 as a TAXII error message on TAXII paths (TAXII 2.1 section 3.6.1, the API root's
        max_content_length), a problem detail elsewhere."""
        path = str(scope.get("path", ""))
        if is_taxii(path):
            response = taxii_error(413, "Request too large", (
                f"The request body exceeds the limit of {self.max_bytes} bytes (the API root's "
                "max_content_length; KELISIM_MAX_REQUEST_BYTES)."))
        else:
            response = problem(413, "Request too large", (
                f"The request body exceeds the limit of {self.max_bytes} bytes "
                "(KELISIM_MAX_REQUEST_BYTES)."), code="request_too_large")
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class _TooLarge(Exception):
    pass
