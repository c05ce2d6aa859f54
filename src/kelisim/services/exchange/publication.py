"""What kelisim itself publishes to the exchange: the Agreement's STIX vocabulary (Art. 2, 3, 6).

Every node serves, in a collection every bound Party reads and no one writes, the identity of the
depositary, the two kelisim extension-definitions and the state-secret marking, so that a TAXII
client (MISP, OpenCTI, taxii2-client) can resolve the extensions and markings it meets. Ids and
timestamps are fixed, so publishing again on every start stores nothing new.
"""

from __future__ import annotations

import uuid
from typing import Any

from kelisim.domain.stix.extension import extension_definitions
from kelisim.services.exchange.intake import store_objects
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords

DEFINITIONS_ALIAS = "kelisim-agreement"
DEFINITIONS_COLLECTION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "kelisim:collection:agreement"))
CERTIFICATION_ALIAS = "kelisim-certification"
CERTIFICATION_COLLECTION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                             "kelisim:collection:certification"))
DEPOSITARY_IDENTITY_ID = "identity--" + str(
    uuid.uuid5(uuid.NAMESPACE_URL, "kelisim:identity:cis-executive-committee"))
PUBLISHED = "2013-11-20T00:00:00.000Z"


def depositary_identity() -> dict[str, Any]:
    return {"type": "identity", "spec_version": "2.1", "id": DEPOSITARY_IDENTITY_ID,
            "created": PUBLISHED, "modified": PUBLISHED,
            "name": "CIS Executive Committee (depositary of the 2013 Agreement)",
            "identity_class": "organization", "sectors": ["government-national"]}


def published_objects() -> list[dict[str, Any]]:
    return [depositary_identity(), *extension_definitions(DEPOSITARY_IDENTITY_ID)]


def _ensure_collection(records: ExchangeRecords, rt: Runtime, collection_id: str, alias: str,
                       title: str, description: str) -> None:
    """A collection every bound Party reads and only kelisim writes (write rule: nobody)."""
    if records.collection(collection_id) is None:
        records.add_collection(id=collection_id, alias=alias, title=title,
                               description=description, owner_party=None, read_parties=None,
                               write_parties="||", created_at=rt.clock(), created_by=None)


def publish_agreement_vocabulary(rt: Runtime) -> str:
    """Create the read-only definitions collection if missing and (re)publish its objects."""
    with rt.unit_of_work() as uow:
        _ensure_collection(
            ExchangeRecords(uow.connection), rt, DEFINITIONS_COLLECTION_ID, DEFINITIONS_ALIAS,
            "The Agreement's STIX vocabulary",
            "kelisim's extension-definitions (Art. 2 threat classes, Art. 3 directions, "
            "recipients; the Art. 6 restricted-access marking) and the state-secret marking, "
            "published by the node.")
        _, failures = store_objects(rt, uow.connection, DEFINITIONS_COLLECTION_ID,
                                    published_objects(), party=None, account_id=0)
        if failures:
            raise RuntimeError(f"kelisim's own STIX vocabulary does not validate: {failures}")
        uow.commit()
    return DEFINITIONS_COLLECTION_ID


def publish_certification_event(rt: Runtime, objects: list[dict[str, Any]],
                                issuing_party: str) -> list[dict[str, Any]]:
    """Publish a certificate's lifecycle event (Art. 3, direction 14; Art. 9) to every bound
    Party; returns the objects that failed (none, for objects kelisim builds itself)."""
    with rt.unit_of_work() as uow:
        _ensure_collection(
            ExchangeRecords(uow.connection), rt, CERTIFICATION_COLLECTION_ID,
            CERTIFICATION_ALIAS, "Certification events",
            "Suspensions, withdrawals, reinstatements and expiries of certified information "
            "protection tools, so that every Party recognising a certificate learns of them "
            "(Art. 3, direction 14).")
        _, failures = store_objects(rt, uow.connection, CERTIFICATION_COLLECTION_ID, objects,
                                    party=issuing_party, account_id=0)
        uow.commit()
    return failures
