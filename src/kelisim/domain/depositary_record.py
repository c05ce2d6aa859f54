"""The depositary's whole record: every treaty it tracks, replayed together in receipt order.

The Agreement is one treaty among them (`treaty_terms.AGREEMENT`); each protocol the depositary
records (`{"kind": "protocol", ...}`, Art. 11) becomes another, with its own `TreatyRecord`
replayed by the same rules on the terms it states. One replay over all entries in receipt order
means that when a protocol's instrument is admitted, the Agreement's record stands exactly as it
did on that day, so the protocol's own rule can be checked against it:

* Art. 11: amendments and additions are made by mutual consent *of the Parties*: only a state
  that signed the Agreement or is bound by it signs a protocol to it; only a state bound by the
  Agreement (pending, in force or withdrawing) notifies or accedes to a protocol.
* Art. 11 ("an integral part of this Agreement"): a protocol is in force for a Party only while
  the Agreement is in force for it; it ends for a Party on the day its withdrawal from the
  Agreement takes effect (Art. 15), and binds it no earlier than the Agreement does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from kelisim.domain.errors import N_, Conflict, InvalidInput, Message, NotFound, RuleViolation
from kelisim.domain.instruments import Instrument
from kelisim.domain.protocols import Amendment, ProtocolAdoption
from kelisim.domain.treaty import (
    AgreementStatus,
    EffectiveEntry,
    Flag,
    IsCisState,
    PartyRecord,
    PartyState,
    PartyStatus,
    TreatyRecord,
    replay_order,
)
from kelisim.domain.treaty_terms import AGREEMENT, AGREEMENT_ID, TreatyTerms

BASE_ARTICLES = frozenset(str(number) for number in range(1, 16))
_BOUND = (PartyState.PENDING, PartyState.IN_FORCE, PartyState.WITHDRAWING)
_IN_FORCE = (PartyState.IN_FORCE, PartyState.WITHDRAWING)


@dataclass(frozen=True)
class TreatyStatus:
    """A treaty's status on a date: its terms and each Party's state (as for the Agreement)."""

    terms: TreatyTerms
    status: AgreementStatus
    protocol: ProtocolAdoption | None = None
    entry: int | None = None


class DepositaryRecord:
    """Every treaty's record replayed so far; `admit` applies one more entry or refuses it."""

    def __init__(self, is_cis_state: IsCisState) -> None:
        self._is_cis_state = is_cis_state
        self.records: dict[str, TreatyRecord] = {
            AGREEMENT_ID: TreatyRecord(is_cis_state, AGREEMENT)}
        self.protocols: dict[str, tuple[int, ProtocolAdoption]] = {}
        self.later: dict[str, tuple[int, ProtocolAdoption]] = {}
        """Protocols done after the date the replay was cut at: known, not yet in the record."""
        self._inserted: set[str] = set()
        self.done_on: dict[str, date] = {}
        """Every protocol of the whole record by the date it was done, to name an instrument
        dated before its protocol (set by `replay_all`)."""

    @property
    def agreement(self) -> TreatyRecord:
        return self.records[AGREEMENT_ID]

    def admit(self, entry: EffectiveEntry) -> tuple[Flag, ...]:
        item = entry.instrument
        if isinstance(item, ProtocolAdoption):
            self._admit_protocol(entry.id, item)
            return ()
        assert isinstance(item, Instrument)
        record = self.records.get(item.treaty)
        done_on = self.done_on.get(item.treaty)
        if record is None and done_on is not None and item.event_date < done_on:
            raise RuleViolation(Message(N_("The date {date} is before protocol {treaty} was done "
                                           "on {done_on}."), date=item.event_date,
                                        treaty=item.treaty, done_on=done_on),
                                article="Art. 11", field="treaty")
        if record is None:
            raise NotFound(Message(N_("No protocol {treaty} is recorded on or before {date}; the "
                                      "depositary records the protocol (kind protocol) before "
                                      "the instruments concerning it (Art. 11)."),
                                   treaty=item.treaty, date=item.event_date),
                           article="Art. 11", field="treaty")
        return record.admit(entry)

    def _admit_protocol(self, entry_id: int, item: ProtocolAdoption) -> None:
        """Art. 11: a protocol to the Agreement, done after it, recorded once."""
        if item.protocol in self.protocols:
            raise Conflict(Message(N_("Protocol {treaty} is already recorded (entry {entry}); "
                                      "correct that entry instead."), treaty=item.protocol,
                                   entry=self.protocols[item.protocol][0]), article="Art. 11")
        if item.done_on < AGREEMENT.done_on:
            raise RuleViolation(Message(N_("The protocol {treaty} is dated {done_on}, before the "
                                           "Agreement was signed on {signed_on}."),
                                        treaty=item.protocol, done_on=item.done_on,
                                        signed_on=AGREEMENT.done_on), article="Art. 11")
        check_articles(item.amendments, self.known_articles)
        self._inserted.update(a.new_article for a in item.amendments if a.new_article)
        self.protocols[item.protocol] = (entry_id, item)
        self.records[item.protocol] = TreatyRecord(self._is_cis_state, item.terms,
                                                   self._party_of_the_agreement)

    @property
    def known_articles(self) -> frozenset[str]:
        """The Agreement's articles and those inserted by the protocols recorded so far."""
        return BASE_ARTICLES | self._inserted

    def _party_of_the_agreement(self, party: str, on: date, kind: str) -> Message | None:
        """Art. 11: the refusal for a state that may not sign or be bound by a protocol."""
        agreement = self.agreement
        state = agreement.party_state(agreement.parties.get(party) or PartyRecord(party), on)
        allowed = (PartyState.SIGNATORY, *_BOUND) if kind == "signature" else _BOUND
        if state in allowed:
            return None
        return Message(N_("{party} is {state} under the Agreement on {date}; only a signatory or "
                          "a Party of the Agreement signs a protocol to it, and only a Party "
                          "notifies or accedes to it (Art. 11)."),
                       party=party, state=state, date=on)

    def terms(self) -> list[TreatyTerms]:
        return [record.terms for record in self.records.values()]

    def treaty_status(self, treaty: str, on: date, parties: Iterable[str]) -> TreatyStatus:
        """The treaty's status on `on` (the record must be cut at `on`)."""
        record = self.records.get(treaty)
        if record is None and treaty in self.later:  # not yet done on `on`: nobody is bound
            entry, protocol = self.later[treaty]
            empty = TreatyRecord(self._is_cis_state, protocol.terms)
            return TreatyStatus(protocol.terms, empty.status(on, parties), protocol, entry)
        if record is None:
            raise NotFound(Message(N_("No treaty {treaty} is tracked: the depositary has recorded "
                                      "no such protocol (Art. 11)."), treaty=treaty),
                           treaty=treaty)
        if treaty == AGREEMENT_ID:
            return TreatyStatus(AGREEMENT, record.status(on, parties))
        codes = sorted(set(parties) | set(record.parties) | set(self.agreement.parties))
        own = record.status(on, codes)
        entry, protocol = self.protocols[treaty]
        return TreatyStatus(record.terms, replace(own, parties=tuple(
            self._within_the_agreement(p, on) for p in own.parties)), protocol, entry)

    def _within_the_agreement(self, own: PartyStatus, on: date) -> PartyStatus:
        """Art. 11: a protocol binds a Party only while the Agreement is in force for it."""
        if own.state in (PartyState.NOT_PARTY, PartyState.SIGNATORY):
            return own
        agreement = self.agreement.party_status(own.party, on)
        flag = Flag("agreement_not_in_force", "Art. 11", {"agreement_state": agreement.state})
        if agreement.state in (PartyState.WITHDRAWN, PartyState.NOT_PARTY):
            return replace(own, state=PartyState.WITHDRAWN, flags=(*own.flags, flag),
                           withdrawal_effective=agreement.withdrawal_effective)
        start = own.in_force_from
        if start is not None and agreement.in_force_from is not None:
            start = max(start, agreement.in_force_from)
        elif agreement.in_force_from is None:
            start = None
        state = own.state
        if state is PartyState.IN_FORCE and agreement.state not in _IN_FORCE:
            state = PartyState.PENDING
        if state in _IN_FORCE and agreement.state is PartyState.WITHDRAWING:
            state = PartyState.WITHDRAWING
        flags = own.flags if agreement.state in _IN_FORCE else (*own.flags, flag)
        withdrawal = own.withdrawal_effective or agreement.withdrawal_effective
        return replace(own, state=state, in_force_from=start, flags=flags,
                       withdrawal_received=own.withdrawal_received
                       or agreement.withdrawal_received, withdrawal_effective=withdrawal)

    def in_force_for(self, party: str, on: date) -> list[tuple[int, ProtocolAdoption, date]]:
        """The protocols in force for `party` on `on`, in the order they were recorded."""
        result = []
        for treaty, (entry, protocol) in self.protocols.items():
            status = self.treaty_status(treaty, on, [party]).status
            mine = next(p for p in status.parties if p.party == party)
            if mine.state in _IN_FORCE and mine.in_force_from is not None:
                result.append((entry, protocol, mine.in_force_from))
        return sorted(result, key=lambda item: item[0])


def check_articles(amendments: Iterable[Amendment], known: frozenset[str]) -> None:
    """Art. 11: an amendment concerns an article the Agreement has, or one inserted before."""
    for position, amendment in enumerate(amendments):
        if amendment.article not in known:
            raise InvalidInput(Message(N_(
                "amendments[{position}] concerns article {article}, which is neither an "
                "article of the Agreement (1-15) nor one inserted by a protocol recorded "
                "before (Art. 11)."), position=position, article=amendment.article),
                field="amendments", article="Art. 11")


def replay_all(effective: Sequence[EffectiveEntry], is_cis_state: IsCisState, *,
               until: date | None = None) -> tuple[DepositaryRecord, dict[int, tuple[Flag, ...]]]:
    """Replay every treaty's record (cut at `until`, inclusive), refusing at the first broken
    rule; a refusal names the entry that breaks it."""
    record = DepositaryRecord(is_cis_state)
    flags: dict[int, tuple[Flag, ...]] = {}
    record.done_on = {e.instrument.protocol: e.instrument.done_on for e in effective
                      if isinstance(e.instrument, ProtocolAdoption)}
    ordered = sorted(effective, key=replay_order)
    for position, entry in enumerate(ordered):
        if until is not None and entry.instrument.event_date > until:
            record.later = {e.instrument.protocol: (e.id, e.instrument) for e in ordered[position:]
                            if isinstance(e.instrument, ProtocolAdoption)}
            break
        try:
            flags[entry.id] = record.admit(entry)
        except (RuleViolation, Conflict, InvalidInput, NotFound) as refusal:
            refusal.details.setdefault("entry", entry.id)
            raise
    return record, flags
