"""Response headers every answer carries, whatever route or error produced it.

`X-Content-Type-Options: nosniff` on every response (API and TAXII JSON, problem details,
documents, the UI): a browser must never run a stored upload or a JSON body as HTML. Over
https - direct, or behind a proxy whose `X-Forwarded-Proto` the server trusts
(`--proxy-headers`) - `Strict-Transport-Security` too, so that a browser that once reached the
node over TLS never falls back to plain HTTP (RFC 6797); never over plain http, where it would
mean nothing and could lock out a node reached by address in a test.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = b"max-age=31536000"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"x-content-type-options",
                                                b"strict-transport-security")]
                headers.append((b"x-content-type-options", b"nosniff"))
                if secure:
                    headers.append((b"strict-transport-security", HSTS))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def attachment_headers(filename: str) -> dict[str, str]:
    """A stored upload is always served as an attachment in a sandbox: its uploader chose its
    bytes, so a document that is in fact HTML or SVG must never run as a page of this origin,
    next to a reader's session (issue 17; as the certification documents are served). The
    name is given ASCII-only and as RFC 5987 UTF-8."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                         for c in filename) or "document"
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{quote(filename, safe='')}",
            "Content-Security-Policy": "sandbox; default-src 'none'"}
