"""What every UI route shares: who is signed in, CSRF checks, and errors as HTML pages.

`UiRoute` turns kelisim's refusals into pages in the reader's language (the HTTP API turns the
same exceptions into problem details): an unauthenticated visitor is sent to sign in, any other
refusal is shown with its article. A form POST without a valid CSRF token is refused with 403
before the endpoint runs.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import AuthenticationRequired, KelisimError
from kelisim.services.signin import session_principal
from kelisim.web.ui import security
from kelisim.web.ui.i18n import N_
from kelisim.web.ui.templating import render

ERROR_TITLES: dict[str, str] = {
    "rule_violation": N_("Refused by a rule of the Agreement"),
    "invalid_input": N_("Invalid input"),
    "not_found": N_("Not found"),
    "conflict": N_("Conflict with the record"),
    "authentication_required": N_("Authentication required"),
    "permission_denied": N_("Permission denied"),
    "ledger_tampered": N_("The ledger does not verify"),
    "csrf": N_("This form cannot be accepted"),
    "error": N_("Request refused"),
}


class CsrfRefused(KelisimError):
    status = 403
    code = "csrf"
    title = "CSRF token missing or invalid"


class UiRoute(APIRoute):
    """A route whose refusals become HTML pages (or a redirect to the sign-in page)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except AuthenticationRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/signin?next={quote(target, safe='')}", 303)
            except KelisimError as error:
                return error_page(request, error)
            except RequestValidationError as error:
                first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
                where = ".".join(str(p) for p in first["loc"])
                return error_page(request, KelisimError(f"{where}: {first['msg']}"), 400)

        return handler


def error_page(request: Request, error: KelisimError, status: int | None = None) -> Response:
    return render(request, "error.html", {
        "error": error, "error_title": ERROR_TITLES.get(error.code, ERROR_TITLES["error"]),
    }, status_code=status or error.status)


async def current_principal(request: Request) -> Principal | None:
    """The signed-in account, or None; looked up once per request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    rt = request.app.state.runtime
    sid = security.session_id(request, security.signing_key(rt))
    principal = await run_in_threadpool(session_principal, rt, sid) if sid else None
    request.state.principal = principal
    return principal


async def signed_in(request: Request) -> Principal:
    principal = await current_principal(request)
    if principal is None:
        raise AuthenticationRequired("Sign in to see this page.")
    return principal


UserDep = Annotated[Principal, Depends(signed_in)]
MaybeUserDep = Annotated[Principal | None, Depends(current_principal)]


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token is verified (403 otherwise)."""
    form = await request.form()
    key = security.signing_key(request.app.state.runtime)
    if not security.csrf_valid(request, key, form.get(security.CSRF_FIELD)):
        await form.close()  # an uploaded file of a refused form is dropped at once
        raise CsrfRefused("The form carried no valid security token (CSRF). Reload the page "
                          "and send the form again.")
    return form


FormDep = Annotated[FormData, Depends(checked_form)]
