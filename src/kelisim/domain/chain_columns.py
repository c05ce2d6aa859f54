"""What each hash chain's table stores beside the body, derived from the hashed body alone.

One rule for both directions: storage fills the columns with these values when it appends a
link, and verification (`domain.ledger.column_problems`) checks the stored columns against them,
so an edit of any column is named like an edit of the body. Every column of the three chain
tables is covered: `seq`, `body` and `hash` by the chain itself (`verify_chain`), the rest here.

- `ledger_entries` (the depositary's record, Art. 8, 13-15): `recorded_at`, `kind`, `party`,
  `event_date` (a correction has neither party nor date), `recorded_by`.
- `cert_ledger_entries` (the certification registry, Art. 3 direction 14): `recorded_at`,
  `kind`, `scheme`, `number`, `event_date`, `recorded_by`.
- `exchange_audit` (reads of restricted-access information, Art. 6): `recorded_at`,
  `account_id`, `party` (the reader's), `owners` (`|KAZ|RUS|`, for the owner's query).

`recorded_by` (the account that recorded the entry) is nowhere else in an entry: it is kept in
the body itself (`attested`, a top-level key of the hashed body) since migration 0009; an entry
recorded before holds none, and its column was cleared by that migration
(docs/decisions/0001-foundation.md, "Every stored column verifiable").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kelisim.domain.instruments import Correction, parse_instrument

RECORDED_BY = "recorded_by"


def attested(recorded_by: int | None) -> dict[str, Any]:
    """The top-level keys a depositary or certification link carries besides its entry."""
    return {RECORDED_BY: recorded_by}


def depositary_columns(body: dict[str, Any]) -> dict[str, Any]:
    entry = body["entry"]
    instrument = parse_instrument(entry)
    party, event_date = (None, None) if isinstance(instrument, Correction) else (
        instrument.party, instrument.event_date)
    return {"recorded_at": datetime.fromisoformat(body["recorded_at"]), "kind": entry["kind"],
            "party": party, "event_date": event_date, RECORDED_BY: body.get(RECORDED_BY)}


def certification_columns(body: dict[str, Any]) -> dict[str, Any]:
    entry = body["entry"]
    kind = entry["kind"]
    scheme: str | None
    number: str | None = None
    on: date | None = None
    if kind == "scheme.recorded":
        scheme = entry["scheme"]["key"]
    elif kind == "arrangement.recorded":
        scheme = entry["arrangement"]["recognised_scheme"]
        on = date.fromisoformat(entry["arrangement"]["valid_from"])
    else:  # certificate.<event>: its number, its scheme and the day it happened
        scheme, number, on = entry["scheme"], entry["number"], date.fromisoformat(entry["on"])
    return {"recorded_at": datetime.fromisoformat(body["recorded_at"]), "kind": kind,
            "scheme": scheme, "number": number, "event_date": on,
            RECORDED_BY: body.get(RECORDED_BY)}


def audit_columns(body: dict[str, Any]) -> dict[str, Any]:
    entry = body["entry"]
    reader = entry["reader"]
    return {"recorded_at": datetime.fromisoformat(body["recorded_at"]),
            "account_id": reader["account"], "party": reader["party"],
            "owners": "|" + "|".join(entry["owners"]) + "|"}
