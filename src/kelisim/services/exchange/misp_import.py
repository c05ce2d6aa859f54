"""Import a MISP event (issue 16, item 7): converted to STIX 2.1 by `misp-stix` (its
`MISPtoSTIX21Parser`, the converter MISP itself ships), marked by kelisim's mapping of MISP
distribution and `tlp:*` tags (domain/stix/misp_mapping.py, decision 0021), then posted through
the normal intake as the caller: the same Art. 6 checks (the caller may write to the collection
today, state secrets refuse everything, every object validated and its markings derived), the
same status resource recorded, as a TAXII POST of those objects would.

The answer is the TAXII status resource and the mapping report: everything of the event that
was not mapped as it stands, and why (`Finding`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import orjson

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, TooLarge
from kelisim.domain.stix import misp_mapping as mapping
from kelisim.services.exchange import intake
from kelisim.services.exchange.batch import notified_bodies
from kelisim.services.runtime import Runtime

log = logging.getLogger(__name__)
SPEC = mapping.SPEC


def import_misp(rt: Runtime, principal: Principal, collection_key: str, body: bytes,
                recipients: Iterable[str] = ()) -> dict[str, Any]:
    """Convert the MISP document in `body`, post it into the collection as `principal`, and
    return `{"status": <TAXII status resource>, "report": [<finding>...], "events": n,
    "objects": n}`. `recipients`: Parties that may read AMBER, AMBER+STRICT and RED objects
    whose MISP distribution names no sharing group (none: the producing Party only)."""
    wanted = _parties(recipients)
    intake.check_writable(rt, principal, collection_key)
    events = mapping.events_of(_document(body))
    mapping.refuse_state_secrets(events)
    directory = mapping.Directory(notified_bodies(rt))
    objects: list[dict[str, Any]] = []
    report: list[mapping.Finding] = []
    for position, event in enumerate(events):
        planned = mapping.plan(event, directory, position, wanted)
        converted, diagnostics = convert(event, position)
        marked, findings = mapping.apply(converted, planned, diagnostics)
        objects.extend(marked)
        report.extend(findings)
    limit = rt.settings.max_envelope_objects
    if limit is not None and len(objects) > limit:
        raise TooLarge(f"The MISP document makes {len(objects)} STIX objects; this server takes "
                       f"at most {limit} in one envelope (KELISIM_MAX_ENVELOPE_OBJECTS): import "
                       f"its events separately ({SPEC}). Nothing was stored.")
    status = intake.add_objects(rt, principal, collection_key,
                                orjson.dumps({"objects": objects}))
    return {"status": status, "report": [f.as_json() for f in report],
            "events": len(events), "objects": len(objects)}


def _document(body: bytes) -> Any:
    if not body.strip():
        raise InvalidInput(f"The request body is empty; send a MISP event as MISP exports it "
                           f"({SPEC}).")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"The MISP document is not valid JSON ({error.msg} at position "
                           f"{error.pos}) ({SPEC}).") from None


def _parties(recipients: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(str(p).strip().upper() for p in recipients if str(p).strip())
    unknown = sorted(p for p in wanted if mapping.party_named(p) != p)
    if unknown:
        raise InvalidInput(f"recipient {', '.join(unknown)[:60]} is not the ISO 3166-1 alpha-3 "
                           "code of a CIS state (Art. 6).", parameter="recipient")
    return wanted


def convert(event: dict[str, Any], position: int = 0) -> tuple[list[dict[str, Any]], list[str]]:
    """The STIX 2.1 objects misp-stix makes of one event, and its errors and warnings."""
    with warnings.catch_warnings():  # the library's STIX 1 half imports with old warnings
        warnings.simplefilter("ignore")
        from misp_stix_converter import MISPtoSTIX21Parser

        parser = MISPtoSTIX21Parser()
        try:
            parser.parse_misp_event({"Event": event})
            bundle = orjson.loads(parser.bundle.serialize())
        except Exception as error:  # the library's own message, for the sender to act on
            log.info("misp-stix could not convert event %s: %r", position, error)
            raise InvalidInput(f"misp-stix could not convert the MISP event at position "
                               f"{position} ({type(error).__name__}: {str(error)[:200]}); "
                               f"nothing was stored ({SPEC}).", position=position) from None
    objects, diagnostics = bundle.get("objects", []), _diagnostics(parser)
    if not objects:  # misp-stix refused the event as a whole (its reason is a diagnostic)
        why = diagnostics[0][:200] if diagnostics else "no reason given"
        raise InvalidInput(f"misp-stix made nothing of the MISP event at position {position} "
                           f"({why}); nothing was stored ({SPEC}).", position=position)
    return objects, diagnostics


def _diagnostics(parser: Any) -> list[str]:
    found: list[str] = []
    for kind in ("errors", "warnings"):
        messages = getattr(parser, kind, {}) or {}
        for identifier, items in dict(messages).items():
            for message in items:
                found.append(f"{kind[:-1]} ({identifier}): {message}")
    return found
