"""The Agreement's life, from the depositary's record: who is a Party, and since when.

Every rule here cites the article it applies. The record is replayed in the order instruments
reached the depositary (same-day receipts in ledger order, a signature before anything else that
day), checking each instrument against the state the record was in just before it; the status on a
date D is the same replay cut at D. Day counting lives in `kelisim.domain.calendar`.

* Art. 13: the Agreement enters into force 30 days after the depositary receives the *third*
  notification (distinct signatories); a signatory that notifies later is bound 30 days after its
  own notification. A Party's date of effect is max(entry into force, receipt + 30 days).
* Art. 14: after entry into force, any CIS state may accede; in force for it 30 days after receipt.
* Art. 15: withdrawal by written notice no later than 6 months before it takes effect.
* Art. 8: each notification or accession comes with the list of authorized bodies; changes are
  notified within 30 days.

The numbers come from the treaty's `TreatyTerms` (`kelisim.domain.treaty_terms`): the Agreement
is one treaty the engine tracks; a protocol (Art. 11) is replayed by the same `TreatyRecord` on
the terms it states, and `kelisim.domain.depositary_record` replays all of them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from kelisim.domain import calendar
from kelisim.domain.errors import N_, Conflict, InvalidInput, Message, NotFound, RuleViolation
from kelisim.domain.instruments import (
    Accession,
    AuthorizedBodies,
    AuthorizedBodiesChange,
    Correction,
    Instrument,
    Notification,
    Recorded,
    RecordedEntry,
    Signature,
    WithdrawalNotice,
    apply_correction,
)
from kelisim.domain.treaty_terms import AGREEMENT, TreatyTerms

SIGNED_ON = AGREEMENT.done_on
"""Done at Saint Petersburg on 20 November 2013 (final clause after Art. 15)."""

NOTIFICATIONS_FOR_ENTRY_INTO_FORCE = AGREEMENT.notifications_for_entry_into_force
"""Art. 13: the third notification of completed domestic procedures."""

IsCisState = Callable[[str, date], bool]
Eligible = Callable[[str, date, str], Message | None]
"""For a protocol: (party, date, instrument kind) -> the refusal, or None if it may (Art. 11)."""


class PartyState(StrEnum):
    NOT_PARTY = "not_party"
    SIGNATORY = "signatory"
    PENDING = "pending"
    IN_FORCE = "in_force"
    WITHDRAWING = "withdrawing"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Flag:
    """A compliance remark: recorded, not refused."""

    code: str
    article: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "article": self.article, **self.details}


@dataclass(frozen=True)
class EffectiveEntry:
    """An instrument as it stands after every correction that supersedes it."""

    id: int
    instrument: Recorded
    corrected_by: tuple[int, ...] = ()


@dataclass
class Term:
    """One span of participation: from a notification or accession to a withdrawal, if any."""

    instrument_id: int
    kind: str
    received: date
    withdrawal_id: int | None = None
    withdrawal_received: date | None = None
    withdrawal_date: date | None = None


@dataclass(frozen=True)
class BodiesList:
    term_index: int
    entry_id: int
    received: date
    effective_from: date
    bodies: AuthorizedBodies


@dataclass
class PartyRecord:
    party: str
    signed_on: date | None = None
    signature_id: int | None = None
    notification_id: int | None = None
    terms: list[Term] = field(default_factory=list)
    lists: list[BodiesList] = field(default_factory=list)
    late_changes: list[tuple[int, Flag]] = field(default_factory=list)


@dataclass(frozen=True)
class PartyStatus:
    party: str
    state: PartyState
    signed_on: date | None
    instrument: str | None
    instrument_received: date | None
    in_force_from: date | None
    withdrawal_received: date | None
    withdrawal_effective: date | None
    authorized_bodies: AuthorizedBodies
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class AgreementStatus:
    on: date
    entry_into_force: date | None
    notifications_received: int
    parties: tuple[PartyStatus, ...]

    @property
    def in_force(self) -> bool:
        return self.entry_into_force is not None and self.on >= self.entry_into_force


def resolve_corrections(entries: Iterable[RecordedEntry]) -> list[EffectiveEntry]:
    """Each original entry as its corrections (in ledger order) leave it; voided ones dropped.

    A correction may supersede an original or an earlier correction; either way it corrects the
    original. Voiding an original drops it; voiding a correction withdraws only that correction,
    so the original stands as the remaining corrections leave it.
    """
    originals: dict[int, Recorded] = {}
    root_of: dict[int, int] = {}
    corrections: dict[int, list[tuple[int, Correction]]] = {}
    voided: set[int] = set()
    for entry in sorted(entries, key=lambda e: e.id):
        item = entry.instrument
        if not isinstance(item, Correction):
            originals[entry.id] = item
            root_of[entry.id] = entry.id
            corrections[entry.id] = []
            continue
        root = root_of.get(item.supersedes)
        if root is None:
            raise NotFound(Message(N_("Entry {entry} supersedes entry {supersedes}, which is "
                                      "not in the ledger before it."),
                                   entry=entry.id, supersedes=item.supersedes), entry=entry.id)
        if item.supersedes in voided or root in voided:
            raise Conflict(Message(N_("Entry {supersedes} was voided; a voided entry cannot be "
                                      "corrected again. Record a new entry instead."),
                                   supersedes=item.supersedes), entry=entry.id)
        root_of[entry.id] = root
        if item.void:
            voided.add(item.supersedes)
        else:
            corrections[root].append((entry.id, item))
    return [_corrected(root, original, corrections[root], voided)
            for root, original in originals.items() if root not in voided]


def _corrected(root: int, original: Recorded, chain: list[tuple[int, Correction]],
               voided: set[int]) -> EffectiveEntry:
    current, applied = original, []
    for correction_id, correction in chain:
        if correction_id in voided:
            continue
        try:
            current = apply_correction(current, correction)
        except InvalidInput as refusal:
            refusal.details.setdefault("entry", correction_id)
            raise
        applied.append(correction_id)
    return EffectiveEntry(root, current, tuple(applied))


def replay_order(entry: EffectiveEntry) -> tuple[date, int, int]:
    """Receipt order; on one day a protocol's record comes first (Art. 11: it is done before it
    is signed), then signatures, then the ledger decides."""
    item = entry.instrument
    rank = 1 if isinstance(item, Signature) else 2 if isinstance(item, Instrument) else 0
    return (entry.instrument.event_date, rank, entry.id)


class TreatyRecord:
    """The record replayed so far; `admit` applies one more instrument or refuses it."""

    def __init__(self, is_cis_state: IsCisState, terms: TreatyTerms = AGREEMENT,
                 eligible: Eligible | None = None) -> None:
        self._is_cis_state = is_cis_state
        self.terms = terms
        self._eligible = eligible
        self.parties: dict[str, PartyRecord] = {}
        self.notifiers: list[tuple[date, str]] = []

    @property
    def entry_into_force(self) -> date | None:
        """Art. 13: 30 days after the third notification reaches the depositary (or what a
        protocol's terms say instead, Art. 11)."""
        needed = self.terms.notifications_for_entry_into_force
        if len(self.notifiers) < needed:
            return None
        return calendar.days_after(self.notifiers[needed - 1][0], self.terms.days_after)

    def record_of(self, party: str) -> PartyRecord:
        return self.parties.setdefault(party, PartyRecord(party))

    def admit(self, entry: EffectiveEntry) -> tuple[Flag, ...]:
        item = entry.instrument
        assert isinstance(item, Instrument)  # a protocol's record is the depositary record's
        if item.event_date < SIGNED_ON:
            raise RuleViolation(Message(_before_signing(item), date=item.event_date,
                                        signed_on=SIGNED_ON),
                                article="final clause (signed 20 November 2013)")
        handler = {
            Signature: self._admit_signature,
            Notification: self._admit_notification,
            Accession: self._admit_accession,
            AuthorizedBodiesChange: self._admit_bodies_change,
            WithdrawalNotice: self._admit_withdrawal,
        }[type(item)]
        return handler(entry.id, item)  # type: ignore[operator]

    def _refuse_ineligible(self, party: str, on: date, kind: str) -> None:
        refusal = self._eligible(party, on, kind) if self._eligible else None
        if refusal is not None:
            raise RuleViolation(refusal, article="Art. 11", treaty=self.terms.id)

    def _admit_signature(self, entry_id: int, item: Signature) -> tuple[Flag, ...]:
        record = self.record_of(item.party)
        if self.terms.is_protocol:
            self._refuse_ineligible(item.party, item.date, item.kind)
        elif not self._is_cis_state(item.party, item.date):
            raise RuleViolation(Message(N_("{party} was not a CIS state on {date}; only the "
                                           "governments of CIS states sign the Agreement."),
                                        party=item.party, date=item.date),
                                article="Preamble, Art. 13")
        if record.signed_on is not None:
            raise Conflict(Message(N_("{party} already signed on {signed_on} (entry {entry})."),
                                   party=item.party, signed_on=record.signed_on,
                                   entry=record.signature_id), article="Art. 13")
        if record.terms:
            raise RuleViolation(Message(N_("{party} is already bound by accession; it does not "
                                           "sign."), party=item.party), article="Art. 14")
        record.signed_on, record.signature_id = item.date, entry_id
        return ()

    def _admit_notification(self, entry_id: int, item: Notification) -> tuple[Flag, ...]:
        record = self.record_of(item.party)
        if self.terms.is_protocol:  # Art. 11 first: only a Party of the Agreement is bound
            self._refuse_ineligible(item.party, item.received, item.kind)
        if record.signed_on is None or record.signed_on > item.received:
            raise RuleViolation(Message(
                N_("{party} has no signature recorded on or before {received}: only a signatory "
                   "notifies completion of domestic procedures (Art. 13); a state that did not "
                   "sign accedes (Art. 14)."), party=item.party, received=item.received),
                article="Art. 13")
        if record.notification_id is not None:
            raise Conflict(Message(N_("{party} already notified completion of domestic "
                                      "procedures (entry {entry}); a second notification is "
                                      "refused."), party=item.party, entry=record.notification_id),
                           article="Art. 13")
        record.notification_id = entry_id
        self.notifiers.append((item.received, item.party))
        return self._open_term(record, entry_id, item.kind, item.received, item.authorized_bodies)

    def _admit_accession(self, entry_id: int, item: Accession) -> tuple[Flag, ...]:
        record = self.record_of(item.party)
        if self.terms.is_protocol:
            self._check_protocol_accession(item)
        elif not self._is_cis_state(item.party, item.received):
            raise RuleViolation(Message(N_("{party} was not a CIS state on {received}; "
                                           "accession is open to CIS states only."),
                                        party=item.party, received=item.received),
                                article="Art. 14")
        entry_into_force = self.entry_into_force
        if entry_into_force is None:
            raise RuleViolation(Message(
                N_("The Agreement had not entered into force on {received} ({count} of {needed} "
                   "notifications received); accession is open only after entry into force."),
                received=item.received, count=len(self.notifiers),
                needed=NOTIFICATIONS_FOR_ENTRY_INTO_FORCE), article="Art. 14")
        if item.received < entry_into_force:
            raise RuleViolation(Message(
                N_("The instrument was received on {received}, before the Agreement entered "
                   "into force on {entry_into_force}; accession is open only after entry into "
                   "force."), received=item.received, entry_into_force=entry_into_force),
                article="Art. 14", entry_into_force=entry_into_force.isoformat())
        state = self.party_state(record, item.received)
        if state is PartyState.SIGNATORY:
            raise RuleViolation(Message(N_("{party} is a signatory: it becomes a Party by "
                                           "notifying completion of its domestic procedures, "
                                           "not by accession."), party=item.party),
                                article="Art. 13")
        if state in (PartyState.PENDING, PartyState.IN_FORCE, PartyState.WITHDRAWING):
            raise Conflict(Message(N_("{party} is already {state} on {received}; it may accede "
                                      "only when it is not a Party."),
                                   party=item.party, state=state, received=item.received),
                           article="Art. 14")
        return self._open_term(record, entry_id, item.kind, item.received, item.authorized_bodies)

    def _check_protocol_accession(self, item: Accession) -> None:
        """Art. 11 with the protocol's own terms: open or not, from when, after entry into
        force; and only to a Party of the Agreement."""
        terms = self.terms
        if not terms.accession_open:
            raise RuleViolation(Message(N_("Protocol {treaty} is not open to accession; a state "
                                           "that did not sign it cannot accede (Art. 11)."),
                                        treaty=terms.id), article="Art. 11")
        if terms.accession_from is not None and item.received < terms.accession_from:
            raise RuleViolation(Message(N_("Protocol {treaty} is open to accession from "
                                           "{accession_from}, not on {received}."),
                                        treaty=terms.id, accession_from=terms.accession_from,
                                        received=item.received), article="Art. 11")
        entry_into_force = self.entry_into_force
        if entry_into_force is None or item.received < entry_into_force:
            raise RuleViolation(Message(
                N_("Protocol {treaty} had not entered into force on {received} ({count} of "
                   "{needed} notifications received); accession is open only after its entry "
                   "into force."), treaty=terms.id, received=item.received,
                count=len(self.notifiers), needed=terms.notifications_for_entry_into_force),
                article="Art. 11")
        self._refuse_ineligible(item.party, item.received, item.kind)

    def _open_term(self, record: PartyRecord, entry_id: int, kind: str, received: date,
                   bodies: AuthorizedBodies | None) -> tuple[Flag, ...]:
        record.terms.append(Term(entry_id, kind, received))
        if not self.terms.authorized_bodies:
            return ()
        if bodies:
            record.lists.append(BodiesList(len(record.terms) - 1, entry_id, received, received,
                                           bodies))
            return ()
        return (Flag("authorized_bodies_missing", "Art. 8",
                     {"entry": entry_id, "instrument": kind}),)

    def _admit_bodies_change(self, entry_id: int, item: AuthorizedBodiesChange) -> tuple[Flag, ...]:
        if not self.terms.authorized_bodies:
            raise RuleViolation(Message(N_("Lists of authorized bodies concern the Agreement "
                                           "(Art. 8), not protocol {treaty}; record the change "
                                           "without a treaty."), treaty=self.terms.id),
                                article="Art. 8")
        record = self.record_of(item.party)
        state = self.party_state(record, item.received)
        if state not in (PartyState.PENDING, PartyState.IN_FORCE, PartyState.WITHDRAWING):
            raise RuleViolation(Message(N_("{party} is {state} on {received}; only a Party that "
                                           "has handed over its instrument has authorized bodies "
                                           "to change."),
                                        party=item.party, state=state, received=item.received),
                                article="Art. 8")
        if item.changed < record.terms[-1].received:
            raise RuleViolation(Message(N_("The change date {changed} is before {party}'s "
                                           "instrument was received on {received}."),
                                        changed=item.changed, party=item.party,
                                        received=record.terms[-1].received), article="Art. 8")
        term_index = len(record.terms) - 1
        record.lists.append(BodiesList(term_index, entry_id, item.received, item.changed,
                                       item.authorized_bodies))
        delay = calendar.days_between(item.changed, item.received)
        if delay <= calendar.AUTHORIZED_BODIES_NOTICE_DAYS:
            return ()
        flag = Flag("late_change_notice", "Art. 8", {
            "entry": entry_id, "changed": item.changed.isoformat(),
            "received": item.received.isoformat(),
            "days_late": delay - calendar.AUTHORIZED_BODIES_NOTICE_DAYS})
        record.late_changes.append((term_index, flag))
        return (flag,)

    def _admit_withdrawal(self, entry_id: int, item: WithdrawalNotice) -> tuple[Flag, ...]:
        record = self.record_of(item.party)
        state = self.party_state(record, item.received)
        if state not in (PartyState.PENDING, PartyState.IN_FORCE):
            raise RuleViolation(Message(N_("{party} is {state} on {received}; only a Party for "
                                           "which the Agreement is in force or pending may "
                                           "withdraw."),
                                        party=item.party, state=state, received=item.received),
                                article="Art. 15")
        months = self.terms.withdrawal_notice_months
        if months is None:
            raise RuleViolation(Message(N_("Protocol {treaty} forms an integral part of the "
                                           "Agreement; a Party leaves it by withdrawing from the "
                                           "Agreement (Art. 11, 15)."), treaty=self.terms.id),
                                article="Art. 11")
        earliest = calendar.months_after(item.received, months)
        if item.withdrawal_date is not None and item.withdrawal_date < earliest and (
                self.terms.is_protocol):
            raise RuleViolation(Message(
                N_("The notice received on {received} must precede withdrawal by at least "
                   "{months} months: the earliest lawful withdrawal date is {earliest}, not "
                   "{withdrawal_date}."), received=item.received, months=months,
                earliest=earliest, withdrawal_date=item.withdrawal_date), article="Art. 11",
                earliest_withdrawal_date=earliest.isoformat())
        if item.withdrawal_date is not None and item.withdrawal_date < earliest:
            raise RuleViolation(Message(
                N_("The notice received on {received} must precede withdrawal by at least "
                   "6 months: the earliest lawful withdrawal date is {earliest}, not "
                   "{withdrawal_date}."), received=item.received, earliest=earliest,
                withdrawal_date=item.withdrawal_date), article="Art. 15",
                earliest_withdrawal_date=earliest.isoformat())
        term = record.terms[-1]
        term.withdrawal_id = entry_id
        term.withdrawal_received = item.received
        term.withdrawal_date = item.withdrawal_date or earliest
        return ()

    def date_of_effect(self, term: Term) -> date | None:
        """Art. 13/14: max(entry into force, receipt + 30 days); None before entry into force,
        or when the withdrawal takes effect first."""
        own = calendar.days_after(term.received, self.terms.days_after)
        if term.kind == Accession.kind:
            effect: date | None = own
        else:
            entry_into_force = self.entry_into_force
            effect = None if entry_into_force is None else max(entry_into_force, own)
        if effect is not None and term.withdrawal_date is not None and (
                term.withdrawal_date <= effect):
            return None  # withdrew before it was ever bound: there is no date of effect
        return effect

    def party_state(self, record: PartyRecord, on: date) -> PartyState:
        """Dates of effect are inclusive: in force on the date of effect, withdrawn on the date."""
        if not record.terms:
            signed = record.signed_on is not None and record.signed_on <= on
            return PartyState.SIGNATORY if signed else PartyState.NOT_PARTY
        term = record.terms[-1]
        if term.withdrawal_date is not None:
            return PartyState.WITHDRAWN if on >= term.withdrawal_date else PartyState.WITHDRAWING
        effect = self.date_of_effect(term)
        return PartyState.IN_FORCE if effect is not None and on >= effect else PartyState.PENDING

    def party_status(self, party: str, on: date) -> PartyStatus:
        record = self.parties.get(party) or PartyRecord(party)
        state = self.party_state(record, on)
        term = record.terms[-1] if record.terms else None
        active = state in (PartyState.PENDING, PartyState.IN_FORCE, PartyState.WITHDRAWING)
        current = len(record.terms) - 1
        bodies = _bodies_on(record, current, on) if active else ()
        flags: list[Flag] = []
        if active and term and not bodies and self.terms.authorized_bodies:
            flags.append(Flag("authorized_bodies_missing", "Art. 8",
                              {"entry": term.instrument_id, "instrument": term.kind}))
        if active:
            flags.extend(flag for index, flag in record.late_changes if index == current)
        return PartyStatus(
            party=party, state=state, signed_on=record.signed_on,
            instrument=term.kind if term else None,
            instrument_received=term.received if term else None,
            in_force_from=self.date_of_effect(term) if term else None,
            withdrawal_received=term.withdrawal_received if term else None,
            withdrawal_effective=term.withdrawal_date if term else None,
            authorized_bodies=bodies, flags=tuple(flags))


    def status(self, on: date, parties: Iterable[str]) -> AgreementStatus:
        codes = sorted(set(parties) | set(self.parties))
        return AgreementStatus(
            on=on, entry_into_force=self.entry_into_force,
            notifications_received=len(self.notifiers),
            parties=tuple(self.party_status(code, on) for code in codes))


def _bodies_on(record: PartyRecord, term_index: int, on: date) -> AuthorizedBodies:
    """Art. 8: the latest list received by `on` whose change date is on or before `on`."""
    candidates = [lst for lst in record.lists if lst.term_index == term_index
                  and lst.received <= on and lst.effective_from <= on]
    if not candidates:
        return ()
    return max(candidates, key=lambda lst: (lst.received, lst.entry_id)).bodies


def replay(effective: Sequence[EffectiveEntry], is_cis_state: IsCisState, *,
           until: date | None = None) -> tuple[TreatyRecord, dict[int, tuple[Flag, ...]]]:
    """Replay the whole record (cut at `until`, inclusive), refusing at the first broken rule;
    the Agreement's part of it. Every treaty is replayed (`depositary_record.replay_all`)."""
    from kelisim.domain.depositary_record import replay_all

    record, flags = replay_all(effective, is_cis_state, until=until)
    return record.agreement, flags


def status_on(effective: Sequence[EffectiveEntry], on: date, parties: Iterable[str],
              is_cis_state: IsCisState) -> AgreementStatus:
    """The status on `on`, computed from the instruments received on or before `on` only."""
    record, _ = replay(effective, is_cis_state, until=on)
    return record.status(on, parties)


def check_new_dates(instruments: Iterable[Recorded], today: date) -> None:
    """A receipt in the future cannot have happened yet (checked only when recording).

    Only receipt and signature dates: a change date (Art. 8) may lie ahead of a notice sent in
    advance, and a withdrawal date (Art. 15) lies at least 6 months ahead by definition.
    """
    for item in instruments:
        for name in ("date", "received", "done_on"):
            value = getattr(item, name, None)
            if value is not None and value > today:
                raise RuleViolation(Message(_IN_THE_FUTURE[name], value=value, today=today),
                                    article="Art. 13-15", field=name)


_IN_THE_FUTURE = {
    "date": N_("date {value} is in the future (today is {today}); the depositary records "
               "instruments it has received."),
    "received": N_("received {value} is in the future (today is {today}); the depositary "
                   "records instruments it has received."),
    "done_on": N_("done_on {value} is in the future (today is {today}); the depositary records "
                  "a protocol once it is done (Art. 11)."),
}


def _before_signing(item: Recorded) -> str:
    if isinstance(item, Signature):
        return N_("The signature date {date} is before the Agreement was signed on {signed_on}.")
    return N_("The receipt date {date} is before the Agreement was signed on {signed_on}.")
