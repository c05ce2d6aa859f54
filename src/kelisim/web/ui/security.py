"""Cookies the UI sets, signed with the node's key, and the CSRF token of every form.

- `kelisim_session`: a random session id (the database keeps its SHA-256 and expiry), signed
  with HMAC-SHA256 so a tampered cookie is refused before any database read. HttpOnly,
  SameSite=Lax, Secure whenever the request came over HTTPS.
- `kelisim_csrf`: a random value; each form carries HMAC(key, value | session id). A cross-site
  page can neither read the cookie nor compute the token (the synchronizer/double-submit pattern
  of the OWASP CSRF Prevention Cheat Sheet), and signing in changes the token.

The key is 256 random bits kept in the database (`exchange_secrets`, name `ui_signing`), created
on first use: every server process on the database signs and checks with the same key, so a
session opened on one is honoured by the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Request, Response

from kelisim.services.runtime import Runtime
from kelisim.services.signin import ui_signing_key

SESSION_COOKIE = "kelisim_session"
CSRF_COOKIE = "kelisim_csrf"
CSRF_FIELD = "csrf_token"
KEY_CACHE = "ui_signing_key"


def signing_key(rt: Runtime) -> bytes:
    key = rt.caches.get(KEY_CACHE)
    if key is None:
        key = rt.caches[KEY_CACHE] = ui_signing_key(rt)
    return bytes(key)


def _mac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, value: str) -> str:
    return f"{value}.{_mac(key, 'session|' + value)}"


def unsign(key: bytes, signed: str | None) -> str | None:
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    return value if hmac.compare_digest(mac, _mac(key, "session|" + value)) else None


def session_id(request: Request, key: bytes) -> str | None:
    return unsign(key, request.cookies.get(SESSION_COOKIE))


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None, http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=http_only, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def csrf_seed(request: Request) -> str:
    """The visitor's CSRF cookie value; a new one (set on the response later) if absent."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed is None:
        seed = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        request.state.csrf_seed = seed
    return str(seed)


def csrf_token(request: Request, key: bytes) -> str:
    sid = session_id(request, key) or ""
    return _mac(key, f"csrf|{csrf_seed(request)}|{sid}")


def csrf_valid(request: Request, key: bytes, submitted: object) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not isinstance(submitted, str) or not submitted:
        return False
    sid = session_id(request, key) or ""
    return hmac.compare_digest(submitted, _mac(key, f"csrf|{cookie}|{sid}"))
