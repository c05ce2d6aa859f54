"""HTTP methods as clients expect them, decided in one place for every route (decision 0011).

* `MethodTable` is what the app's routes serve: for a path, the methods some route has, plus
  HEAD wherever GET is (RFC 9110 section 9.3.2) and OPTIONS wherever anything is. It is built
  once, from the routes, at the first request; a request looks it up only when its method is
  not one a route serves (HEAD, OPTIONS, TRACE, an unknown one) or when it is refused with 405.
* `HttpMethods` (ASGI middleware) answers HEAD as GET without the body (same status and
  headers, Content-Length included), OPTIONS with 204 and `Allow`, and any method a resource
  does not have with 405 and `Allow` - before routing and authentication, from the shape of the
  path alone. `install_methods` also gives the router's own 405s (a POST on a GET-only route)
  the same answer.
* A 405 on a TAXII path is a TAXII error message (TAXII 2.1 section 3.6.1); elsewhere an RFC 9457
  problem detail. A path no route has stays 404, whatever the method.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI, Request, Response
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kelisim.web.problems import http_error_response, is_taxii, problem
from kelisim.web.taxii.media import taxii_error

NOT_A_RESOURCE = "kelisim_not_a_resource"
"""An endpoint attribute: the route answers for paths no resource has (the TAXII catch-all)."""
STATIC_METHODS = frozenset({"GET", "HEAD"})
SPEC = "RFC 9110 section 15.5.6"
F = TypeVar("F")


def not_a_resource(endpoint: F) -> F:
    """Mark a catch-all endpoint: its methods are not the methods of any resource."""
    setattr(endpoint, NOT_A_RESOURCE, True)
    return endpoint


def _static_paths(prefix: str, files: StaticFiles) -> list[str]:
    """The files a static mount serves, as paths: shipped with kelisim, fixed while it runs."""
    root = Path(str(files.directory))
    return [f"{prefix}/{found.relative_to(root).as_posix()}"
            for found in sorted(root.rglob("*")) if found.is_file()]


def allow_header(allowed: Iterable[str]) -> str:
    return ", ".join(sorted(allowed))


def with_implied(methods: Iterable[str]) -> frozenset[str]:
    """The methods a resource answers: HEAD wherever GET is, OPTIONS wherever anything is."""
    found = set(methods)
    if "GET" in found:
        found.add("HEAD")
    if found:
        found.add("OPTIONS")
    return frozenset(found)


@dataclass
class MethodTable:
    """Path patterns and the methods each serves, in route order."""

    routes: Sequence[BaseRoute]
    _entries: list[tuple[re.Pattern[str], frozenset[str]]] | None = field(default=None)
    _routed: frozenset[str] = field(default=frozenset())

    def _build(self) -> list[tuple[re.Pattern[str], frozenset[str]]]:
        entries: list[tuple[re.Pattern[str], frozenset[str]]] = []
        for context in iter_route_contexts(self.routes):
            route = context.original_route
            if isinstance(route, Mount):
                if isinstance(route.app, StaticFiles):
                    entries.extend((re.compile(re.escape(path) + r"\Z"), STATIC_METHODS)
                                   for path in _static_paths(context.path or "", route.app))
                continue
            regex = getattr(context, "path_regex", None)
            if regex is not None and context.methods and \
                    not getattr(context.endpoint, NOT_A_RESOURCE, False):
                entries.append((regex, frozenset(context.methods)))
        self._routed = frozenset(m for _, ms in entries for m in ms) - {"HEAD", "OPTIONS"}
        self._entries = entries
        return entries

    @property
    def routed(self) -> frozenset[str]:
        """Methods some route serves itself (HEAD and OPTIONS aside): the router decides."""
        if self._entries is None:
            self._build()
        return self._routed

    def allowed(self, path: str) -> frozenset[str]:
        """The methods of the resource at `path`; empty when no route has the path."""
        entries = self._entries if self._entries is not None else self._build()
        return with_implied(m for regex, methods in entries if regex.match(path)
                            for m in methods)


def method_not_allowed(path: str, method: str, allowed: frozenset[str]) -> Response:
    """405 with `Allow`, as a TAXII error on TAXII paths and a problem detail elsewhere."""
    allow = allow_header(allowed)
    text = f"{method[:20]} is not a method of this resource; it has {allow} ({SPEC})."
    headers = {"Allow": allow}
    if is_taxii(path):
        return taxii_error(405, "Method not allowed", text, headers=headers)
    response = problem(405, "Method not allowed", text, code="method_not_allowed")
    response.headers["Allow"] = allow
    return response


def route_path(scope: Scope) -> str:
    """The path the app's router matches: the request path without the app's root path (inside
    a mount, `root_path` has grown by the mount's path; `app_root_path` keeps the app's)."""
    path = str(scope["path"])
    root = str(scope.get("app_root_path", scope.get("root_path", "")))
    return path[len(root):] if root and path.startswith(root) else path


class HttpMethods:
    """HEAD, OPTIONS and unknown methods, answered before routing (see the module docstring)."""

    def __init__(self, app: ASGIApp, table: MethodTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in self.table.routed:
            await self.app(scope, receive, send)  # GET, POST...: the router decides
            return
        method = str(scope["method"])
        if method == "HEAD":
            await self._head(scope, receive, send)  # GET's answer, be it 200, 404 or 405
            return
        path = route_path(scope)
        allowed = self.table.allowed(path)
        if not allowed:
            await self.app(scope, receive, send)  # no such resource: 404 as for any method
        elif method == "OPTIONS":
            await Response(status_code=204, headers={"Allow": allow_header(allowed)})(
                scope, receive, send)
        elif method not in allowed:
            await method_not_allowed(path, method, allowed)(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The GET answer without its body (RFC 9110 section 9.3.2): same status, same headers."""
        inner = {**scope, "method": "GET"}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(inner, receive, headers_only)
        finally:
            if "route" in inner:
                scope["route"] = inner["route"]  # the metrics count the route template


def install_methods(app: FastAPI) -> MethodTable:
    """The middleware, and the same 405 for the router's own refusals of a method."""
    table = MethodTable(app.router.routes)
    app.state.method_table = table
    app.add_middleware(HttpMethods, table=table)

    async def router_405(request: Request, _error: Exception) -> Response:
        refusal = refusal_of(request)
        if refusal is None:  # only the TAXII catch-all has the path: no resource has it
            return http_error_response(request.url.path, 404, "Not Found")
        return refusal

    app.add_exception_handler(405, router_405)
    return table


def refusal_of(request: Request) -> Response | None:
    """For a catch-all endpoint: the 405 of a method the resource at the path lacks, or None
    when no resource has the path."""
    table: MethodTable = request.app.state.method_table
    path = route_path(request.scope)
    allowed = table.allowed(path)
    return method_not_allowed(path, request.method, allowed) if allowed else None

