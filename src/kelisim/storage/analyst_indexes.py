"""The analyst indexes of stored object versions, kept in one place so that every writer keeps
all of them (issue 16): the correlation index (item 1, `observables_index`), the references
index (items 2 and 10, `references_index`) and the full-text index (item 3, `text_index`).
The ATT&CK techniques an object refers to (item 4) are rows of the correlation index of kind
`ATTACK_KIND`, which "where else" and exports leave out (docs/decisions/0020).

Intake (`services/exchange/batch.py`), deletion (`exchange_objects`) and the federation's
copies (`federation_objects`) write and delete a version's index rows in the same transaction
as the version's row, through these two functions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete

from kelisim.domain.attack import technique_ids
from kelisim.domain.stix.observables import Observable, observables
from kelisim.storage.observables_index import ATTACK_KIND, index_row, insert_index
from kelisim.storage.references_index import delete_references, insert_references, reference_rows
from kelisim.storage.schema import exchange_observables
from kelisim.storage.text_index import delete_text, insert_text, text_row

CHUNK = 500


def index_versions(connection: Connection,
                   stored: Sequence[tuple[dict[str, Any], dict[str, Any]]],
                   values: Sequence[Sequence[Observable]] | None = None) -> None:
    """Index these just-inserted versions: (row as inserted, with its date_added; its object),
    and `values`, each one's `observables` in the same order, when the caller has them already
    (the intake's batch, which checked them against the warning lists: read once, not thrice)."""
    found = [observables(obj) for _, obj in stored] if values is None else values
    ordered = sorted(zip(stored, found, strict=True),
                     key=lambda item: item[0][0]["date_added"])  # the keys grow
    insert_index(connection, [index_row(row, value) for (row, obj), observed in ordered
                              for value in [*observed, *_techniques(obj)]])
    insert_references(connection, [ref for (row, obj), _ in ordered
                                   for ref in reference_rows(row, obj)])
    insert_text(connection, [text_row(row, obj, observed) for (row, obj), observed in ordered])


def drop_versions(connection: Connection, collection_id: str, stamps: Sequence[int]) -> None:
    """Remove the index rows of these stored versions (by date_added), deleted or replaced."""
    stamps = list(stamps)
    for start in range(0, len(stamps), CHUNK):
        connection.execute(delete(exchange_observables).where(
            exchange_observables.c.collection_id == collection_id,
            exchange_observables.c.date_added.in_(stamps[start:start + CHUNK])))
    delete_references(connection, collection_id, stamps)
    delete_text(connection, collection_id, stamps)


def _techniques(obj: dict[str, Any]) -> list[Observable]:
    return [Observable(ATTACK_KIND, ident) for ident in technique_ids(obj)]
