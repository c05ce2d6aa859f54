"""A certificate's lifecycle event as STIX 2.1 objects, so every recognising Party learns of it.

Art. 3 (direction 14) makes a suspension or withdrawal in one Party a fact the Parties recognising
the certificate must know; Art. 9 has the authorized bodies exchange such information. The form
chosen (docs/decisions/0009-certification-dates.md, "STIX"): a `note` (STIX 2.1 §4.9) about a
`software` observable (§6.14, the certified tool: name, vendor, version) and the scheme's
`identity` (§4.5), carrying the certificate's facts in a property extension defined by an
`extension-definition` (§7.3). OpenCTI and MISP ingest notes, software observables and identities
natively and keep unknown extension properties; a custom `x-` object would be dropped by both.
Ids are deterministic: the software's is the UUIDv5 of its id-contributing properties (§2.9),
the others derive from the ledger entry, so re-publishing an event yields the same objects. The
note also carries the exchange's kelisim extension (Art. 3 direction 14) and TLP:CLEAR: a
certificate's suspension or withdrawal is meant for everyone relying on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kelisim.domain.certification.lifecycle import Certificate
from kelisim.domain.certification.schemes import Scheme
from kelisim.domain.ledger import canonical_json
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
KELISIM_NAMESPACE = uuid.UUID("6b1e0f57-2f0c-5d55-9e0e-0c3f1a6a7c11")
EXTENSION_ID = "extension-definition--4c1f0a9e-9b53-4e0e-8a53-6f1d3c2b7e11"
KELISIM_IDENTITY = f"identity--{uuid.uuid5(KELISIM_NAMESPACE, 'kelisim')}"
EPOCH = "2026-11-25T00:00:00.000Z"


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def extension_definition() -> dict[str, Any]:
    return {"type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID,
            "created_by_ref": KELISIM_IDENTITY, "created": EPOCH, "modified": EPOCH,
            "name": "kelisim certificate event",
            "description": "A lifecycle event of a certificate of conformity of an information "
                           "protection tool (2013 CIS Agreement, Art. 2 and Art. 3 direction 14).",
            "schema": "https://kelisim.example/schemas/certificate-event-1.json",
            "version": "1.0.0", "extension_types": ["property-extension"]}


def kelisim_identity() -> dict[str, Any]:
    return {"type": "identity", "spec_version": "2.1", "id": KELISIM_IDENTITY,
            "created": EPOCH, "modified": EPOCH, "name": "kelisim certification registry",
            "identity_class": "system"}


def software(cert: Certificate) -> dict[str, Any]:
    contributing = {"name": cert.product, "vendor": cert.vendor}
    if cert.version:
        contributing["version"] = cert.version
    sco_id = uuid.uuid5(SCO_NAMESPACE, canonical_json(contributing).decode())
    return {"type": "software", "spec_version": "2.1", "id": f"software--{sco_id}",
            **contributing}


def scheme_identity(scheme: Scheme) -> dict[str, Any]:
    return {"type": "identity", "spec_version": "2.1",
            "id": f"identity--{uuid.uuid5(KELISIM_NAMESPACE, 'scheme:' + scheme.key)}",
            "created": EPOCH, "modified": EPOCH, "name": f"{scheme.name} ({scheme.party})",
            "identity_class": "organization", "sectors": ["government-national"]}


def event_objects(cert: Certificate, scheme: Scheme, *, seq: int, entry_hash: str, kind: str,
                  on: str, reason: str | None, recorded_at: datetime,
                  recognised_in: Sequence[str]) -> list[dict[str, Any]]:
    """The objects to publish for one ledger entry about `cert`: extension definition, kelisim's
    identity, the scheme's identity, the tool as `software`, and the `note` itself."""
    tool, issuer = software(cert), scheme_identity(scheme)
    moment = timestamp(recorded_at)
    abstract = f"Certificate {cert.number} ({cert.product}, {cert.vendor}) {kind} on {on}"
    note = {
        "type": "note", "spec_version": "2.1",
        "id": f"note--{uuid.uuid5(KELISIM_NAMESPACE, f'certificate-event:{seq}:{entry_hash}')}",
        "created_by_ref": issuer["id"], "created": moment, "modified": moment,
        "abstract": abstract,
        "content": f"{abstract} by scheme {scheme.key} of {scheme.party}."
                   + (f" Reason: {reason}" if reason else ""),
        "object_refs": [tool["id"], issuer["id"]],
        "labels": [f"certificate-{kind}"],
        "object_marking_refs": [TLP_MARKING_IDS["clear"]],
        "extensions": {KELISIM_EXTENSION_ID: {"extension_type": "property-extension",
                                              "art3_directions": [14]},
                       EXTENSION_ID: {
            "extension_type": "property-extension",
            "certificate_number": cert.number, "event": kind, "event_date": on,
            "scheme": scheme.key, "issuing_party": scheme.party,
            "requirements": [r.to_json() for r in cert.requirements],
            "recognised_in": list(recognised_in), "ledger_seq": seq, "ledger_hash": entry_hash,
        }},
    }
    return [extension_definition(), kelisim_identity(), issuer, tool, note]


def bundle(objects: Sequence[dict[str, Any]], seq: int) -> dict[str, Any]:
    return {"type": "bundle",
            "id": f"bundle--{uuid.uuid5(KELISIM_NAMESPACE, f'certificate-bundle:{seq}')}",
            "objects": list(objects)}
