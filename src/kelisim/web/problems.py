"""RFC 9457 problem details: the one mapping from kelisim's exceptions to HTTP errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kelisim.domain.errors import AuthenticationRequired, KelisimError
from kelisim.web.responses import JsonResponse
from kelisim.web.taxii.media import taxii_error

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://kelisim.example/problems/"


def is_taxii(path: str) -> bool:
    """Whether a path is the TAXII server's, whose errors are TAXII error messages."""
    return path == "/taxii2" or path.startswith("/taxii2/")


def problem(status: int, title: str, detail: str, *, code: str = "error",
            **extensions: Any) -> JsonResponse:
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail,
            **extensions}
    headers = {"WWW-Authenticate": 'Bearer realm="kelisim"'} if status == 401 else None
    return JsonResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                          headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(KelisimError)
    async def kelisim_error(_request: Request, error: KelisimError) -> JsonResponse:
        extensions = dict(error.details)
        if error.article:
            extensions["article"] = error.article
        status = 401 if isinstance(error, AuthenticationRequired) else error.status
        return problem(status, error.title, error.reason, code=error.code, **extensions)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JsonResponse:
        errors = [{"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in error.errors()]
        first = errors[0] if errors else {"location": "request", "message": "invalid"}
        return problem(400, "Invalid input", f"{first['location']}: {first['message']}",
                       code="invalid_input", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return http_error_response(request.url.path, error.status_code, str(error.detail))


def http_error_response(path: str, status: int, detail: str) -> Response:
    """A router's refusal (404...) as a TAXII error on TAXII paths, a problem detail elsewhere."""
    if is_taxii(path):  # e.g. TRACE on a path no TAXII resource has
        return taxii_error(status, detail, detail)
    return problem(status, detail, detail, code=f"http_{status}")
