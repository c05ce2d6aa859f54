"""The UI's one answer to a form that changes something: post, then redirect, then get.

The action runs the same use case as the API, in a worker thread. A refusal re-renders the page
the form is on, with the refusal in the reader's language and what the user typed, so nothing
typed is lost and nothing is recorded; success answers 303 to the page with `?done=`, so that a
reload never repeats the action. Each workspace page used to spell this out anew.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.errors import KelisimError
from kelisim.web.ui.templating import see_other

Rerender = Callable[[KelisimError], Awaitable[Response]]


async def act_then_redirect(request: Request, act: Callable[[], Any], rerender: Rerender,
                            location: str) -> Response:
    """Run `act`; on a refusal answer `rerender(refusal)`, else 303 to `location`."""
    try:
        await run_in_threadpool(act)
    except KelisimError as refusal:
        return await rerender(refusal)
    return see_other(request, location)
