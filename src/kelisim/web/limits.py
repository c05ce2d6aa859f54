"""Refuse oversized request bodies before they are read into memory (HTTP 413)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kelisim.web.problems import PROBLEM_BASE


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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
        import orjson

        if str(scope.get("path", "")).startswith("/taxii2/"):
            await self._refuse_taxii(send)
            return
        body = orjson.dumps({
            "type": PROBLEM_BASE + "request_too_large", "title": "Request too large",
            "status": 413,
            "detail": f"The request body exceeds the limit of {self.max_bytes} bytes "
                      "(KELISIM_MAX_REQUEST_BYTES)."})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


    async def _refuse_taxii(self, send: Send) -> None:
        """TAXII routes answer with the TAXII error message (TAXII 2.1 section 3.6.1)."""
        import orjson

        body = orjson.dumps({
            "title": "Request too large", "http_status": "413",
            "description": f"The request body exceeds the limit of {self.max_bytes} bytes "
                           "(the API root's max_content_length; KELISIM_MAX_REQUEST_BYTES)."})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/taxii+json;version=2.1"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
