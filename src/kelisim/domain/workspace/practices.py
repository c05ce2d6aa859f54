"""The library of best practice and experience shared between the authorized bodies (issue 15
item 8; Art. 3 direction 19, Art. 9), as the fold of events.

* An authorized body of a Party bound by the Agreement publishes a practice in kk, ru or en: a
  title, the text, the Art. 3 directions it serves and keywords.
* Any bound Party adds it in another of the three languages (a translation names its Party);
  the publishing Party revises its own language (each revision is kept, the latest shown); it
  withdraws the practice, which stays listed as withdrawn and leaves the search.
* Searched in every language at once with the exchange's query language (words, "phrases",
  prefixes; case and diacritics folded: `domain.search_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.search_text import TextQuery, matches, tokens
from kelisim.domain.workspace.gatherings import LANGUAGES
from kelisim.domain.workspace.project import Event, EventKind

MAX_KEYWORDS = 20


@dataclass
class Version:
    language: str
    title: str
    text: str
    party: str
    author: str
    at: datetime
    revision: int


@dataclass
class Practice:
    id: str
    origin: str
    published_at: datetime
    directions: tuple[int, ...]
    keywords: tuple[str, ...]
    versions: dict[str, list[Version]] = field(default_factory=dict)  # language -> revisions
    withdrawn: str | None = None
    last_position: int = 0

    def current(self, language: str) -> Version | None:
        found = self.versions.get(language)
        return found[-1] if found else None

    def words(self) -> list[str]:
        text = " ".join([*self.keywords, *(f"{v[-1].title} {v[-1].text}"
                                           for v in self.versions.values())])
        return tokens(text)


def parse_language(text: str) -> str:
    language = text.strip().lower()
    if language not in LANGUAGES:
        raise InvalidInput(Message(N_("language is kk, ru or en.")), field="language")
    return language


def parse_keywords(values: Sequence[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(found) > MAX_KEYWORDS or any(len(k) > 100 for k in found):
        raise InvalidInput(Message(N_("At most {limit} keywords of up to 100 characters."),
                                   limit=MAX_KEYWORDS), field="keywords")
    return found


def check_translation(practice: Practice, language: str) -> None:
    if practice.withdrawn is not None:
        raise RuleViolation(Message(N_("This practice is withdrawn.")), article="Art. 9")
    if language in practice.versions:
        raise RuleViolation(Message(N_("The practice is already in {language}; the Party that "
                                       "wrote it revises it."), language=language),
                            article="Art. 9")


def check_revision(practice: Practice, party: str, language: str) -> None:
    if practice.withdrawn is not None:
        raise RuleViolation(Message(N_("This practice is withdrawn.")), article="Art. 9")
    version = practice.current(language)
    if version is None:
        raise InvalidInput(Message(N_("The practice is not in {language} yet; add it as a "
                                      "translation."), language=language), field="language")
    if party != version.party:
        raise PermissionDenied(Message(N_("Only {party}, which wrote this language's text, "
                                          "revises it (Art. 9)."), party=version.party),
                               article="Art. 9", party=party)


def check_withdrawal(practice: Practice, party: str) -> None:
    if party != practice.origin:
        raise PermissionDenied(Message(N_("Only the publishing Party ({party}) withdraws a "
                                          "practice (Art. 9)."), party=practice.origin),
                               article="Art. 9", party=party)
    if practice.withdrawn is not None:
        raise RuleViolation(Message(N_("This practice is withdrawn.")), article="Art. 9")


def fold(events: Sequence[Event]) -> Practice:
    first = events[0]
    b = first.body
    p = Practice(id=first.record_id, origin=first.origin_party, published_at=first.at,
                 directions=tuple(b["directions"]), keywords=tuple(b.get("keywords", ())))
    for event in events:
        body = event.body
        if event.kind in (EventKind.PRACTICE_PUBLISHED, EventKind.PRACTICE_TRANSLATED,
                          EventKind.PRACTICE_REVISED):
            revisions = p.versions.setdefault(body["language"], [])
            revisions.append(Version(body["language"], body["title"], body["text"],
                                     event.origin_party, event.actor_name, event.at,
                                     len(revisions) + 1))
        elif event.kind is EventKind.PRACTICE_WITHDRAWN:
            p.withdrawn = body["reason"]
    p.last_position = events[-1].position
    return p


def found(practices: Sequence[Practice], query: TextQuery | None, *,
          direction: int | None = None, language: str | None = None,
          withdrawn: bool = False) -> list[Practice]:
    """The practices matching, newest first."""
    hits = [p for p in practices
            if (withdrawn or p.withdrawn is None)
            and (direction is None or direction in p.directions)
            and (language is None or language in p.versions)
            and (query is None or matches(query, p.words()))]
    return sorted(hits, key=lambda p: (p.published_at, p.id), reverse=True)


def view(p: Practice) -> dict[str, Any]:
    return {
        "id": p.id, "origin": p.origin, "published_at": p.published_at.isoformat(),
        "directions": list(p.directions), "keywords": list(p.keywords),
        "withdrawn": p.withdrawn, "languages": sorted(p.versions),
        "versions": {lang: {"title": v[-1].title, "text": v[-1].text, "party": v[-1].party,
                            "author": v[-1].author, "at": v[-1].at.isoformat(),
                            "revision": v[-1].revision}
                     for lang, v in sorted(p.versions.items())},
    }
