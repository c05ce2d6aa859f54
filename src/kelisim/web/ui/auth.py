"""Signing in and out of the web UI, and the home page.

Sign-in: the account's name (or id) and its password (set with `kelisim accounts password` or
by a party-admin). Failures give one message whatever was wrong, and attempts are throttled per
account and per address (services/signin_throttle.py) before any password is checked. A wrong
password re-renders the form (200, the form is the resource asked for); a throttled attempt
answers 429.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from kelisim.domain.errors import AuthenticationRequired
from kelisim.services import signin, signin_throttle
from kelisim.web.ui import security
from kelisim.web.ui.routing import FormDep, MaybeUserDep, UiRoute
from kelisim.web.ui.templating import finish, render

router = APIRouter(route_class=UiRoute, include_in_schema=False)


@router.get("/")
async def home(request: Request, user: MaybeUserDep) -> Response:
    return render(request, "home.html", {"title_msg": "kelisim"})


@router.get("/signin")
async def signin_page(request: Request, user: MaybeUserDep) -> Response:
    return render(request, "signin.html", {"next": _safe_next(request.query_params.get("next")),
                                           "account": "", "failure": None})


@router.post("/signin")
async def signin_submit(request: Request, form: FormDep) -> Response:
    account = str(form.get("account", ""))[:200]
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    rt = request.app.state.runtime
    address = request.client.host if request.client else "unknown"
    attempt = await run_in_threadpool(signin_throttle.begin_attempt, rt, account, address)
    if attempt.retry_after:
        return render(request, "signin.html", {"next": target, "account": account,
                                               "failure": "rate", "wait": attempt.retry_after},
                      status_code=429)
    try:
        opened = await run_in_threadpool(signin.sign_in, rt, account, password)
    except AuthenticationRequired:
        await run_in_threadpool(signin_throttle.record_attempt, rt, attempt, failed=True)
        return render(request, "signin.html", {"next": target, "account": account,
                                               "failure": "wrong"})
    await run_in_threadpool(signin_throttle.record_attempt, rt, attempt, failed=False)
    response = RedirectResponse(target, status_code=303)
    key = security.signing_key(rt)
    lifetime = int(signin.SESSION_LIFETIME.total_seconds())
    security.set_cookie(request, response, security.SESSION_COOKIE,
                        security.sign(key, opened.session_id), max_age=lifetime)
    finish(request, response)
    return response


@router.post("/signout")
async def signout(request: Request, form: FormDep) -> Response:
    rt = request.app.state.runtime
    sid = security.session_id(request, security.signing_key(rt))
    if sid:
        await run_in_threadpool(signin.sign_out, rt, sid)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    finish(request, response)
    return response


def _safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/status"
    return target
