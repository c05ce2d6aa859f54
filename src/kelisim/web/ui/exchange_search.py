"""Full-text search in the UI (issue 16, item 3): a search box on a collection's objects, and
the results page, across every collection the account may read or within one.

The page calls the exchange's own search service (`services.exchange.search.search_objects`),
so it shows exactly what the API and the CLI would show this account: only objects it may read
(Art. 6), found by their latest version it may see, each page audited when it names
restricted-access objects. Filters are the objects list's (type, Art. 3 direction, Art. 2
threat class, TLP, producer Party, added since/until). A query the service cannot read is
shown above the form with the reason, in the reader's language.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.errors import InvalidInput, KelisimError
from kelisim.domain.inputs import ascii_number
from kelisim.services.exchange import search
from kelisim.services.exchange.collections import list_collections
from kelisim.storage.exchange_objects import Row
from kelisim.web.ui.exchange import OBJECT_TYPES, PAGE, item_of, next_url, page_url, state_names
from kelisim.web.ui.routing import ERROR_TITLES, UiRoute, UserDep
from kelisim.web.ui.stix_form import TLP_LEVELS
from kelisim.web.ui.templating import render

router = APIRouter(route_class=UiRoute, include_in_schema=False)

FIELDS = ("q", "collection", "type", "direction", "threat_class", "tlp", "producer", "since",
          "until")


@router.get("/exchange/search")
async def search_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    params = request.query_params
    form = {name: params.get(name, "").strip() for name in FIELDS}
    token = params.get("next") or None
    titles = await run_in_threadpool(_titles, rt, user)
    found, refusal = None, None
    if form["q"]:
        try:
            found = await run_in_threadpool(search.search_objects, rt, user, form["q"],
                                            _filters(form), limit=PAGE, next_token=token)
        except InvalidInput as error:
            refusal = error
    return render(request, "exchange_search.html", {
        "form": form, "titles": titles, "refusal": refusal,
        "refusal_title": ERROR_TITLES.get(refusal.code, "") if refusal else "",
        "items": [(hit.collection_id, item_of(Row(
            hit.date_added, hit.stix_id, hit.version, hit.type, hit.restricted_owner,
            hit.producer_party, hit.raw))) for hit in found.hits] if found else [],
        "searched": found is not None, "names": await state_names(request, user),
        "types": OBJECT_TYPES, "directions": directions(), "threat_classes": THREAT_CLASSES,
        "tlp_levels": TLP_LEVELS, "next_url": next_url(request, found.next if found else None),
        "first_url": page_url(request, None), "first_page": token is None,
    }, status_code=400 if refusal else 200)


def _titles(rt: Any, user: Principal) -> dict[str, str]:
    """The collections this account may read, by id (a hidden one is never offered)."""
    try:
        return {c.id: c.title for c in list_collections(rt, user) if c.can_read}
    except KelisimError:
        return {}


def _filters(form: dict[str, str]) -> search.Filters:
    """The form's filters as the service takes them (it checks them and names a bad one)."""
    number = ascii_number(form["direction"]) if form["direction"] else None
    if form["direction"] and number is None:
        raise InvalidInput("direction is the number of a direction of Art. 3 (1-19).",
                           parameter="direction", article="Art. 3")
    since = search.parse_instant(form["since"], "since") if form["since"] else None
    until = search.parse_instant(form["until"], "until") if form["until"] else None
    return search.Filters(
        types=(form["type"],) if form["type"] else (),
        directions=(number,) if number is not None else (),
        threat_classes=(form["threat_class"],) if form["threat_class"] else (),
        tlps=(form["tlp"],) if form["tlp"] else (),
        producers=(form["producer"],) if form["producer"] else (),
        added_after=since - timedelta(microseconds=1) if since else None,  # since: that day too
        added_before=until + timedelta(days=1) if until else None,  # until: that day too
        collection=form["collection"] or None)
