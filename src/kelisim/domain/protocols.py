"""Art. 11: the depositary's record of an adopted protocol, and its amendments as data.

"Amendments and additions may be made to this Agreement by mutual consent of the Parties, in
protocols that form an integral part of it" (Art. 11). Once a protocol is done, the depositary
records it as one ledger entry; from then on the protocol lives as a treaty of its own (its
signatures, notifications and accessions are the ordinary instruments with `"treaty": <id>`),
replayed by the same engine as the Agreement on the terms the protocol states:

    {"kind": "protocol", "protocol": "cis-infosec-2013-p1",
     "titles": {"kk": "...", "ru": "...", "en": "..."}, "done_on": "2026-05-29",
     "entry_into_force": {"notifications": 3, "days_after": 30},   # default: Art. 13's way
     "accession": {"open": true, "from": null},                     # default: Art. 14's way
     "withdrawal_notice_months": null,       # default: left only by leaving the Agreement
     "amendments": [
       {"article": "8", "action": "replace", "text": {"kk": "...", "ru": "...", "en": "..."}},
       {"article": "3", "action": "insert_after", "new_article": "3-1", "text": {...}},
       {"article": "10", "action": "repeal"}],
     "proposal": "ws-proposal-17"}            # optional: the workspace proposal it came from

Fields outside these are kept verbatim in `extra`, as for every instrument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from kelisim.domain import calendar
from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.domain.treaty_terms import AGREEMENT_ID, TREATY_ID, TreatyTerms

LANGUAGES = ("kk", "ru", "en")
ACTIONS = ("replace", "insert_after", "repeal")
ARTICLE_ID = re.compile(r"^[1-9][0-9]?(-[1-9][0-9]?)?$")
_ART = "Art. 11"


@dataclass(frozen=True)
class Amendment:
    """One change to the Agreement's text: an article replaced, inserted after another, or
    repealed; `text` and `title` are keyed by language (kk, ru, en)."""

    article: str
    action: str
    text: Mapping[str, str] = field(default_factory=dict)
    new_article: str | None = None
    title: Mapping[str, str] | None = None

    @property
    def target(self) -> str:
        """The article this amendment leaves in the text (the inserted one, for an insertion)."""
        return self.new_article if self.new_article else self.article

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"article": self.article, "action": self.action}
        if self.action != "repeal":
            body["text"] = dict(self.text)
        if self.new_article:
            body["new_article"] = self.new_article
        if self.title:
            body["title"] = dict(self.title)
        return body


@dataclass(frozen=True)
class ProtocolAdoption:
    """The depositary's entry that a protocol was done, with its terms and its amendments."""

    kind: ClassVar[str] = "protocol"
    protocol: str
    titles: Mapping[str, str]
    done_on: date
    amendments: tuple[Amendment, ...]
    notifications: int = 3
    days_after: int = calendar.ENTRY_INTO_FORCE_DELAY_DAYS
    accession_open: bool = True
    accession_from: date | None = None
    withdrawal_notice_months: int | None = None
    proposal: str | None = None
    amends: str = AGREEMENT_ID
    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True)

    party: ClassVar[None] = None

    @property
    def event_date(self) -> date:
        return self.done_on

    @property
    def terms(self) -> TreatyTerms:
        return TreatyTerms(
            id=self.protocol, titles=self.titles, done_on=self.done_on,
            notifications_for_entry_into_force=self.notifications, days_after=self.days_after,
            accession_open=self.accession_open, accession_from=self.accession_from,
            withdrawal_notice_months=self.withdrawal_notice_months, parent=self.amends,
            authorized_bodies=False)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.extra)
        body.update({
            "kind": self.kind, "protocol": self.protocol, "titles": dict(self.titles),
            "done_on": self.done_on.isoformat(), "amends": self.amends,
            "entry_into_force": {"notifications": self.notifications,
                                 "days_after": self.days_after},
            "accession": {"open": self.accession_open,
                          "from": self.accession_from.isoformat() if self.accession_from
                          else None},
            "withdrawal_notice_months": self.withdrawal_notice_months,
            "amendments": [a.to_json() for a in self.amendments]})
        if self.proposal is not None:
            body["proposal"] = self.proposal
        return body


OWN_FIELDS = frozenset({"kind", "protocol", "titles", "done_on", "amends", "entry_into_force",
                        "accession", "withdrawal_notice_months", "amendments", "proposal"})


def parse_protocol(body: Mapping[str, Any]) -> ProtocolAdoption:
    """Build the protocol entry from its JSON shape, refusing anything unclear (Art. 11)."""
    from kelisim.domain.instruments import parse_date  # instruments dispatches here

    missing = [name for name in ("protocol", "titles", "done_on", "amendments")
               if body.get(name) in (None, "", [], {})]
    if missing:
        raise InvalidInput(Message(N_("A protocol entry needs {fields} (Art. 11)."),
                                   fields=", ".join(missing)), field=missing[0], article=_ART)
    protocol = parse_treaty_id(body["protocol"], "protocol")
    if protocol == AGREEMENT_ID:
        raise InvalidInput(Message(N_("A protocol's id must differ from the Agreement's "
                                      "({agreement})."), agreement=AGREEMENT_ID),
                           field="protocol", article=_ART)
    amends = body.get("amends", AGREEMENT_ID)
    if amends != AGREEMENT_ID:
        raise InvalidInput(Message(N_("A protocol amends the Agreement ({agreement}); amends "
                                      "{raw!r} is not a treaty kelisim tracks (Art. 11)."),
                                   agreement=AGREEMENT_ID, raw=amends),
                           field="amends", article=_ART)
    notifications, days_after = _entry_into_force(body.get("entry_into_force"))
    accession_open, accession_from = _accession(body.get("accession"), parse_date)
    return ProtocolAdoption(
        protocol=protocol, titles=_texts(body["titles"], "titles", None),
        done_on=parse_date(body["done_on"], "done_on"),
        amendments=_amendments(body["amendments"]), notifications=notifications,
        days_after=days_after, accession_open=accession_open, accession_from=accession_from,
        withdrawal_notice_months=_withdrawal(body.get("withdrawal_notice_months")),
        proposal=_proposal(body.get("proposal")), amends=amends,
        extra={k: v for k, v in body.items() if k not in OWN_FIELDS})


def parse_titles(raw: Any) -> dict[str, str]:
    """A protocol's (or a proposal's) title in kk, ru and en (Art. 11)."""
    return _texts(raw, "titles", None)


def parse_amendments(raw: Any) -> tuple[Amendment, ...]:
    """Amendments in the protocol entry's structure (Art. 11), validated the same way."""
    return _amendments(raw)


def parse_treaty_id(raw: Any, name: str) -> str:
    if not isinstance(raw, str) or not TREATY_ID.match(raw):
        raise InvalidInput(Message(N_("{name} must be an id of lower-case letters, digits, '.', "
                                      "'_' or '-' (at most 64), not {raw!r}."),
                                   name=name, raw=raw), field=name, article=_ART)
    return raw


def _texts(raw: Any, name: str, position: int | None) -> dict[str, str]:
    if isinstance(raw, Mapping) and all(isinstance(raw.get(lang), str) and raw[lang].strip()
                                        for lang in LANGUAGES):
        return {lang: raw[lang] for lang in LANGUAGES}
    if position is None:
        raise InvalidInput(Message(N_("{name} must give the protocol's text in kk, ru and en "
                                      "(Art. 11)."), name=name), field=name, article=_ART)
    raise InvalidInput(Message(N_("amendments[{position}]: {name} must be given in kk, ru and "
                                  "en (Art. 11)."), position=position, name=name),
                       field="amendments", article=_ART)


def _whole(raw: Any, least: int) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool) and least <= raw <= 10_000


def _entry_into_force(raw: Any) -> tuple[int, int]:
    if raw is None:
        return 3, calendar.ENTRY_INTO_FORCE_DELAY_DAYS
    if isinstance(raw, Mapping) and set(raw) <= {"notifications", "days_after"}:
        notifications = raw.get("notifications", 3)
        days = raw.get("days_after", calendar.ENTRY_INTO_FORCE_DELAY_DAYS)
        if _whole(notifications, 1) and _whole(days, 0):
            return notifications, days
    raise InvalidInput(Message(N_("entry_into_force must be an object with notifications (a "
                                  "whole number from 1) and days_after (a whole number from "
                                  "0); without it, Art. 13's procedure applies (Art. 11).")),
                       field="entry_into_force", article=_ART)


def _accession(raw: Any, parse_date: Any) -> tuple[bool, date | None]:
    if raw is None:
        return True, None
    if isinstance(raw, Mapping) and set(raw) <= {"open", "from"} and isinstance(
            raw.get("open", True), bool):
        start = raw.get("from")
        return raw.get("open", True), None if start is None else parse_date(start, "from")
    raise InvalidInput(Message(N_("accession must be an object with open (true or false) and "
                                  "from (a date or null).")), field="accession", article=_ART)


def _withdrawal(raw: Any) -> int | None:
    if raw is None or _whole(raw, 1):
        return raw
    raise InvalidInput(Message(N_("withdrawal_notice_months must be a whole number from 1, or "
                                  "null: the protocol is then left by withdrawing from the "
                                  "Agreement (Art. 11, 15).")),
                       field="withdrawal_notice_months", article=_ART)


def _proposal(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and 0 < len(raw) <= 200):
        return raw
    raise InvalidInput(Message(N_("proposal must be the id (a string) of the workspace proposal "
                                  "the protocol came from.")), field="proposal", article=_ART)


def _amendments(raw: Any) -> tuple[Amendment, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(Message(N_("amendments must be a non-empty list: each amendment or "
                                      "addition replaces, inserts or repeals an article "
                                      "(Art. 11).")), field="amendments", article=_ART)
    return tuple(_amendment(position, item) for position, item in enumerate(raw))


def _amendment(position: int, raw: Any) -> Amendment:
    if not isinstance(raw, Mapping):
        raw = {}
    article = _article_id(raw.get("article"), position, "article")
    action = raw.get("action")
    if action not in ACTIONS:
        raise InvalidInput(Message(N_("amendments[{position}]: action must be one of replace, "
                                      "insert_after, repeal, not {raw!r}."),
                                   position=position, raw=action), field="amendments",
                           article=_ART)
    if action == "repeal":
        return Amendment(article, action)
    new_article = None
    if action == "insert_after":
        new_article = _article_id(raw.get("new_article"), position, "new_article")
    title = raw.get("title")
    return Amendment(article, action, _texts(raw.get("text"), "text", position), new_article,
                     None if title is None else _texts(title, "title", position))


def _article_id(raw: Any, position: int, name: str) -> str:
    value = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if isinstance(value, str) and ARTICLE_ID.match(value):
        return value
    raise InvalidInput(Message(N_("amendments[{position}]: {name} must be an article number "
                                  "such as 7 or 3-1, not {raw!r}."),
                               position=position, name=name, raw=raw),
                       field="amendments", article=_ART)
