"""The instruments the depositary receives, as the Agreement names them (Art. 8, 13, 14, 15).

An instrument is what arrived at the depositary; a *recorded entry* is that instrument with its
place in the ledger. Corrections (never edits) are instruments too: they supersede an earlier entry
by id, either replacing some of its fields or voiding it as recorded in error.

The JSON shape of each instrument is the public interface scripts are written against:

    {"kind": "signature", "party": "KAZ", "date": "2013-11-20"}
    {"kind": "notification", "party": "KAZ", "received": "2014-05-02", "authorized_bodies": [...]}
    {"kind": "accession", "party": "...", "received": "...", "authorized_bodies": [...]}
    {"kind": "authorized_bodies_change", "party": "...", "changed": "...", "received": "...",
     "authorized_bodies": [...]}
    {"kind": "withdrawal_notice", "party": "...", "received": "...", "withdrawal_date": null}
    {"kind": "correction", "supersedes": 7, "received": "2014-05-03"}   # fields to replace
    {"kind": "correction", "supersedes": 7, "void": true}                # recorded in error

Fields outside the kind's own (document numbers, notes, ...) are kept verbatim in `extra`.

Every instrument but a correction concerns one treaty: the Agreement by default, or a protocol
named by `"treaty": "<protocol id>"` (Art. 11). The field is written only when it names a
protocol, so an instrument concerning the Agreement has the same JSON, hence the same ledger
bytes and hashes, as before protocols were tracked (decision 0026). The depositary records the
protocol itself with `{"kind": "protocol", ...}` (`kelisim.domain.protocols`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Union

from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.domain.treaty_terms import AGREEMENT_ID

if TYPE_CHECKING:
    from kelisim.domain.protocols import ProtocolAdoption

AuthorizedBodies = tuple[Mapping[str, Any], ...]
Day = date  # `Signature.date` shadows the type inside its class body


@dataclass(frozen=True)
class Instrument:
    """Common shape: every instrument but a correction concerns one Party and has an event date."""

    kind: ClassVar[str] = ""
    own_fields: ClassVar[tuple[str, ...]] = ()

    party: str
    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True)
    treaty: str = field(default=AGREEMENT_ID, kw_only=True)

    @property
    def event_date(self) -> date:
        """The date the ledger orders by: received (or, for a signature, signed)."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.extra)
        body["kind"] = self.kind
        for name in ("party", *self.own_fields):
            body[name] = _json_value(getattr(self, name))
        if self.treaty != AGREEMENT_ID:
            body["treaty"] = self.treaty
        return body


@dataclass(frozen=True)
class Signature(Instrument):
    kind: ClassVar[str] = "signature"
    own_fields: ClassVar[tuple[str, ...]] = ("date",)
    date: Day

    @property
    def event_date(self) -> Day:
        return self.date


@dataclass(frozen=True)
class BindingInstrument(Instrument):
    """An instrument by which a state becomes bound; Art. 8: its list of authorized bodies
    is handed over with it."""

    own_fields: ClassVar[tuple[str, ...]] = ("received", "authorized_bodies")
    received: date
    authorized_bodies: AuthorizedBodies | None = None

    @property
    def event_date(self) -> date:
        return self.received


@dataclass(frozen=True)
class Notification(BindingInstrument):
    """Art. 13: a signatory's notification that its domestic procedures are complete."""

    kind: ClassVar[str] = "notification"


@dataclass(frozen=True)
class Accession(BindingInstrument):
    """Art. 14: an instrument of accession by a CIS state after entry into force."""

    kind: ClassVar[str] = "accession"


@dataclass(frozen=True)
class AuthorizedBodiesChange(Instrument):
    """Art. 8: a Party's notice that its list of authorized bodies changed on `changed`."""

    kind: ClassVar[str] = "authorized_bodies_change"
    own_fields: ClassVar[tuple[str, ...]] = ("changed", "received", "authorized_bodies")
    changed: date
    received: date
    authorized_bodies: AuthorizedBodies = ()

    @property
    def event_date(self) -> date:
        return self.received


@dataclass(frozen=True)
class WithdrawalNotice(Instrument):
    """Art. 15: written notice of withdrawal; `withdrawal_date` None means the earliest lawful."""

    kind: ClassVar[str] = "withdrawal_notice"
    own_fields: ClassVar[tuple[str, ...]] = ("received", "withdrawal_date")
    received: date
    withdrawal_date: date | None = None

    @property
    def event_date(self) -> date:
        return self.received


@dataclass(frozen=True)
class Correction:
    """A new entry that supersedes an earlier one: replaces the fields it gives, or voids it."""

    kind: ClassVar[str] = "correction"
    supersedes: int
    changes: Mapping[str, Any] = field(default_factory=dict)
    void: bool = False

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "supersedes": self.supersedes}
        if self.void:
            body["void"] = True
        body.update(self.changes)
        return body


AnyInstrument = Union[Instrument, Correction, "ProtocolAdoption"]
Recorded = Union[Instrument, "ProtocolAdoption"]
"""What a correction leaves standing: an instrument or a protocol's record."""

INSTRUMENT_TYPES: dict[str, type[Instrument]] = {
    cls.kind: cls
    for cls in (Signature, Notification, Accession, AuthorizedBodiesChange, WithdrawalNotice)
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "signature": ("party", "date"),
    "notification": ("party", "received"),
    "accession": ("party", "received"),
    "authorized_bodies_change": ("party", "changed", "received", "authorized_bodies"),
    "withdrawal_notice": ("party", "received"),
}
DATE_FIELDS = ("date", "received", "changed", "withdrawal_date")
INSTRUMENT_FIELDS = frozenset({"kind", "party", "treaty",
                               *(f for cls in INSTRUMENT_TYPES.values() for f in cls.own_fields)})


@dataclass(frozen=True)
class RecordedEntry:
    """An instrument with its place in the ledger; `id` is the ledger sequence number."""

    id: int
    instrument: AnyInstrument
    recorded_at: datetime


def parse_instrument(body: Any) -> AnyInstrument:
    """Build an instrument from its JSON shape, refusing anything ambiguous with the reason."""
    if not isinstance(body, Mapping):
        raise InvalidInput(Message(N_("An entry must be a JSON object.")))
    kind = body.get("kind")
    if kind == Correction.kind:
        return _parse_correction(body)
    if kind == "protocol":
        from kelisim.domain.protocols import parse_protocol
        return parse_protocol(body)
    if kind not in INSTRUMENT_TYPES:
        known = ", ".join([*INSTRUMENT_TYPES, "protocol", Correction.kind])
        raise InvalidInput(Message(N_("Unknown entry kind {kind!r}; expected one of: {known}."),
                                   kind=kind, known=known), field="kind")
    missing = [name for name in REQUIRED_FIELDS[kind] if body.get(name) in (None, "")]
    if missing:
        raise InvalidInput(Message(N_("A {kind} entry needs {fields}."), kind=kind,
                                   fields=", ".join(missing)), field=missing[0], kind=kind)
    return build_instrument(kind, body)


def build_instrument(kind: str, body: Mapping[str, Any]) -> Instrument:
    """Build an instrument of `kind` from fields already known to be present."""
    cls = INSTRUMENT_TYPES[kind]
    own = {"party", "treaty", *cls.own_fields}
    values: dict[str, Any] = {"party": _parse_party(body["party"])}
    if body.get("treaty") is not None:
        from kelisim.domain.protocols import parse_treaty_id
        values["treaty"] = parse_treaty_id(body["treaty"], "treaty")
    for name in cls.own_fields:
        raw = body.get(name)
        if name in DATE_FIELDS:
            values[name] = None if raw is None else parse_date(raw, name)
        elif name == "authorized_bodies":
            bodies = parse_authorized_bodies(raw)
            if bodies is None and kind == AuthorizedBodiesChange.kind:
                raise InvalidInput(Message(N_("A change must give the new list of authorized "
                                              "bodies (Art. 8).")),
                                   field="authorized_bodies", article="Art. 8")
            if bodies is not None or kind != AuthorizedBodiesChange.kind:
                values[name] = bodies
    extra = {k: v for k, v in body.items() if k not in own and k != "kind"}
    return cls(**values, extra=extra)


def apply_correction(original: Recorded, correction: Correction) -> Recorded:
    """The corrected instrument: the original's fields with the correction's given ones on top."""
    if "kind" in correction.changes and correction.changes["kind"] != original.kind:
        raise InvalidInput(Message(
            N_("A correction keeps the kind of the entry it supersedes ({kind}); void the entry "
               "and record a new one instead."), kind=original.kind), field="kind")
    if not isinstance(original, Instrument):  # a protocol's record: its fields, re-read whole
        from kelisim.domain.protocols import parse_protocol
        return parse_protocol({**original.to_json(), **correction.changes})
    foreign = sorted(set(correction.changes) & INSTRUMENT_FIELDS
                     - {"kind", "party", "treaty", *original.own_fields})
    if foreign:
        raise InvalidInput(Message(N_("A {kind} entry has no {fields}; a correction replaces "
                                      "fields the entry has."),
                                   kind=original.kind, fields=", ".join(foreign)),
                           field=foreign[0])
    merged = {**original.to_json(), **correction.changes}
    missing = [name for name in REQUIRED_FIELDS[original.kind] if merged.get(name) in (None, "")]
    if missing:
        raise InvalidInput(Message(N_("A correction cannot remove {fields} from a {kind} entry; "
                                      "void the entry instead."),
                                   fields=", ".join(missing), kind=original.kind),
                           field=missing[0])
    return build_instrument(original.kind, merged)


def parse_date(raw: Any, name: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str):
        _bad_date(raw, name)
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _bad_date(raw, name)
    except ValueError:
        return _bad_date(raw, name)


def _bad_date(raw: Any, name: str) -> date:
    raise InvalidInput(Message(N_("{name} must be a date as YYYY-MM-DD, not {raw!r}."),
                               name=name, raw=raw), field=name)


def parse_authorized_bodies(raw: Any) -> AuthorizedBodies | None:
    """None (absent) and [] (empty) both mean no list was given, which Art. 8 flags."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InvalidInput(Message(N_("authorized_bodies must be a list of objects with a "
                                      "name.")), field="authorized_bodies")
    bodies = []
    for position, item in enumerate(raw):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            raise InvalidInput(Message(N_("authorized_bodies[{position}] needs a non-empty "
                                          "name."), position=position),
                               field="authorized_bodies")
        bodies.append(dict(item))
    return tuple(bodies) or None


def _parse_party(raw: Any) -> str:
    if not isinstance(raw, str) or len(raw) != 3 or not raw.isalpha():
        raise InvalidInput(Message(N_("party must be an ISO 3166-1 alpha-3 code such as KAZ, "
                                      "not {raw!r}."), raw=raw), field="party")
    return raw.upper()


def _parse_correction(body: Mapping[str, Any]) -> Correction:
    supersedes = body.get("supersedes")
    if not isinstance(supersedes, int) or isinstance(supersedes, bool) or supersedes < 1:
        raise InvalidInput(Message(N_("A correction needs `supersedes`: the id of the entry it "
                                      "corrects.")), field="supersedes")
    void = body.get("void", False)
    if not isinstance(void, bool):
        raise InvalidInput(Message(N_("void must be true or false.")), field="void")
    changes = {k: v for k, v in body.items() if k not in ("kind", "supersedes", "void")}
    if not void and not changes:
        raise InvalidInput(Message(N_("A correction must give the fields it corrects, or "
                                      "`void: true`.")), field="supersedes")
    for name in DATE_FIELDS:
        if changes.get(name) is not None:
            parse_date(changes[name], name)
    return Correction(supersedes=supersedes, changes=changes, void=void)


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [dict(item) for item in value]
    return value

