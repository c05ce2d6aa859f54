"""A certificate's life, derived by replaying its lifecycle events — never overwritten.

Art. 2 (certification of conformity of an information protection tool) and Art. 3 (direction 14).
Every event — issued, amended, maintenance (a new version covered), suspended, reinstated,
withdrawn, expired — is an entry of the certification ledger; `replay` folds a certificate's
entries, ordered by (date, ledger sequence), into the certificate as it stands and its periods
of validity. Dates follow docs/decisions/0009-certification-dates.md: a date is the first day of
what it names; the expiry date is the first day the certificate is no longer valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from kelisim.domain.certification.schemes import ARTICLE, Scheme, parse_category, text
from kelisim.domain.errors import InvalidInput, RuleViolation

NUMBER_LIMIT = 120
DOCUMENT_KINDS = ("certificate", "certification_report", "security_target",
                  "maintenance_report", "maintenance_target", "other")
AMENDABLE = ("product", "vendor", "version", "category", "technical_domain", "requirements",
             "protection_profiles", "expires_on", "documents")


class EventKind(StrEnum):
    ISSUED = "issued"
    AMENDED = "amended"
    MAINTENANCE = "maintenance"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class CertState(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Requirement:
    document: str
    level: str
    augmentations: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "level": self.level,
                "augmentations": list(self.augmentations)}


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    title: str
    sha256: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "sha256": self.sha256, "url": self.url}


@dataclass(frozen=True)
class Maintenance:
    on: date
    version: str | None
    title: str
    documents: tuple[DocumentRef, ...] = ()


@dataclass(frozen=True)
class Period:
    state: CertState
    start: date
    end: date | None
    """First day of the next period (exclusive); None: open-ended."""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class CertificateEvent:
    """One ledger entry about one certificate; `data` is its normalized JSON fields."""

    seq: int
    kind: EventKind
    number: str
    on: date
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Certificate:
    number: str
    scheme: str
    party: str
    product: str
    vendor: str
    version: str | None
    category: str
    technical_domain: str | None
    requirements: tuple[Requirement, ...]
    protection_profiles: tuple[str, ...]
    issued_on: date
    expires_on: date
    documents: tuple[DocumentRef, ...]
    maintenance: tuple[Maintenance, ...] = ()
    periods: tuple[Period, ...] = ()
    history: tuple[tuple[int, str, date], ...] = ()
    """(ledger seq, event kind, date) of every event, in replay order."""

    def state_on(self, day: date) -> Period | None:
        """The period covering `day`, or None before the issue date."""
        return next((p for p in self.periods if p.covers(day)), None)

    def versions(self) -> tuple[str, ...]:
        """Every version the certificate covers: the certified one and those maintained since."""
        found = [self.version] + [m.version for m in self.maintenance]
        return tuple(v for v in found if v)

    def assurance_base(self) -> date:
        """The latest of the issue date and the last maintenance (assurance continuity)."""
        return max([self.issued_on, *(m.on for m in self.maintenance)])


def parse_requirements(raw: Any, scheme: Scheme) -> tuple[Requirement, ...]:
    """Requirements met, each a document of the scheme at a level on that document's scale."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("requirements is a non-empty list of {document, level}.",
                           field="requirements")
    found = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidInput("Each requirement is {document, level}.", field="requirements")
        key, level = str(item.get("document", "")), str(item.get("level", "")).strip()
        document = scheme.document(key)
        if document is None:
            raise InvalidInput(f"Scheme {scheme.key} certifies against no document {key!r}; it "
                               f"knows: {', '.join(d.key for d in scheme.documents)}.",
                               field="requirements", article=ARTICLE)
        if document.rank(level) is None:
            raise InvalidInput(f"Level {level!r} is not on the scale of {key} "
                               f"({', '.join(document.scale)}).", field="requirements",
                               article=ARTICLE)
        augmentations = item.get("augmentations") or []
        if not isinstance(augmentations, list):
            raise InvalidInput("augmentations is a list.", field="requirements")
        found.append(Requirement(key, level, tuple(str(a) for a in augmentations)))
    if len({r.document for r in found}) != len(found):
        raise InvalidInput("Each requirement document is listed once.", field="requirements")
    return tuple(found)


def parse_documents(raw: Any) -> tuple[DocumentRef, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput("documents is a list of {kind, title, sha256, url}.", field="documents")
    refs = []
    for item in raw:
        if not isinstance(item, Mapping) or item.get("kind") not in DOCUMENT_KINDS:
            raise InvalidInput(f"Each document has a kind among {', '.join(DOCUMENT_KINDS)}.",
                               field="documents")
        sha = item.get("sha256")
        if sha is not None and (not isinstance(sha, str) or len(sha) != 64
                                or any(c not in "0123456789abcdef" for c in sha)):
            raise InvalidInput("A document's sha256 is 64 lowercase hex digits.",
                               field="documents")
        refs.append(DocumentRef(item["kind"], text(item, "title", required=False) or item["kind"],
                                sha, text(item, "url", required=False, limit=2000)))
    return tuple(refs)


def parse_day(raw: Any, field: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"{field} must be a date as YYYY-MM-DD, not {raw!r}.",
                           field=field) from None


def issue_fields(raw: Mapping[str, Any], scheme: Scheme) -> dict[str, Any]:
    """The normalized JSON of an `issued` event (refuses what the scheme cannot certify)."""
    number = text(raw, "number", limit=NUMBER_LIMIT)
    issued_on = parse_day(raw.get("issued_on"), "issued_on")
    expires_on = parse_day(raw.get("expires_on"), "expires_on")
    if expires_on <= issued_on:
        raise InvalidInput(f"The expiry date ({expires_on}) must come after the issue date "
                           f"({issued_on}).", field="expires_on", article=ARTICLE)
    profiles = raw.get("protection_profiles") or []
    if not isinstance(profiles, list):
        raise InvalidInput("protection_profiles is a list.", field="protection_profiles")
    return {"number": number, "scheme": scheme.key, "on": issued_on.isoformat(),
            "product": text(raw, "product"), "vendor": text(raw, "vendor"),
            "version": text(raw, "version", required=False, limit=100),
            "category": parse_category(raw.get("category")),
            "technical_domain": text(raw, "technical_domain", required=False, limit=100),
            "requirements": [r.to_json() for r in parse_requirements(raw.get("requirements"),
                                                                     scheme)],
            "protection_profiles": [str(p) for p in profiles],
            "expires_on": expires_on.isoformat(),
            "documents": [d.to_json() for d in parse_documents(raw.get("documents"))]}


def event_fields(kind: EventKind, raw: Mapping[str, Any], scheme: Scheme) -> dict[str, Any]:
    """The normalized JSON of a later event (amended, maintenance, suspended, ...)."""
    fields: dict[str, Any] = {"on": parse_day(raw.get("on"), "on").isoformat(),
                              "reason": text(raw, "reason", required=False, limit=2000)}
    if kind is EventKind.MAINTENANCE:
        fields.update(version=text(raw, "version", required=False, limit=100),
                      title=text(raw, "title", required=False) or "Maintenance",
                      documents=[d.to_json() for d in parse_documents(raw.get("documents"))])
    elif kind is EventKind.AMENDED:
        changes = raw.get("changes")
        if not isinstance(changes, Mapping) or not changes or set(changes) - set(AMENDABLE):
            raise InvalidInput(f"An amendment names changes among: {', '.join(AMENDABLE)}.",
                               field="changes")
        fields["changes"] = _normalize_changes(changes, scheme)
    return fields


def _normalize_changes(changes: Mapping[str, Any], scheme: Scheme) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "requirements":
            out[key] = [r.to_json() for r in parse_requirements(value, scheme)]
        elif key == "category":
            out[key] = parse_category(value)
        elif key == "expires_on":
            out[key] = parse_day(value, "changes.expires_on").isoformat()
        elif key == "documents":
            out[key] = [d.to_json() for d in parse_documents(value)]
        elif key == "protection_profiles":
            out[key] = [str(p) for p in value] if isinstance(value, list) else []
        else:
            out[key] = text(changes, key, required=key in ("product", "vendor"))
    return out


def replay(events: Sequence[CertificateEvent], party: str,
           today: date | None = None) -> Certificate:
    """The certificate its events describe; RuleViolation names the first event that breaks the
    lifecycle (nothing before the issue date, nothing after withdrawal or expiry, suspend only
    what is valid, reinstate only what is suspended, no date after `today`)."""
    ordered = sorted(events, key=lambda e: (e.on, e.kind is not EventKind.ISSUED, e.seq))
    if not ordered or ordered[0].kind is not EventKind.ISSUED:
        raise RuleViolation("A certificate's first event is its issue.", article=ARTICLE)
    cert = _issued(ordered[0], party)
    transitions: list[tuple[date, CertState]] = [(cert.issued_on, CertState.VALID)]
    history = [(ordered[0].seq, ordered[0].kind.value, ordered[0].on)]
    for event in ordered[1:]:
        if today is not None and event.on > today:
            _refuse(event, f"it is dated {event.on}, after today ({today})")
        if event.kind is EventKind.ISSUED:
            _refuse(event, "the certificate was already issued")
        state = _state_at(transitions, cert.expires_on, event.on)
        if state in (CertState.WITHDRAWN, CertState.EXPIRED):
            _refuse(event, f"the certificate is {state.value} on {event.on}")
        cert = _apply(cert, event, state, transitions)
        history.append((event.seq, event.kind.value, event.on))
    return replace(cert, periods=_periods(transitions, cert.expires_on), history=tuple(history))


def _apply(cert: Certificate, event: CertificateEvent, state: CertState,
           transitions: list[tuple[date, CertState]]) -> Certificate:
    kind, data = event.kind, event.data
    if kind is EventKind.SUSPENDED and state is not CertState.VALID:
        _refuse(event, f"only a valid certificate can be suspended; it is {state.value}")
    if kind is EventKind.REINSTATED and state is not CertState.SUSPENDED:
        _refuse(event, "only a suspended certificate can be reinstated")
    target = {EventKind.SUSPENDED: CertState.SUSPENDED, EventKind.REINSTATED: CertState.VALID,
              EventKind.WITHDRAWN: CertState.WITHDRAWN, EventKind.EXPIRED: CertState.EXPIRED}
    if kind in target:
        transitions.append((event.on, target[kind]))
        return cert
    if kind is EventKind.MAINTENANCE:
        documents = tuple(DocumentRef(**d) for d in data.get("documents", []))
        return replace(cert, maintenance=(*cert.maintenance, Maintenance(
            event.on, data.get("version"), data.get("title") or "Maintenance", documents)))
    changes = dict(_decode(data.get("changes", {})))
    if "expires_on" in changes and changes["expires_on"] <= max(event.on, cert.issued_on):
        _refuse(event, "the new expiry date must come after the amendment's date")
    return replace(cert, **changes)


def _issued(event: CertificateEvent, party: str) -> Certificate:
    data = event.data
    decoded = _decode({k: data.get(k) for k in AMENDABLE})
    return Certificate(number=event.number, scheme=data["scheme"], party=party,
                       issued_on=event.on, **decoded)


def _decode(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "requirements" in out:
        out["requirements"] = tuple(Requirement(r["document"], r["level"],
                                                tuple(r.get("augmentations", ())))
                                    for r in out["requirements"])
    if "documents" in out:
        out["documents"] = tuple(DocumentRef(**d) for d in out["documents"] or [])
    if "protection_profiles" in out:
        out["protection_profiles"] = tuple(out["protection_profiles"] or ())
    if "expires_on" in out:
        out["expires_on"] = date.fromisoformat(out["expires_on"])
    return out


def _state_at(transitions: list[tuple[date, CertState]], expires_on: date,
              day: date) -> CertState:
    if day >= expires_on:
        return CertState.EXPIRED
    state = CertState.VALID
    for start, new in transitions:
        if start <= day:
            state = new
    return state


def _periods(transitions: list[tuple[date, CertState]], expires_on: date) -> tuple[Period, ...]:
    cut = [(d, s) for d, s in transitions if d < expires_on]
    terminal = next((d for d, s in cut if s in (CertState.WITHDRAWN, CertState.EXPIRED)), None)
    if terminal is None:
        cut.append((expires_on, CertState.EXPIRED))
    by_day: dict[date, CertState] = {}
    for day, state in cut:
        by_day[day] = state  # same day: the later event wins
    merged: list[tuple[date, CertState]] = []
    for day in sorted(by_day):
        state = by_day[day]
        if not merged or merged[-1][1] is not state:
            merged.append((day, state))
        if state in (CertState.WITHDRAWN, CertState.EXPIRED):
            break
    return tuple(Period(state, start, merged[i + 1][0] if i + 1 < len(merged) else None)
                 for i, (start, state) in enumerate(merged))


def _refuse(event: CertificateEvent, why: str) -> None:
    raise RuleViolation(f"Certificate {event.number}: the {event.kind.value} event of "
                        f"{event.on} is refused: {why}.", article=ARTICLE, event=event.kind.value,
                        seq=event.seq)
