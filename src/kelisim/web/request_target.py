"""Refuse a request whose path or query string holds a NUL character, before any route runs.

No id, number, Party code, date or page token of kelisim contains NUL, and PostgreSQL refuses
NUL in text: a `%00` that reached a lookup used to answer 500 on PostgreSQL and an empty 200 on
SQLite (issue 17). One check here gives every route the same 400 on both stores, instead of a
guard in each of some forty lookups; NUL inside JSON bodies is judged by the domain
(kelisim.domain.inputs), which can name the field.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kelisim.web.problems import is_taxii, problem
from kelisim.web.taxii.media import taxii_error

REASON = ("The request's path or query string contains a NUL character (%00), which no "
          "kelisim identifier, code or filter value contains.")


class NulInRequestTarget:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
                "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
                or b"\x00" in scope.get("query_string", b"")):
            if is_taxii(scope["path"]):
                response = taxii_error(400, "Bad request", REASON)
            else:
                response = problem(400, "Bad request", REASON, code="nul_in_request_target")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
