"""Helpers for the UI's HTTP tests: accounts with passwords, a signed-in httpx client."""

from __future__ import annotations

import re

import httpx

from kelisim.services.accounts import create_account
from kelisim.services.runtime import Runtime
from kelisim.services.signin import set_password

PASSWORD = "correct horse battery"
SIGNATORIES = ("KAZ", "RUS", "BLR", "ARM")
HISTORY = [
    *({"kind": "signature", "party": p, "date": "2013-11-20"} for p in SIGNATORIES),
    {"kind": "notification", "party": "KAZ", "received": "2014-03-01",
     "authorized_bodies": [{"name": "KZ-CERT"}]},
    {"kind": "notification", "party": "RUS", "received": "2014-04-01",
     "authorized_bodies": [{"name": "RU body"}]},
    {"kind": "notification", "party": "BLR", "received": "2014-05-01"},
]
"""A small fictional history: in force from 31 May 2014 for KAZ, RUS, BLR; ARM a signatory."""
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def account(rt: Runtime, name: str, role: str, party: str | None = None,
            kind: str | None = None) -> dict:
    kind = kind or ("depositary" if role == "depositary" else "authorized_body")
    created = create_account(rt, None, name=name, role=role, organization_kind=kind, party=party)
    set_password(rt, None, str(created["id"]), PASSWORD)
    return created


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/signin"))
    return client.post("/signin", data={"csrf_token": token, "account": name,
                                        "password": password, "next": "/status"})


def post_form(client: httpx.Client, page: str, action: str, data: dict) -> httpx.Response:
    token = csrf_of(client.get(page))
    return client.post(action, data={"csrf_token": token, **data})
