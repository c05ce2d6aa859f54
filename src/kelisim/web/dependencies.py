"""Annotated dependencies: the runtime and the authenticated principal of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import AuthenticationRequired
from kelisim.services.accounts import authenticate
from kelisim.services.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="A kelisim token: kls_<id>_<secret>")


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_principal(
    rt: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationRequired("This endpoint needs a token: send "
                                     "`Authorization: Bearer kls_...`.")
    return await run_in_threadpool(authenticate, rt, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
