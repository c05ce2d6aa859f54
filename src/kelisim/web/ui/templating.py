"""Rendering a page: one Jinja2 environment per language, and what every page is given.

Each environment has its language's catalog installed (`_`, `gettext`, `ngettext`, newstyle, so
`_("%(n)s entries", n=3)` is escaped and checked), autoescaping on, and the formatter of that
language. A page's response also carries the CSRF and language cookies and the security headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import SQLAlchemyError

from kelisim.domain.access import (
    Action,
    CertificationAction,
    ExchangeAction,
    allowed,
    certification_allowed,
    exchange_allowed,
)
from kelisim.domain.accounts import Principal
from kelisim.services.exchange.collections import state_today
from kelisim.services.notifications.inbox import unread_count
from kelisim.web.ui import security
from kelisim.web.ui.i18n import (
    LANG_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Formatter,
    negotiate,
    translations,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                           "base-uri 'none'")
YEAR_SECONDS = 365 * 24 * 3600


def _stamp(fmt: Formatter, key: str | None) -> str:
    """A stored timestamp key (`taxii.version_key`) as the reader's language writes instants."""
    if not key:
        return "—"
    return fmt.datetime(key.replace("Z", "+00:00"))


@cache
def environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    fmt = env.globals["fmt"] = Formatter(lang)
    env.filters["stix_stamp"] = lambda key: _stamp(fmt, key)
    # refusals imports the status page's labels, which import this module: bind at first use
    from kelisim.web.ui.refusals import translated_article, translated_reason
    env.globals["reason_in_lang"] = lambda error: translated_reason(error, lang)
    env.globals["article_in_lang"] = lambda article: translated_article(article, lang)
    return env


def request_lang(request: Request) -> str:
    lang = getattr(request.state, "lang", None)
    if lang is None:
        lang = negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                         request.headers.get("accept-language"))
        request.state.lang = lang
    return str(lang)


def gettext_for(request: Request) -> Any:
    return translations(request_lang(request)).gettext


def lang_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', lang)])}"


def nav(principal: Principal | None, exchange: bool = False) -> list[tuple[str, str]]:
    """(path, msgid) of the areas this principal may open; decided by domain/access.py
    (`exchange`: whether the exchange's policy lets this account read or post today)."""
    if principal is None:
        return []
    items = [("/agreement", N_("The Agreement")), ("/status", N_("Status")),
             ("/depositary", N_("Depositary"))]
    if exchange:
        items.append(("/exchange", N_("Exchange")))
    if allowed(principal, Action.READ_WORKSPACE):
        items.append(("/workspace", N_("Workspace")))
    if certification_allowed(principal, CertificationAction.READ):
        items.append(("/certification", N_("Certification")))
    if allowed(principal, Action.MANAGE_ACCOUNTS, party=principal.party):
        items.append(("/accounts", N_("Accounts")))
    if allowed(principal, Action.READ_FEDERATION, party=principal.party):
        items.append(("/federation", N_("Federation")))
    return items


def exchange_open(rt: Any, principal: Principal | None) -> bool:
    """May this account read or post in the exchange today (its Party's state on the clock's
    date, Art. 13-15; `domain.access.exchange_allowed`)?"""
    if principal is None:
        return False
    state = state_today(rt, principal)
    return any(exchange_allowed(principal, action, state) for action in
               (ExchangeAction.READ_OBJECTS, ExchangeAction.ADD_OBJECTS))


def _unread(rt: Any, principal: Principal | None) -> int:
    """The header's count of unread notices; none shown if the store cannot say (an error
    page must still render)."""
    if principal is None:
        return 0
    try:
        return unread_count(rt, principal)
    except SQLAlchemyError:
        return 0


def render(request: Request, template: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200, principal: Principal | None = None) -> HTMLResponse:
    lang = request_lang(request)
    rt = request.app.state.runtime
    key = security.signing_key(rt)
    principal = principal or getattr(request.state, "principal", None)
    page = {
        "request": request, "lang": lang, "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES, "lang_url": lambda code: lang_url(request, code),
        "user": principal, "nav": nav(principal, exchange_open(rt, principal)),
        "inbox_unread": _unread(rt, principal),
        "path": request.url.path,
        "csrf_field": security.CSRF_FIELD, "csrf_token": security.csrf_token(request, key),
        **(context or {}),
    }
    body = environment(lang).get_template(template).render(page)
    response = HTMLResponse(body, status_code=status_code)
    finish(request, response)
    return response


def see_other(request: Request, target: str) -> Response:
    """303 to the page that shows what a form did: a reload of it never repeats the action."""
    response = RedirectResponse(target, status_code=303)
    finish(request, response)
    return response


def finish(request: Request, response: Any) -> None:
    """Cookies (CSRF seed, language choice) and security headers on any UI response."""
    if request.cookies.get(security.CSRF_COOKIE) != security.csrf_seed(request):
        security.set_cookie(request, response, security.CSRF_COOKIE, security.csrf_seed(request))
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and chosen != request.cookies.get(LANG_COOKIE):
        security.set_cookie(request, response, LANG_COOKIE, chosen, max_age=YEAR_SECONDS)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
