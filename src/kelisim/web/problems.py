"""RFC 9457 problem details: the one mapping from kelisim's exceptions to HTTP errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kelisim.domain.errors import AuthenticationRequired, KelisimError
from kelisim.web.responses import JsonResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://kelisim.example/problems/"


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
    async def http_error(_request: Request, error: StarletteHTTPException) -> JsonResponse:
        return problem(error.status_code, str(error.detail), str(error.detail),
                       code=f"http_{error.status_code}")
