"""Exports for sensors and platforms (issue 16, item 6): Suricata rules, CSV, a STIX 2.1 bundle
and a MISP event, each holding only what its reader may read.

Visibility is that of every read: each keyset page is read with the reader's compiled Art. 6
scope (`collections.reader_scope`, decided afresh per page, as a TAXII page is) from the
collections the reader may read, and a page holding restricted-access objects is audited
(`audit.record_reads`, endpoint `export/<format>`) before any of it is written out. Expired and
revoked objects (`domain.stix.lifecycle`) are left out unless asked. An export is a generator of
byte chunks, one a page: memory does not grow with the export's size (the Suricata export keeps
only the set of sids it wrote, to write each value once).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, PermissionDenied
from kelisim.domain.inputs import stored_text
from kelisim.domain.stix.extension import TLP_MARKING_IDS, tlp_of
from kelisim.domain.stix.lifecycle import Decay, Lifecycle, State, lifecycle
from kelisim.domain.stix.observables import Observable, observables
from kelisim.domain.stix.suricata import NOT_EXPORTED, RuleFor, rules_for
from kelisim.domain.stix.warning_lists import warning_index
from kelisim.domain.taxii import Query, format_timestamp, micros_of
from kelisim.services.exchange.audit import record_reads
from kelisim.services.exchange.collections import find_in, reader_scope
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository, Row
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.observables_index import values_at

FORMATS: dict[str, tuple[str, str]] = {
    "suricata": ("text/plain; charset=utf-8", "rules"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "stix": ("application/stix+json;version=2.1", "json"),
    "misp": ("application/json", "json"),
}
PAGE = 500
SPEC = "issue 16, exports; Art. 6"
CSV_COLUMNS = ("type", "value", "indicator_id", "producer_party", "tlp", "valid_until",
               "lifecycle_state")


@dataclass(frozen=True)
class ExportFilter:
    collection: str | None = None
    """A collection's id or alias; None: every collection the reader may read."""
    types: tuple[str, ...] = ()
    """STIX object types; none: indicators for Suricata, CSV and MISP, everything for STIX."""
    producer: str | None = None
    added_after: datetime | None = None
    include_expired: bool = False
    include_warned: bool = False
    """Keep values the MISP warning lists name (domain/stix/warning_lists.py)."""


@dataclass
class Tally:
    """What an export left out because the warning lists name it: values (CSV, Suricata) or
    objects holding such a value (STIX, MISP), said in the trailer where the format has one."""

    warned: int = 0


@dataclass(frozen=True)
class Export:
    media_type: str
    filename: str
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Item:
    """One visible object of an export, parsed, with its lifecycle today."""

    row: Row
    obj: dict[str, Any]
    life: Lifecycle
    values: list[Observable]


def decay_of(rt: Runtime) -> Decay:
    from kelisim.domain.stix.lifecycle import DEFAULT_LIFETIMES

    settings = rt.settings
    return Decay({**DEFAULT_LIFETIMES, **settings.decay_lifetimes}, settings.decay_speed,
                 settings.decay_threshold)


def life_of(rt: Runtime, obj: dict[str, Any]) -> Lifecycle:
    """An object's lifecycle today, with the node's decay settings."""
    return lifecycle(obj, [o.kind for o in observables(obj)], rt.clock(), decay_of(rt))


def export_objects(rt: Runtime, principal: Principal, fmt: str, filters: ExportFilter,
                   page: int = PAGE) -> Export:
    """Check what is asked (format, collection, the reader's right to read) at once, then
    return the export as a generator that reads page by page."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format is one of {', '.join(FORMATS)} ({SPEC}).",
                           parameter="format")
    for kind in filters.types:
        stored_text(kind, "type")
    stored_text(filters.producer or "", "producer")
    if filters.added_after is not None and filters.added_after.tzinfo is None:
        filters = replace(filters, added_after=filters.added_after.replace(tzinfo=UTC))
    with rt.unit_of_work() as uow:
        state, _, readable = reader_scope(rt, principal, uow)
        if filters.collection is not None:
            found = find_in(uow, principal, filters.collection, state)
            if not found.can_read:
                raise PermissionDenied("This account may not read this collection "
                                       "(TAXII 2.1 section 5.2).", article="Art. 6")
            readable = [found.id]
    types = filters.types or (() if fmt == "stix" else ("indicator",))
    media, extension = FORMATS[fmt]
    stamp = rt.clock().strftime("%Y%m%dT%H%M%SZ")
    tally = Tally()
    pages = _unwarned(_items(rt, principal, fmt, readable, filters, types, page),
                      filters.include_warned, per_value=fmt in ("csv", "suricata"), tally=tally)
    if fmt == "misp":
        from kelisim.services.exchange.misp_export import misp_event

        chunks = misp_event(rt, pages, marking_finder(rt, principal))
    else:
        writer = {"suricata": _suricata, "csv": _csv, "stix": _stix}[fmt]
        chunks = _trailed(writer(rt, principal, pages), fmt, tally)
    return Export(media, f"kelisim-{stamp}.{extension}", chunks)


def _items(rt: Runtime, principal: Principal, fmt: str, collections: Sequence[str],
           filters: ExportFilter, types: tuple[str, ...], page: int) -> Iterator[list[Item]]:
    """The visible objects, a page at a time, audited before they are yielded."""
    after = None if filters.added_after is None else micros_of(filters.added_after)
    query = Query(types=types, producer_parties=(filters.producer.upper(),)
                  if filters.producer else (), limit=page)
    decay, now = decay_of(rt), rt.clock()
    for collection_id in collections:
        cursor = after
        while True:
            with rt.unit_of_work(autocommit=True) as uow:
                _, reach, readable = reader_scope(rt, principal, uow)
                if collection_id not in readable:
                    break  # no longer readable (a withdrawal took effect): stop here
                rows = ObjectsRepository(uow.connection).page(
                    collection_id, reach, query, after=cursor, limit=page)
                served = rows[:page]
                indexed = values_at(uow.connection, collection_id,
                                    [row.date_added for row in served])
            items = []
            for row in served:
                obj = orjson.loads(row.raw)
                values = indexed.get(row.date_added, [])
                life = lifecycle(obj, [o.kind for o in values], now, decay)
                if filters.include_expired or life.state is State.ACTIVE:
                    items.append(Item(row, obj, life, values))
            _audit(rt, principal, fmt, collection_id, [i.row for i in items])
            if items:
                yield items
            if len(rows) <= page:
                break
            cursor = served[-1].date_added


def _unwarned(pages: Iterator[list[Item]], include: bool, *, per_value: bool,
              tally: Tally) -> Iterator[list[Item]]:
    """Leave out what the warning lists name (issue 16, item 5), unless asked to keep it: the
    values themselves from CSV and Suricata, a whole object holding one from STIX and MISP (its
    pattern would still match the value)."""
    if include:
        yield from pages
        return
    index = warning_index()
    for items in pages:
        kept = []
        for item in items:
            clean = [found for found in item.values if not index.warnings(found)]
            if len(clean) == len(item.values):
                kept.append(item)
            elif per_value:
                tally.warned += len(item.values) - len(clean)
                kept.append(replace(item, values=clean))
            else:
                tally.warned += 1
        if kept:
            yield kept


def _trailed(chunks: Iterator[bytes], fmt: str, tally: Tally) -> Iterator[bytes]:
    """The export, then (CSV, Suricata) a comment line saying what the warning lists left out."""
    yield from chunks
    if tally.warned and fmt in ("csv", "suricata"):
        yield (f"# left out: {tally.warned} value(s) on the MISP warning lists "
               "(ask include_warned to keep them)\n").encode()


def _audit(rt: Runtime, principal: Principal, fmt: str, collection_id: str,
           rows: list[Row]) -> None:
    if not any(row.restricted_owner for row in rows):
        return
    with rt.unit_of_work() as uow:
        record_reads(ExchangeRecords(uow.connection), principal, rt.clock(),
                     endpoint=f"export/{fmt}", collection_id=collection_id, rows=rows)
        uow.commit()


def _valid_until(item: Item) -> str:
    until = item.life.valid_until
    return "" if until is None else format_timestamp(micros_of(until))


# --- CSV -----------------------------------------------------------------------------------------

def _csv(_rt: Runtime, _principal: Principal, pages: Iterator[list[Item]]) -> Iterator[bytes]:
    yield (",".join(CSV_COLUMNS) + "\r\n").encode()
    for items in pages:
        buffer = io.StringIO()
        out = csv.writer(buffer)
        for item in items:
            for found in item.values:
                out.writerow([found.kind, found.value, item.row.stix_id,
                              item.row.producer_party or "", tlp_of(item.obj) or "",
                              _valid_until(item), item.life.state.value])
        yield buffer.getvalue().encode()


# --- Suricata ------------------------------------------------------------------------------------

def _suricata(rt: Runtime, _principal: Principal,
              pages: Iterator[list[Item]]) -> Iterator[bytes]:
    yield (f"# kelisim export of {format_timestamp(micros_of(rt.clock()))}: Suricata rules from "
           "the indicators this account may read (Art. 6).\n# Each rule's msg and metadata "
           "carry its TLP; share them no further than it allows.\n").encode()
    written: set[int] = set()
    left_out: dict[str, int] = {}
    for items in pages:
        lines = []
        for item in items:
            about = RuleFor(item.row.stix_id, tlp_of(item.obj), item.row.producer_party)
            for found in item.values:
                if found.kind in NOT_EXPORTED:
                    left_out[found.kind] = left_out.get(found.kind, 0) + 1
                    continue
                for sid, rule in rules_for(found.kind, found.value, about):
                    if sid not in written:
                        written.add(sid)
                        lines.append(rule)
        if lines:
            yield ("\n".join(lines) + "\n").encode()
    for kind, count in sorted(left_out.items()):
        yield f"# not exported: {count} {kind} value(s): {NOT_EXPORTED[kind]}\n".encode()


# --- STIX 2.1 bundle -----------------------------------------------------------------------------

TLP2_DEFINITIONS = {
    ref: {"type": "marking-definition", "spec_version": "2.1", "id": ref,
          "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{level.upper()}",
          "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
              "extension_type": "property-extension", "tlp_2_0": level}}}
    for level, ref in TLP_MARKING_IDS.items()}
"""The TLP 2.0 marking definitions (OASIS cti-stix-common-objects) objects refer to by id."""
TLP1_DEFINITIONS = {
    ref: {"type": "marking-definition", "spec_version": "2.1", "id": ref,
          "created": "2017-01-20T00:00:00.000Z", "name": f"TLP:{colour.upper()}",
          "definition_type": "tlp", "definition": {"tlp": colour}}
    for ref, colour in (("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"),
                        ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"),
                        ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"),
                        ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"))}
STANDARD_MARKINGS = {**TLP2_DEFINITIONS, **TLP1_DEFINITIONS}


def _stix(rt: Runtime, principal: Principal, pages: Iterator[list[Item]]) -> Iterator[bytes]:
    """The objects as stored, then the marking definitions they refer to that were not among
    them: the standard TLP ones, and those the reader may read in the same collection."""
    yield f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":['.encode()
    first = True
    emitted: set[str] = set()
    wanted: set[str] = set()
    for items in pages:
        parts = []
        for item in items:
            if item.row.type == "marking-definition":
                emitted.add(item.row.stix_id)
            for ref in item.obj.get("object_marking_refs") or ():
                if isinstance(ref, str):
                    wanted.add(ref)
            parts.append(item.row.raw)
        if parts:
            yield (b"" if first else b",") + b",".join(parts)
            first = False
    missing = wanted - emitted
    found = definitions(rt, principal, missing) if missing else {}
    for ref in sorted(found):
        yield (b"" if first else b",") + found[ref]
        first = False
    yield b"]}"


def definitions(rt: Runtime, principal: Principal, refs: set[str]) -> dict[str, bytes]:
    """The marking definitions of these ids: the standard TLP ones, and those the reader may
    read in a collection it may read (others are left out, as every read leaves them)."""
    found = {ref: orjson.dumps(STANDARD_MARKINGS[ref]) for ref in refs if ref in STANDARD_MARKINGS}
    others = tuple(sorted(refs - found.keys()))
    if not others:
        return found
    with rt.unit_of_work(autocommit=True) as uow:
        _, reach, readable = reader_scope(rt, principal, uow)
        repo = ObjectsRepository(uow.connection)
        for collection_id in readable:
            rows = repo.page(collection_id, reach, Query(ids=others, types=("marking-definition",),
                                                         limit=len(others)),
                             after=None, limit=len(others))
            for row in rows:
                found.setdefault(row.stix_id, row.raw)
    return found


def marking_finder(rt: Runtime, principal: Principal) -> Callable[[set[str]], dict[str, Any]]:
    """`definitions`, parsed and remembered for one export (markings are few)."""
    known: dict[str, dict[str, Any] | None] = {}

    def find(refs: set[str]) -> dict[str, Any]:
        unknown = refs - known.keys()
        if unknown:
            got = definitions(rt, principal, unknown)
            known.update({ref: orjson.loads(got[ref]) if ref in got else None
                          for ref in unknown})
        return {ref: known[ref] for ref in refs if known.get(ref) is not None}

    return find
