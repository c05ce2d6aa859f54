"""Documents circulated for comment (issue 15 item 3; Art. 5, Art. 3 directions 1-3, Art. 6).

* Art. 3 (directions 1-3), Art. 5: the Parties bring their legal acts and normative documents
  closer, draft legal acts and normative documents, and send the drafts to the other Parties'
  authorized bodies. A participating authorized body of a project uploads a draft (PDF, DOCX or
  ODT, in kk, ru or en) while the Agreement is in force for its Party (Art. 13-15).
* Every upload is a version with its SHA-256; versions are never replaced. New versions come
  from the Party that uploaded the document, while it is a draft or circulated.
* States: draft -> circulated -> agreed -> adopted. The uploading Party circulates it; each
  participating Party (that may read it) agrees the current version, and the document is agreed
  once every one of them has (as deadlines are, Art. 5): agreement is read on the day, never
  stored. A new version asks every Party again. The lead Party adopts an agreed document.
* Comments: per Party and per version, by a participating Party, only while circulated.
* Art. 6: a document may be restricted-access for named Parties: the others see nothing of it
  (not listed, "not found" as a missing one). A state secret is refused at intake: a declared
  classification "state-secret", or a classification stamp in the title, description or file
  name by the exchange's rule (domain/stix/state_secrets.py). The files' contents are not
  parsed for stamps (docs/decisions/0024-workspace-documents.md).
* The file kind is decided by its content (magic bytes), never by its name or declared type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import (
    N_,
    InvalidInput,
    Message,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from kelisim.domain.stix.state_secrets import state_secret_reason
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind

LANGUAGES = ("kk", "ru", "en")
CLASSIFICATIONS = ("open", "restricted", "state-secret")
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
HEAD_BYTES = 8
"""How much of a file's start the kind check needs (`%PDF-`, or a zip's `PK\\x03\\x04`)."""


class FileKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
}


class DocumentState(StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    AGREED = "agreed"
    ADOPTED = "adopted"


class DocumentTooLarge(InvalidInput):
    status = 413
    code = "request_too_large"
    title = "Request too large"


def too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(Message(N_(
        "The document exceeds the limit of {limit} bytes (KELISIM_MAX_DOCUMENT_BYTES); "
        "nothing was stored."), limit=limit), field="file", limit=limit)


@dataclass(frozen=True)
class Version:
    number: int
    sha256: str
    size: int
    kind: FileKind
    filename: str
    by: str
    party: str
    at: datetime


@dataclass(frozen=True)
class Agreement:
    party: str
    version: int
    by: str
    at: datetime


@dataclass(frozen=True)
class Comment:
    id: str
    party: str
    version: int
    text: str
    by: str
    at: datetime


@dataclass
class Document:
    id: str
    project_id: str
    title: str
    description: str
    language: str
    classification: str
    restricted_to: tuple[str, ...] | None
    origin_party: str
    created_at: datetime
    circulated: bool = False
    adopted_at: datetime | None = None
    versions: list[Version] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    last_position: int = 0

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def agreeing(self) -> frozenset[str]:
        return frozenset(a.party for a in self.agreements if a.version == self.current.number)


# --- Art. 6: who may know of it -------------------------------------------------------------

def audience(doc: Document) -> frozenset[str] | None:
    """The Parties a restricted-access document is for (its own and the named), or None."""
    if doc.restricted_to is None:
        return None
    return frozenset({doc.origin_party, *doc.restricted_to})


def may_see(doc: Document, party: str | None) -> bool:
    """Art. 6: a restricted-access document exists only for the Parties it names."""
    readers = audience(doc)
    return readers is None or (party is not None and party in readers)


def require_visible(doc: Document | None, party: str | None, document_id: str) -> Document:
    if doc is None or not may_see(doc, party):
        raise missing(document_id)
    return doc


def missing(document_id: str) -> NotFound:
    return NotFound(Message(N_("No document {document} in this project."),
                            document=document_id), field="document")


def required_parties(doc: Document, participants: frozenset[str]) -> frozenset[str]:
    """Art. 5: the Parties taking part today that may read it; all must agree."""
    readers = audience(doc)
    return participants if readers is None else participants & readers


def state(doc: Document, participants: frozenset[str]) -> DocumentState:
    return state_of(circulated=doc.circulated, adopted=doc.adopted_at is not None,
                    agreeing=doc.agreeing(), readers=audience(doc), participants=participants)


def state_of(*, circulated: bool, adopted: bool, agreeing: Iterable[str],
             readers: frozenset[str] | None, participants: frozenset[str]) -> DocumentState:
    """Art. 5: adopted; a draft until circulated; agreed once every Party taking part today
    that may read it (`readers`: the Art. 6 audience, None if open) agreed the current
    version (`agreeing`); else circulated. The same from a fold or a projection row."""
    if adopted:
        return DocumentState.ADOPTED
    if not circulated:
        return DocumentState.DRAFT
    needed = participants if readers is None else participants & readers
    if needed and needed <= frozenset(agreeing):
        return DocumentState.AGREED
    return DocumentState.CIRCULATED


# --- checks at intake -----------------------------------------------------------------------

def parse_language(value: str) -> str:
    language = value.strip().lower()
    if language not in LANGUAGES:
        raise InvalidInput(Message(N_("A document is in Kazakh, Russian or English: language "
                                      "is kk, ru or en.")), field="language")
    return language


def parse_access(classification: str, restricted_to: Iterable[str], own: str
                 ) -> tuple[str, tuple[str, ...] | None]:
    """Art. 6: open, or restricted-access for named other Parties; a declared state secret is
    refused as the exchange refuses one."""
    level = classification.strip().lower() or "open"
    if level not in CLASSIFICATIONS:
        raise InvalidInput(Message(N_("classification is open, restricted or state-secret.")),
                           field="classification")
    if level == "state-secret":
        raise state_secret_refusal()
    parties = tuple(sorted({p.strip().upper() for p in restricted_to if p.strip()} - {own}))
    if level == "restricted" and not parties:
        raise InvalidInput(Message(N_("A restricted-access document names the other Parties "
                                      "it is for (Art. 6).")), field="restricted_to",
                           article="Art. 6")
    if level == "open" and parties:
        raise InvalidInput(Message(N_("Name Parties only for a restricted-access document "
                                      "(Art. 6).")), field="restricted_to", article="Art. 6")
    return level, (parties if level == "restricted" else None)


def check_not_state_secret(texts: Mapping[str, str]) -> None:
    """Art. 6: the exchange's stamp rule, applied to the document's title, description and
    file name (domain/stix/state_secrets.py)."""
    if state_secret_reason(dict(texts)) is not None:
        raise state_secret_refusal()


def state_secret_refusal() -> RuleViolation:
    return RuleViolation(Message(N_(
        "The document holds information classified as a state secret (a declared "
        "classification, or a classification stamp by the rule of "
        "docs/stix-extensions.md#state-secrets); such information is not transferred under "
        "the Agreement. Nothing of the document was stored.")), article="Art. 6")


def file_kind(head: bytes, zip_entries: Mapping[str, bytes] | None) -> FileKind:
    """The kind by content: `%PDF-`, or a zip whose `mimetype` is ODF text, or whose
    `[Content_Types].xml` names a WordprocessingML main part. `zip_entries` holds those two
    entries' bytes (whichever exist) when the file is a readable zip, else None."""
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04") and zip_entries is not None:
        if zip_entries.get("mimetype", b"").strip() == ODT_MIMETYPE:
            return FileKind.ODT
        if DOCX_MAIN in zip_entries.get("[Content_Types].xml", b""):
            return FileKind.DOCX
    raise InvalidInput(Message(N_("The file is not a PDF, DOCX or ODT document (its content "
                                  "was checked, not its name).")), field="file")


# --- checks on each act ---------------------------------------------------------------------

def check_may_upload(party: str, party_state: PartyState, on: date,
                     participants: frozenset[str]) -> None:
    """Art. 3, 5, 13-15: a Party taking part in the project, the Agreement in force for it."""
    if party_state not in JOINING_STATES:
        raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} "
                                       "(its state: {state}); only Parties for which it is in "
                                       "force take part in programs and projects "
                                       "(Art. 13, 14)."), party=party, on=on,
                                    state=party_state), article="Art. 13, 14", party=party)
    check_takes_part(party, participants)


def check_takes_part(party: str, participants: frozenset[str]) -> None:
    if party not in participants:
        raise PermissionDenied(Message(N_("{party} does not take part in this project; only "
                                          "the Parties taking part circulate, comment on and "
                                          "agree its documents (Art. 5)."), party=party),
                               article="Art. 5", party=party)


def check_new_version(doc: Document, party: str, participants: frozenset[str]) -> None:
    _check_uploader(doc, party)
    if state(doc, participants) not in (DocumentState.DRAFT, DocumentState.CIRCULATED):
        raise RuleViolation(Message(N_("An agreed or adopted document takes no new version; "
                                       "versions are added while it is a draft or circulated "
                                       "(Art. 5).")), article="Art. 5")


def check_circulate(doc: Document, party: str) -> None:
    _check_uploader(doc, party)
    if doc.circulated:
        raise RuleViolation(Message(N_("This document is already circulated (Art. 5).")),
                            article="Art. 5")


def check_comment(doc: Document, party: str, participants: frozenset[str]) -> None:
    check_takes_part(party, participants)
    if state(doc, participants) is not DocumentState.CIRCULATED:
        raise RuleViolation(Message(N_("Comments are made while a document is circulated, "
                                       "not when it is a draft, agreed or adopted (Art. 5).")),
                            article="Art. 5")


def check_agree(doc: Document, party: str, participants: frozenset[str], version: int) -> None:
    check_takes_part(party, participants)
    if state(doc, participants) is not DocumentState.CIRCULATED:
        raise RuleViolation(Message(N_("Only a circulated document is agreed (Art. 5).")),
                            article="Art. 5")
    if version != doc.current.number:
        raise RuleViolation(Message(N_("Version {current} is the current one, not {version}; "
                                       "agree the version you read (Art. 5)."),
                                    current=doc.current.number, version=version),
                            article="Art. 5", field="version")
    if party in doc.agreeing():
        raise RuleViolation(Message(N_("{party} already agreed this version (Art. 5)."),
                                    party=party), article="Art. 5", party=party)


def check_adopt(doc: Document, party: str, lead: str, participants: frozenset[str]) -> None:
    if party != lead:
        raise PermissionDenied(Message(N_("The lead Party of the project ({lead}) adopts its "
                                          "documents (Art. 5)."), lead=lead),
                               article="Art. 5", party=party)
    if state(doc, participants) is not DocumentState.AGREED:
        raise RuleViolation(Message(N_("A document is adopted once every Party taking part "
                                       "has agreed its current version (Art. 5).")),
                            article="Art. 5")


def _check_uploader(doc: Document, party: str) -> None:
    if party != doc.origin_party:
        raise PermissionDenied(Message(N_("Only the Party that uploaded the document "
                                          "({party}) circulates it and adds its versions "
                                          "(Art. 5)."), party=doc.origin_party),
                               article="Art. 5", party=party)


# --- fold and view --------------------------------------------------------------------------

def fold(events: Sequence[Event]) -> Document:
    first = events[0]
    body = first.body
    restricted = body.get("restricted_to")
    doc = Document(id=first.record_id, project_id=body["project_id"], title=body["title"],
                   description=body.get("description", ""), language=body["language"],
                   classification=body.get("classification", "open"),
                   restricted_to=tuple(restricted) if restricted is not None else None,
                   origin_party=first.origin_party, created_at=first.at)
    for event in events:
        _apply(doc, event)
        doc.last_position = event.position
    return doc


def _apply(doc: Document, event: Event) -> None:
    body, kind = event.body, event.kind
    if kind in (EventKind.DOCUMENT_UPLOADED, EventKind.DOCUMENT_VERSION_ADDED):
        doc.versions.append(Version(
            number=len(doc.versions) + 1, sha256=body["sha256"], size=int(body["size"]),
            kind=FileKind(body["file_kind"]), filename=body.get("filename", ""),
            by=event.actor_name, party=event.origin_party, at=event.at))
    elif kind is EventKind.DOCUMENT_CIRCULATED:
        doc.circulated = True
    elif kind is EventKind.DOCUMENT_AGREED:
        doc.agreements.append(Agreement(event.origin_party, int(body["version"]),
                                        event.actor_name, event.at))
    elif kind is EventKind.DOCUMENT_COMMENTED:
        doc.comments.append(Comment(body["comment_id"], event.origin_party,
                                    int(body["version"]), body["text"], event.actor_name,
                                    event.at))
    elif kind is EventKind.DOCUMENT_ADOPTED:
        doc.adopted_at = event.at


def view(doc: Document, participants: frozenset[str]) -> dict[str, Any]:
    needed = required_parties(doc, participants)
    return {
        "id": doc.id, "project_id": doc.project_id, "title": doc.title,
        "description": doc.description, "language": doc.language,
        "classification": doc.classification,
        "restricted_to": list(doc.restricted_to) if doc.restricted_to is not None else None,
        "origin_party": doc.origin_party, "created_at": doc.created_at.isoformat(),
        "state": state(doc, participants).value,
        "adopted_at": doc.adopted_at.isoformat() if doc.adopted_at else None,
        "current_version": doc.current.number,
        "versions": [{"number": v.number, "sha256": v.sha256, "size": v.size,
                      "kind": v.kind.value, "media_type": v.kind.media_type,
                      "filename": v.filename, "by": v.by, "party": v.party,
                      "at": v.at.isoformat()} for v in doc.versions],
        "agreements": [{"party": a.party, "by": a.by, "at": a.at.isoformat()}
                       for a in doc.agreements if a.version == doc.current.number],
        "awaiting_agreement": sorted(needed - doc.agreeing()) if doc.circulated else [],
        "parties_agreeing": sorted(needed),
        "comments": [{"id": c.id, "party": c.party, "version": c.version, "text": c.text,
                      "by": c.by, "at": c.at.isoformat()} for c in doc.comments],
    }
