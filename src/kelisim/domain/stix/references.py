"""The references of a STIX object: its `*_ref` and `*_refs` properties (STIX 2.1 §3.2), the
edges of the relationship graph an object's page draws (issue 16, item 10).

Only top-level properties naming STIX identifiers count (a relationship's `source_ref` and
`target_ref`, a sighting's `sighting_of_ref`, `where_sighted_refs` and `observed_data_refs`,
a report's `object_refs`, `created_by_ref`...). `object_marking_refs` and granular markings
are markings, shown as such, not relationships: nearly every object names a TLP definition.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["MAX_REFERENCES", "Reference", "references"]

MAX_REFERENCES = 5000
"""At most this many references of one object are indexed (a report may list thousands)."""
_STIX_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,248}--[0-9a-fA-F-]{36}$")
_NOT_EDGES = frozenset({"object_marking_refs", "id"})


class Reference(NamedTuple):
    property: str
    ref: str


def references(obj: dict[str, Any]) -> list[Reference]:
    """(property, id) of every object `obj` names, once each, in property order; never itself."""
    own = obj.get("id")
    found: dict[Reference, None] = {}
    for name, value in obj.items():
        if name in _NOT_EDGES:
            continue
        if name.endswith("_ref"):
            values = [value]
        elif name.endswith("_refs") and isinstance(value, list):
            values = value
        else:
            continue
        for ref in values:
            if isinstance(ref, str) and ref != own and _STIX_ID.match(ref):
                found[Reference(name, ref)] = None
                if len(found) >= MAX_REFERENCES:
                    return list(found)
    return list(found)
