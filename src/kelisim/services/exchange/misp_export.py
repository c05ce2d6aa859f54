"""A MISP event from the indicators a reader may read (issue 16, item 6), converted by
`misp-stix`, the library MISP itself uses (its `ExternalSTIX2toMISPParser`, STIX 2.1 -> MISP).

Each page of the export is converted on its own (a bundle of its objects and the marking
definitions they refer to), so memory does not grow with the export. A MISP event lists its
attributes before its objects: the attributes are written as each page is converted, the
objects kept in a temporary file (spooled to disk past 1 MiB) until the attributes end. The
conversion is bound by the STIX pattern grammar (ANTLR, pure Python), which stix2 and misp-stix
each run on every pattern: a few hundred indicators a second. Markings: misp-stix turns each
TLP marking into a `tlp:...` tag of the attribute (and a restricted-access marking into a tag
of its name); the event itself is tagged with the strictest TLP among them.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from kelisim.domain.taxii import format_timestamp, micros_of
from kelisim.services.runtime import Runtime

_log = logging.getLogger(__name__)
SPOOL_BYTES = 1 << 20
_RANK = {"tlp:clear": 0, "tlp:white": 0, "tlp:green": 1, "tlp:amber": 2,
         "tlp:amber+strict": 3, "tlp:red": 4}


def _parser(internal: bool = False) -> Any:
    """misp-stix's parser for STIX that MISP made (`internal`: objects labelled `misp:type=`
    or `misp:name=`, as an imported MISP event's are) or any other STIX."""
    with warnings.catch_warnings():  # the library's STIX 1 half imports with old warnings
        warnings.simplefilter("ignore")
        from misp_stix_converter import ExternalSTIX2toMISPParser, InternalSTIX2toMISPParser
    return InternalSTIX2toMISPParser() if internal else ExternalSTIX2toMISPParser()


def from_misp(obj: dict[str, Any]) -> bool:
    """Whether misp-stix made this object of a MISP attribute or object (its `misp:` labels):
    its own parser reads such objects back as MISP wrote them, where the parser of other STIX
    cannot (it fails on the network-traffic patterns of ip-src and ip-dst attributes)."""
    labels = obj.get("labels")
    return isinstance(labels, list) and any(
        isinstance(label, str) and label.startswith(("misp:type=", "misp:name="))
        for label in labels)


def _parse(bundle: dict[str, Any]) -> Any:
    """The bundle loaded as misp-stix loads what it is given (its own loader, over stix2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from misp_stix_converter.tools.stix2_loading_helpers import load_stix2_content
        return load_stix2_content(bundle)


Markings = Callable[[set[str]], dict[str, Any]]


def converted(objects: list[dict[str, Any]], markings: Markings) -> Any:
    """The MISP event misp-stix makes of these STIX objects (a pymisp MISPEvent), with the
    marking definitions they refer to (`markings` finds them): objects MISP made by misp-stix's
    parser of its own STIX, the others by its parser of external STIX."""
    ours = [obj for obj in objects if from_misp(obj)]
    others = [obj for obj in objects if not from_misp(obj)]
    if not ours or not others:
        return _converted(objects, markings, internal=bool(ours))
    event = _converted(others, markings, internal=False)
    more = _converted(ours, markings, internal=True)
    for attribute in more.attributes:
        event.add_attribute(**attribute.to_dict())
    for misp_object in more.objects:
        event.add_object(misp_object)
    return event


def _converted(objects: list[dict[str, Any]], markings: Markings, *, internal: bool) -> Any:
    refs = {ref for obj in objects for ref in obj.get("object_marking_refs") or ()
            if isinstance(ref, str)}
    present = {obj["id"] for obj in objects}
    found = markings(refs - present)
    definitions = [found[ref] for ref in sorted(found)]
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
              "objects": [*definitions, *objects]}
    parser = _parser(internal)
    parser.load_stix_bundle(_parse(bundle))
    parser.parse_stix_bundle()
    return parser.misp_event


def misp_event(rt: Runtime, pages: Iterator[Any], markings: Markings) -> Iterator[bytes]:
    """The event as JSON chunks: its head, the attributes as each page is converted, then the
    objects (kept meanwhile in a temporary file, not in memory), then its tags."""
    now = rt.clock()
    head = {"uuid": str(uuid.uuid4()), "info": f"kelisim export of "
            f"{format_timestamp(micros_of(now))} (indicators this account may read, Art. 6)",
            "date": now.date().isoformat(), "threat_level_id": "4", "analysis": "2",
            "distribution": "0", "published": False}
    yield b'{"Event":' + orjson.dumps(head)[:-1] + b',"Attribute":['
    strictest: list[str] = []
    first, first_object = True, True
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spooled:
        for items in pages:
            event = _page_event([item.obj for item in items], markings)
            chunk = []
            for attribute in event.attributes:
                _strictest(strictest, attribute)
                chunk.append(attribute.to_json().encode())
            if chunk:
                yield (b"" if first else b",") + b",".join(chunk)
                first = False
            for misp_object in event.objects:
                for attribute in misp_object.attributes:
                    _strictest(strictest, attribute)
                spooled.write((b"" if first_object else b",") + misp_object.to_json().encode())
                first_object = False
        yield b'],"Object":['
        spooled.seek(0)
        while block := spooled.read(1 << 16):
            yield block
    tags = [{"name": strictest[0]}] if strictest else []
    yield b'],"Tag":' + orjson.dumps(tags) + b"}}"


def _page_event(objects: list[dict[str, Any]], markings: Markings) -> Any:
    """A page's event; should misp-stix fail on the page, object by object, leaving out (and
    logging) only those it cannot convert, so one odd object does not break the stream."""
    try:
        return converted(objects, markings)
    except Exception:  # a page misp-stix cannot read as a whole
        from pymisp import MISPEvent

        event = MISPEvent()
        for obj in objects:
            try:
                one = converted([obj], markings)
            except Exception:
                _log.warning("misp-stix could not convert %s; left out of the MISP event",
                             obj.get("id"))
                continue
            for attribute in one.attributes:
                event.add_attribute(**attribute.to_dict())
            for misp_object in one.objects:
                event.add_object(misp_object)
        return event


def _strictest(strictest: list[str], attribute: Any) -> None:
    for tag in attribute.tags:
        if tag.name in _RANK and (not strictest or _RANK[tag.name] > _RANK[strictest[0]]):
            strictest[:] = [tag.name]
