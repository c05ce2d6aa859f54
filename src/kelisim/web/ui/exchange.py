"""The exchange in the UI: collections, their objects with filters, one object with its marking,
versions, relationships (a one-hop graph), sightings by reporting Party and "where else" its
values were seen, and the audit of reads of a Party's restricted information.

Every read goes through the TAXII server's own service (`services.exchange.reading.read_page`,
Art. 6 and TLP decided in `domain.exchange_policy`, each page afresh on the day it is served),
so the UI sees exactly what TAXII would show this account, and a read of restricted-access
information is audited by the same function, with the same endpoint name, as over TAXII. An
object this account may not see answers like one that does not exist.

Every filter (type, Art. 3 direction, Art. 2 threat class, TLP, producer Party, "added since")
is the service's own (SQL, keyset pages), so a page holds only what was asked for and the audit
records only what was served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kelisim.domain.access import ExchangeAction, exchange_allowed, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.attack import catalogue, tactics_of, techniques_of
from kelisim.domain.errors import InvalidInput, KelisimError, NotFound
from kelisim.domain.exchange_activity import (
    UNSET,
    Activity,
    Facet,
    Period,
    facet_of,
    period_of,
)
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.inputs import ascii_number, stored_text
from kelisim.domain.stix.extension import (
    SIGHTING_TYPES,
    agreement_properties,
    restricted_access,
    tlp_of,
)
from kelisim.domain.stix.observables import observables
from kelisim.domain.stix.warning_lists import warnings_for
from kelisim.domain.taxii import Query, format_timestamp, micros_of, parse_timestamp
from kelisim.services.exchange.activity import activity
from kelisim.services.exchange.audit import read_audit
from kelisim.services.exchange.collections import (
    CollectionView,
    find_collection,
    list_collections,
    state_today,
)
from kelisim.services.exchange.correlation import object_names, where_else
from kelisim.services.exchange.exports import FORMATS, ExportFilter, export_objects, life_of
from kelisim.services.exchange.graph import graph_of
from kelisim.services.exchange.reading import read_page
from kelisim.services.exchange.sightings import sightings_of_object
from kelisim.services.reference import get_states
from kelisim.storage.exchange_objects import Row
from kelisim.web.ui import activity_chart, relationship_graph
from kelisim.web.ui.routing import UiRoute, UserDep
from kelisim.web.ui.stix_form import TLP_LEVELS
from kelisim.web.ui.templating import exchange_open, gettext_for, render, request_lang

router = APIRouter(route_class=UiRoute, include_in_schema=False)

PAGE = 50
SIGHTINGS_SHOWN = 10
"""Sightings listed per reporting Party on an object's page (the summary counts them all)."""
CORRELATED_SHOWN = 10
"""Other objects listed per value in an object's "where else" (the count says how many)."""
OBJECT_TYPES = ("indicator", "report", "relationship", "sighting", "malware", "attack-pattern",
                "campaign", "threat-actor", "intrusion-set", "vulnerability", "tool",
                "identity", "observed-data", "course-of-action", "note", "marking-definition")


@dataclass(frozen=True)
class Item:
    """One stored object version as a list or a page shows it."""

    id: str
    type: str
    version: str
    name: str
    tlp: str | None
    producer: str | None
    restricted_owner: str | None
    added: datetime
    directions: tuple[int, ...]
    threat_class: str | None
    recipients: tuple[str, ...]
    obj: dict[str, Any]


def item_of(row: Row) -> Item:
    obj = orjson.loads(row.raw) if row.raw else {}
    try:
        props = agreement_properties(obj)
    except InvalidInput:
        props = None
    name = obj.get("name") or obj.get("pattern") or obj.get("value") or row.stix_id
    return Item(row.stix_id, row.type, row.version, str(name)[:200], tlp_of(obj),
                row.producer_party, row.restricted_owner, _moment(row.date_added),
                props.directions if props else (), props.threat_class if props else None,
                tuple(sorted(props.recipients_parties | props.recipients_bodies)) if props
                else (), obj)


def _moment(micros: int) -> datetime:
    return datetime.fromisoformat(format_timestamp(micros).replace("Z", "+00:00"))


@router.get("/exchange")
async def collections_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    state = await run_in_threadpool(state_today, rt, user)
    if not await run_in_threadpool(exchange_open, rt, user):
        require_exchange(user, ExchangeAction.READ_OBJECTS, state)
    found = await run_in_threadpool(list_collections, rt, user)
    names = await state_names(request, user)
    by = facet_of(request.query_params.get("by") or Facet.PRODUCER.value)
    period = period_of(request.query_params.get("period") or Period.MONTH.value)
    counts = None
    if any(c.can_read for c in found):
        counts = await run_in_threadpool(activity, rt, user, by, period)
    return render(request, "exchange_collections.html", {
        "collections": found, "names": names,
        "can_audit": exchange_allowed(user, ExchangeAction.READ_AUDIT, state, party=user.party),
        "activity": counts, "by": by, "period": period, "facets": list(Facet),
        "periods": list(Period),
        "activity_svg": None if counts is None or not counts.objects
        else _activity_svg(request, counts, names),
        "activity_labels": None if counts is None else _activity_labels(request, counts, names),
        "period_label": activity_chart.period_label,
    })


def _activity_labels(request: Request, counts: Activity, names: dict[str, str]
                     ) -> dict[str, str]:
    """Each series key in the reader's language: a Party's name, a threat class, a direction."""
    lang, _ = request_lang(request), gettext_for(request)
    texts = {d.number: d.texts[lang] for d in directions()}
    labels: dict[str, str] = {}
    for key in counts.keys:
        if key == UNSET:
            labels[key] = _("none")
        elif counts.facet is Facet.PRODUCER:
            labels[key] = names.get(key, key)
        elif counts.facet is Facet.THREAT_CLASS:
            labels[key] = THREAT_CLASSES[key][lang] if key in THREAT_CLASSES else key
        else:
            text = texts.get(int(key), "")
            labels[key] = f"{key}. {text[:34]}{'…' if len(text) > 34 else ''}"
    return labels


def _activity_svg(request: Request, counts: Activity, names: dict[str, str]) -> Any:
    _ = gettext_for(request)
    return activity_chart.draw(counts, _activity_labels(request, counts, names), {
        "title": _("Objects first added, per period"), "rest": _("the others")})


@router.get("/exchange/collections/{key}")
async def objects_page(request: Request, key: str, user: UserDep) -> Response:
    rt = request.app.state.runtime
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in
               ("type", "direction", "threat_class", "tlp", "producer", "since")}
    query = _service_query(filters, params.get("next") or None)
    collection = await run_in_threadpool(find_collection, rt, user, key)
    page = await run_in_threadpool(read_page, rt, user, collection.id, query, Endpoint.OBJECTS)
    items, token = [item_of(row) for row in page.rows], page.next
    return render(request, "exchange_objects.html", {
        "collection": collection, "items": items, "next_token": token, "filters": filters,
        "names": await state_names(request, user),
        "types": OBJECT_TYPES, "directions": directions(), "threat_classes": THREAT_CLASSES,
        "tlp_levels": TLP_LEVELS, "next_url": next_url(request, token),
        "first_url": page_url(request, None),
        "first_page": params.get("next") is None, "export_formats": tuple(FORMATS),
    })


@router.get("/exchange/collections/{key}/export/{fmt}")
async def export_download(request: Request, key: str, fmt: str, user: UserDep) -> Response:
    """The collection's export in one of the formats (services/exchange/exports.py), as a
    download: only what this account may read, with the list's type and producer filters."""
    rt = request.app.state.runtime
    params = request.query_params
    kind = params.get("type", "").strip()
    producer = params.get("producer", "").strip() or None
    stored_text(kind, "type")
    done = await run_in_threadpool(export_objects, rt, user, fmt, ExportFilter(
        collection=key, types=(kind,) if kind else (), producer=producer,
        include_expired=params.get("include_expired") == "1",
        include_warned=params.get("include_warned") == "1"))
    return StreamingResponse(done.chunks, media_type=done.media_type, headers={
        "Content-Disposition": f'attachment; filename="{done.filename}"'})


def _service_query(filters: dict[str, str], token: str | None) -> Query:
    """The filters the exchange's service applies itself (in SQL, TAXII 2.1 section 3.4)."""
    direction = filters["direction"]
    number = ascii_number(direction)
    if direction and number is None:
        raise InvalidInput("direction is the number of a direction of Art. 3 (1-19).",
                           field="direction", article="Art. 3")
    if filters["threat_class"] and filters["threat_class"] not in THREAT_CLASSES:
        raise InvalidInput("threat_class is one of " + ", ".join(THREAT_CLASSES) + ".",
                           field="threat_class", article="Art. 2")
    if filters["tlp"] and filters["tlp"] not in (*TLP_LEVELS, "none"):
        raise InvalidInput("tlp is one of " + ", ".join(TLP_LEVELS) + " or none.", field="tlp")
    after = None
    if filters["since"]:
        try:
            day = date.fromisoformat(filters["since"])
        except ValueError:
            raise InvalidInput("since is a date (YYYY-MM-DD).", field="since") from None
        after = micros_of(datetime(day.year, day.month, day.day, tzinfo=UTC)) - 1
    producer = stored_text(filters["producer"].strip().upper(), "producer")
    stored_text(filters["type"], "type")
    return Query(types=(filters["type"],) if filters["type"] else (),
                 threat_classes=(filters["threat_class"],) if filters["threat_class"] else (),
                 directions=(number,) if number is not None else (),
                 tlps=(filters["tlp"],) if filters["tlp"] else (),
                 producer_parties=(producer,) if producer else (), added_after=after,
                 limit=PAGE, next=token)


def next_url(request: Request, token: str | None) -> str | None:
    return None if token is None else page_url(request, token)


def page_url(request: Request, token: str | None) -> str:
    """This list with the same filters, at `token` (None: the first page)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("next", "lang")]
    if token is not None:
        params.append(("next", token))
    return f"{request.url.path}?{urlencode(params)}"


@router.get("/exchange/collections/{key}/objects/{object_id}")
async def object_page(request: Request, key: str, object_id: str, user: UserDep) -> Response:
    rt = request.app.state.runtime
    version = request.query_params.get("version", "").strip()
    if version:
        try:
            parse_timestamp(version)
        except ValueError:
            raise InvalidInput("version is a STIX timestamp.", field="version") from None
    shown = await run_in_threadpool(_object_view, rt, user, key, object_id, version)
    _ = gettext_for(request)
    return render(request, "exchange_object.html", {
        **shown, "names": await state_names(request, user),
        "graph_svg": relationship_graph.draw(shown["graph"], {
            "title": _("The relationships of this object, one hop"),
            "more": _("and {num} more (listed below)")}),
        "sighting_types": SIGHTING_TYPES,
        "posted": request.query_params.get("posted") == "1",
        "all_directions": {d.number: d for d in directions()},
        "threat_classes": THREAT_CLASSES,
    })


def _object_view(rt: Any, user: Principal, key: str, object_id: str,
                 version: str) -> dict[str, Any]:
    collection = find_collection(rt, user, key)
    query = Query(versions=(version,) if version else ("last",), limit=1)
    page = read_page(rt, user, collection.id, query, Endpoint.OBJECT, object_id)
    if not page.rows:  # the object is there, but not in the version asked for
        raise NotFound("This object has no such version visible to this account.")
    item = item_of(page.rows[-1])
    versions = read_page(rt, user, collection.id, Query(limit=1000), Endpoint.VERSIONS,
                         object_id).rows
    correlations = where_else(rt, user, collection.id, object_id, per_value=CORRELATED_SHOWN)
    found = [o for shared in correlations for o in shared.objects]
    return {"collection": collection, "item": item, "versions": [r.version for r in versions],
            "correlations": correlations, "lifecycle": life_of(rt, item.obj),
            "warnings": warnings_for(observables(item.obj)),
            "correlated_names": object_names(rt, user, found) if found else {},
            "restriction": _restriction(rt, user, collection, item),
            "graph": graph_of(rt, user, collection.id, object_id),
            "sightings": sightings_of_object(rt, user, collection.id, object_id,
                                             per_party=SIGHTINGS_SHOWN),
            "techniques": techniques_of(item.obj), "attack_tactics": tactics_of(item.obj),
            "attack_tactic_names": {t.shortname: t.name for t in catalogue().tactics.values()},
            "raw": orjson.dumps(item.obj, option=orjson.OPT_INDENT_2).decode()}


def _restriction(rt: Any, user: Principal, collection: CollectionView,
                 item: Item) -> dict[str, Any] | None:
    """The restricted-access terms (owner, law, Parties allowed) of the object's marking."""
    if item.restricted_owner is None:
        return None
    for ref in item.obj.get("object_marking_refs") or []:
        if not isinstance(ref, str) or tlp_of({"object_marking_refs": [ref]}):
            continue
        try:
            rows = read_page(rt, user, collection.id, Query(limit=1), Endpoint.OBJECT, ref).rows
            terms = restricted_access(orjson.loads(rows[-1].raw))
        except (KelisimError, IndexError):
            continue
        if terms is not None:
            return {"owner": terms.owner_party, "legal_basis": terms.legal_basis,
                    "allowed": sorted(terms.allowed_parties)}
    return {"owner": item.restricted_owner, "legal_basis": None, "allowed": []}


@router.get("/exchange/audit")
async def audit_page(request: Request, user: UserDep) -> Response:
    rt = request.app.state.runtime
    entries = await run_in_threadpool(read_audit, rt, user)
    rows = [{"seq": e["seq"], "at": datetime.fromisoformat(e["recorded_at"]), **e["entry"]}
            for e in reversed(entries)]
    return render(request, "exchange_audit.html", {"entries": rows, "party": user.party,
                                                   "names": await state_names(request, user)})


async def state_names(request: Request, user: Principal) -> dict[str, str]:
    rt = request.app.state.runtime
    lang = request_lang(request)
    states = await run_in_threadpool(get_states, rt, user)
    return {s["code"]: s["names"].get(lang, s["code"]) for s in states}
