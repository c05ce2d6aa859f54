"""Set-up shared by the exchange UI tests (HTTP and browser): the exchange of
tests/exchange_support.py, each of its accounts able to sign in, and objects posted through the
exchange's own intake."""

from __future__ import annotations

from typing import Any

import orjson

from kelisim.domain.accounts import Principal
from kelisim.services.exchange import intake
from kelisim.services.signin import set_password
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.web.ui_session import PASSWORD

NAMES = {"kz": "kz account", "kz_admin": "kz_admin account", "kz_reader": "kz_reader account",
         "ru": "ru account", "by": "by account", "am": "am account"}


def exchange_with_passwords(node: Node) -> Exchange:
    found = setup_exchange(node)
    for key in NAMES:
        set_password(node.runtime, None, str(found.principals[key].account_id), PASSWORD)
    return found


def post(node: Node, principal: Principal, collection_id: str,
         objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Objects posted as TAXII's Add Objects would post them; the status resource."""
    rt = node.runtime
    status_id = intake.accept_envelope(rt, principal, collection_id,
                                       orjson.dumps({"objects": objects}))
    intake.process_job(rt, status_id)
    return intake.get_status(rt, principal, status_id)
