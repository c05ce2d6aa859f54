"""Subscriptions and notifications: what an analyst asks to be told of, and whether a newly
stored object is that (issue 16, item 8; the notifications part is shared with the workspace,
issue 15, item 10; docs/decisions/0022-subscriptions-and-notifications.md).

A filter names types, Art. 3 directions, Art. 2 threat classes, observable values, an ATT&CK
technique and producer Parties. Each facet left empty matches anything; a facet given matches
when the object has one of its entries (OR within a facet, AND across facets). Values are
compared in the correlation index's normal form (`domain.stix.observables.normalized`), an IP
network of the filter containing the object's address or network and a domain name its
subdomains (evil.example matches c2.evil.example); a technique matches itself
and its sub-techniques (T1566 matches T1566.001).

Whether the subscriber may read the object at all is not decided here but by the exchange's
one policy (`exchange_policy.compiled_visible` on the object's stored gates, and the
collections' read lists), before `matches` is asked: a subscriber is never told of an object it
may not read (Art. 6). What the channels carry is fixed here as well: the object's id, type,
version and a link, never its name, description or pattern (`mail_text`, `webhook_body`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from kelisim.domain.agreement_text import THREAT_CLASSES
from kelisim.domain.attack import TECHNIQUE_RE
from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.domain.inputs import stored_text
from kelisim.domain.stix.observables import Observable, guess_kinds, normalized

MAX_ENTRIES = 50
"""Most entries in one facet of a filter."""
LANGUAGES = ("kk", "ru", "en")
SIGNATURE_HEADER = "X-Kelisim-Signature"
TIMESTAMP_HEADER = "X-Kelisim-Timestamp"
TYPE_RE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class NotificationKind(StrEnum):
    """What a notification is about; the workspace (issue 15, item 10) adds its own kinds."""

    EXCHANGE_MATCH = "exchange.match"
    """A new object version in the exchange matched one of the account's subscriptions."""


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class ObjectFacts:
    """What the matcher knows of one stored object version: its indexed columns and its rows in
    the correlation index (values, ATT&CK techniques)."""

    type: str
    directions: frozenset[int] = frozenset()
    threat_class: str | None = None
    producer_party: str | None = None
    observables: frozenset[Observable] = frozenset()
    techniques: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SubscriptionFilter:
    types: tuple[str, ...] = ()
    directions: tuple[int, ...] = ()
    threat_classes: tuple[str, ...] = ()
    values: tuple[Observable, ...] = ()
    technique: str | None = None
    producers: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"types": list(self.types), "directions": list(self.directions),
                "threat_classes": list(self.threat_classes),
                "values": [{"kind": v.kind, "value": v.value} for v in self.values],
                "technique": self.technique, "producers": list(self.producers)}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> SubscriptionFilter:
        """A filter as stored (already checked when it was created)."""
        return cls(tuple(stored.get("types", ())), tuple(stored.get("directions", ())),
                   tuple(stored.get("threat_classes", ())),
                   tuple(Observable(v["kind"], v["value"]) for v in stored.get("values", ())),
                   stored.get("technique"), tuple(stored.get("producers", ())))


def checked_filter(*, types: Sequence[str] = (), directions: Sequence[int] = (),
                   threat_classes: Sequence[str] = (), values: Sequence[str] = (),
                   technique: str | None = None, producers: Sequence[str] = (),
                   known_parties: frozenset[str] | None = None) -> SubscriptionFilter:
    """The filter, normalized; InvalidInput naming the first entry that is not valid (an
    unknown type, direction, threat class, value, technique id or Party)."""
    for name, facet in (("types", types), ("directions", directions),
                        ("threat_classes", threat_classes), ("values", values),
                        ("producers", producers)):
        for entry in facet:
            if isinstance(entry, str):
                stored_text(entry, name)
        if len(facet) > MAX_ENTRIES:
            raise InvalidInput(Message(N_("A subscription's {field} lists at most {n} "
                                          "entries."), field=name, n=MAX_ENTRIES), field=name)
    return SubscriptionFilter(
        tuple(dict.fromkeys(_type(t) for t in types)),
        tuple(dict.fromkeys(_direction(d) for d in directions)),
        tuple(dict.fromkeys(_threat_class(c) for c in threat_classes)),
        tuple(dict.fromkeys(o for v in values for o in _values(v))),
        _technique(technique) if technique else None,
        tuple(dict.fromkeys(_party(p, known_parties) for p in producers)))


def _type(name: str) -> str:
    name = name.strip()
    if not (3 <= len(name) <= 250 and set(name) <= TYPE_RE_CHARS and name[0].isalpha()):
        raise InvalidInput(Message(N_("{value!r} is not a STIX object type (lower-case "
                                      "letters, digits and hyphens; STIX 2.1 section 3.1)."),
                                   value=name[:60]), field="types")
    return name


def _direction(number: Any) -> int:
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 19:
        raise InvalidInput(Message(N_("Direction {value!r} is not one of the 19 directions of "
                                      "Art. 3."), value=number), field="directions",
                           article="Art. 3")
    return number


def _threat_class(name: str) -> str:
    if name not in THREAT_CLASSES:
        raise InvalidInput(Message(N_("A threat class is one of {options} (Art. 2)."),
                                   options=", ".join(THREAT_CLASSES)), field="threat_classes",
                           article="Art. 2")
    return name


def _values(text: str) -> list[Observable]:
    text = text.strip()
    found = [o for kind in guess_kinds(text) if (o := normalized(kind, text)) is not None]
    if not found:
        raise InvalidInput(Message(N_("{value!r} is no value kelisim indexes (an IP address or "
                                      "network, domain name, URL, e-mail address, file name "
                                      "or hash)."), value=text[:60]), field="values")
    return found


def _technique(text: str) -> str:
    stored_text(text, "technique")
    ident = text.strip().upper()
    if not TECHNIQUE_RE.fullmatch(ident):
        raise InvalidInput(Message(N_("{value!r} is not an ATT&CK technique id (T1566 or "
                                      "T1566.001)."), value=text[:30]), field="technique")
    return ident


def _party(code: str, known: frozenset[str] | None) -> str:
    party = code.strip().upper()
    if known is not None and party not in known:
        raise InvalidInput(Message(N_("{value!r} is not a state kelisim knows (ISO alpha-3)."),
                                   value=code[:10]), field="producers")
    return party


def matches(wanted: SubscriptionFilter, facts: ObjectFacts) -> bool:
    """Whether an object the subscriber may read is one the filter asks for (see the module)."""
    return (
        (not wanted.types or facts.type in wanted.types)
        and (not wanted.directions or not facts.directions.isdisjoint(wanted.directions))
        and (not wanted.threat_classes or facts.threat_class in wanted.threat_classes)
        and (not wanted.producers or facts.producer_party in wanted.producers)
        and (wanted.technique is None or any(
            t == wanted.technique or t.startswith(wanted.technique + ".")
            for t in facts.techniques))
        and (not wanted.values or any(_value_matches(v, o) for v in wanted.values
                                      for o in facts.observables)))


def _value_matches(wanted: Observable, found: Observable) -> bool:
    if wanted.kind != found.kind:
        return False
    if wanted.value == found.value:
        return True
    if wanted.kind == "domain-name":
        return found.value.endswith("." + wanted.value)
    if wanted.kind not in ("ipv4-addr", "ipv6-addr"):
        return False
    try:
        network = ipaddress.ip_network(wanted.value, strict=False)
        inside = ipaddress.ip_network(found.value, strict=False)
    except ValueError:
        return False
    return inside.version == network.version and inside.subnet_of(network)  # type: ignore[arg-type]


# --- what the channels carry --------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    """One notification as the channels send it: identifiers only, never the object's content."""

    id: str
    kind: str
    subscription_id: str
    subscription_name: str
    collection_id: str
    stix_id: str
    object_type: str
    version: str
    created: str
    link: str
    extra: Mapping[str, str] = field(default_factory=dict)


MAIL_SUBJECT = N_("kelisim: a new {type} matches your subscription \u201c{name}\u201d")
MAIL_BODY = N_(
    "A new object version in the exchange matches your subscription \u201c{name}\u201d.\n\n"
    "Type: {type}\nId: {id}\nVersion: {version}\nCollection: {collection}\n\n"
    "Open it in kelisim (sign-in needed): {link}\n\n"
    "This message carries no content of the object; only you, signed in, see it (Art. 6).")


def mail_text(notice: Notice, gettext: Any) -> tuple[str, str]:
    """The subject and body of the notice's e-mail, through the subscriber's catalog."""
    params = {"type": notice.object_type, "name": notice.subscription_name,
              "id": notice.stix_id, "version": notice.version,
              "collection": notice.collection_id, "link": notice.link}
    return gettext(MAIL_SUBJECT).format(**params), gettext(MAIL_BODY).format(**params)


CHECK_MAIL_SUBJECT = N_("kelisim: communication check, please acknowledge")
CHECK_MAIL_BODY = N_(
    "A communication check of the points of contact (Art. 8, 9). Please open this link and "
    "press the button to acknowledge before {deadline}:\n\n{link}\n")
MAIL_LANGUAGES = ("kk", "ru", "en")


def mail_language(languages: Sequence[str]) -> str:
    """A contact's first language if kelisim's UI speaks it (kk, ru, en), else English."""
    first = languages[0].strip().lower() if languages else "en"
    return first if first in MAIL_LANGUAGES else "en"


def check_mail_text(link: str, deadline: str, gettext: Any) -> tuple[str, str]:
    """The subject and body of a check's mail: the one-time link and its deadline, nothing
    else (no Party, no contact name, no other target)."""
    return (gettext(CHECK_MAIL_SUBJECT),
            gettext(CHECK_MAIL_BODY).format(link=link, deadline=deadline))


def webhook_body(notice: Notice) -> dict[str, Any]:
    return {"id": notice.id, "kind": notice.kind, "created": notice.created,
            "subscription": notice.subscription_id,
            "object": {"collection": notice.collection_id, "id": notice.stix_id,
                       "type": notice.object_type, "version": notice.version},
            "link": notice.link}


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the subscription's secret over the timestamp, a dot and
    the body (so a captured body cannot be replayed under a new timestamp)."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def checked_webhook_url(url: str) -> str:
    url = stored_text(url, "webhook").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed [IPv6 literal
        host = None
    if host is None or parts.scheme not in ("http", "https") or len(url) > 2000 or any(
            c.isspace() for c in url):
        raise InvalidInput(Message(N_("A webhook is an http or https URL.")), field="webhook")
    return url


def checked_email(address: str) -> str:
    address = stored_text(address, "email").strip()
    local, _, domain = address.partition("@")
    if (not local or "." not in domain or len(address) > 320
            or any(c.isspace() or c in "<>,;\"" for c in address)):
        raise InvalidInput(Message(N_("{value!r} is not an e-mail address."),
                                   value=address[:60]), field="email")
    return address


def checked_language(lang: str | None) -> str:
    if lang is None:
        return "en"
    if lang not in LANGUAGES:
        raise InvalidInput(Message(N_("A language is one of {options}."),
                                   options=", ".join(LANGUAGES)), field="language")
    return lang


# --- the workspace's notices (issue 15 item 10; domain/workspace/notices.py; decision 0025) -----

WORKSPACE_TITLES: dict[str, str] = {
    "workspace:joined": N_("A Party joined a project your Party takes part in (Art. 4)"),
    "workspace:consent_awaited": N_("A stage deadline awaits your Party's consent (Art. 5)"),
    "workspace:document_circulated": N_("A document was circulated for comment (Art. 5)"),
    "workspace:consultation_requested": N_("Your Party is invited to a consultation "
                                           "(Art. 4, 12)"),
    "workspace:dispute_opened": N_("A dispute concerning your Party was opened (Art. 12)"),
    "workspace:check_launched": N_("A communication check of your Party's points of contact "
                                   "was launched (Art. 8, 9)"),
    "workspace:gathering_announced": N_("A training course, conference or meeting was "
                                        "announced (Art. 9)"),
    "workspace:deadline_soon": N_("A deadline is in 7 days or fewer (Art. 5)"),
    "workspace:deadline_overdue": N_("A deadline has passed (Art. 5)"),
    "workspace:document_commented": N_("Another Party commented on a document your Party "
                                       "uploaded (Art. 5)"),
    "workspace:document_agreed": N_("Another Party agreed to a document your Party uploaded "
                                    "(Art. 5)"),
    "workspace:document_adopted": N_("A document of a project your Party takes part in was "
                                     "adopted (Art. 5)"),
    "workspace:review_requested": N_("Your Party is asked for an expert review of R&D work "
                                     "(Art. 3, direction 16)"),
    "workspace:review_concluded": N_("An expert concluded on your Party's request for review "
                                     "(Art. 3, direction 16)"),
}
WORKSPACE_OTHER = N_("Something changed in the workspace that concerns your Party")
WORKSPACE_MAIL_SUBJECT = "kelisim: {title}"  # the title is translated; the name is not
WORKSPACE_MAIL_DEADLINE = N_("Deadline: {deadline}")
WORKSPACE_MAIL_BODY = N_(
    "{title}.\n\n{details}Open it in kelisim (sign-in needed): {link}\n\n"
    "This message carries no content of the record; only you, signed in, see it under your "
    "Party's rights (Art. 6).")


def workspace_mail_text(kind: str, facts: Mapping[str, Any], link: str,
                        gettext: Any) -> tuple[str, str]:
    """A workspace notice's mail: what happened (its kind), a deadline if it has one, and the
    link; never a title, a text, a Party or anything else of the record (Art. 6)."""
    title = gettext(WORKSPACE_TITLES.get(kind, WORKSPACE_OTHER))
    deadline = facts.get("deadline")
    details = (gettext(WORKSPACE_MAIL_DEADLINE).format(deadline=str(deadline)[:10]) + "\n\n"
               if deadline else "")
    return (WORKSPACE_MAIL_SUBJECT.format(title=title),
            gettext(WORKSPACE_MAIL_BODY).format(title=title, details=details, link=link))
