"""TAXII 2.1 on the wire: media types, content negotiation, error bodies, authentication.

* Every TAXII response is `application/taxii+json;version=2.1` (TAXII 2.1 section 1.6.8); a
  request whose Accept admits no such type (or gives it `q=0`) gets 406, a POST whose
  Content-Type is not it, 415.
* Errors are the TAXII error message (section 3.6.1: title, description, http_status as a
  string) - never RFC 9457 problem details, which the rest of the API uses.
* Clients authenticate with a kelisim token as `Authorization: Bearer <token>`, `Token <token>`
  (taxii2-client's TokenAuth) or HTTP Basic with the token as password (what MISP, OpenCTI and
  most TAXII clients offer); discovery alone is public (section 4.1).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import AuthenticationRequired, KelisimError
from kelisim.services.accounts import authenticate

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


def taxii_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def taxii_error(status: int, title: str, description: str, *,
                headers: dict[str, str] | None = None, **details: Any) -> Response:
    body: dict[str, Any] = {"title": title, "description": description,
                            "http_status": str(status)}
    if details:
        body["details"] = details
    if status == 401:
        headers = {**(headers or {}),
                   "WWW-Authenticate": 'Bearer realm="kelisim", Basic realm="kelisim"'}
    return taxii_response(body, status, headers)


def error_for(error: KelisimError) -> Response:
    details = dict(error.details)
    if error.article:
        details["article"] = error.article
    return taxii_error(error.status, error.title, error.reason, code=error.code, **details)


class TaxiiRoute(APIRoute):
    """Routes whose refusals are TAXII error messages, never problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def taxii_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except KelisimError as error:
                return error_for(error)
            except RequestValidationError as error:
                first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
                where = ".".join(str(p) for p in first["loc"])
                return taxii_error(400, "Invalid input", f"{where}: {first['msg']}")

        return taxii_handler


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        params = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        ranges.append((pieces[0].lower(), params))
    return ranges


def accepts_taxii(header: str | None) -> bool:
    """Whether an Accept header admits TAXII 2.1 JSON (no header admits anything). The most
    specific range that matches decides, and `q=0` means "not acceptable" (RFC 9110 section
    12.4.2): `application/taxii+json;version=2.1;q=0, */*` refuses it."""
    if header is None or not header.strip():
        return True
    best: tuple[int, float] | None = None
    for media, params in _media_ranges(header):
        rank = _specificity(media, params)
        if rank is None:
            continue
        weight = _weight(params.get("q"))
        if best is None or rank > best[0] or (rank == best[0] and weight > best[1]):
            best = (rank, weight)
    return best is not None and best[1] > 0


def _specificity(media: str, params: dict[str, str]) -> int | None:
    """How specifically a media range names TAXII 2.1 JSON; None if it does not admit it."""
    if media == "*/*":
        return 0
    if media == "application/*":
        return 1
    if media != "application/taxii+json":
        return None
    if "version" not in params:
        return 2
    return 3 if params["version"] == "2.1" else None


def _weight(raw: str | None) -> float:
    """A qvalue (RFC 9110 section 12.4.2); a malformed one is read as 1, as if absent."""
    if raw is None:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        return 1.0
    return min(max(value, 0.0), 1.0) if value == value else 1.0


async def require_accept(request: Request) -> None:
    """On the event loop: a sync dependency would cost every request a trip to a thread."""
    if not accepts_taxii(request.headers.get("accept")):
        raise NotAcceptable(f"This endpoint answers {TAXII_MEDIA_TYPE} only "
                            "(TAXII 2.1 section 1.6.8); send it in Accept.")


def require_content_type(request: Request) -> None:
    ranges = _media_ranges(request.headers.get("content-type") or "")
    if not ranges or ranges[0][0] != "application/taxii+json" or \
            ranges[0][1].get("version", "2.1") != "2.1":
        raise UnsupportedMediaType(f"POST a TAXII envelope as {TAXII_MEDIA_TYPE} "
                                   "(TAXII 2.1 section 5.5).")


class NotAcceptable(KelisimError):
    status = 406
    code = "not_acceptable"
    title = "Not acceptable"


class UnsupportedMediaType(KelisimError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


async def taxii_token(request: Request) -> str:
    """The token of a TAXII request, from a Bearer, Token or Basic authorization header; not yet
    checked (`taxii_principal` checks it, or the read that uses it, in its own transaction)."""
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    token = value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(token, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationRequired("The Basic credentials are malformed.") from None
        token = decoded.partition(":")[2]
    elif scheme.lower() not in ("bearer", "token"):
        token = ""
    if not token:
        raise AuthenticationRequired("TAXII endpoints other than discovery need a kelisim token: "
                                     "Authorization: Bearer kls_..., or Basic with the token "
                                     "as password (TAXII 2.1 section 1.6.9).")
    return token


async def taxii_principal(request: Request) -> Principal:
    """The account of a TAXII request."""
    token = await taxii_token(request)
    return await run_in_threadpool(authenticate, request.app.state.runtime, token)


def query_items(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def limit_bytes(request: Request) -> int:
    return int(request.app.state.runtime.settings.max_request_bytes)

