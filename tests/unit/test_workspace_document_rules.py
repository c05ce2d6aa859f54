"""The rules of documents circulated for comment (Art. 3, 5, 6), as tables, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from kelisim.domain.errors import InvalidInput, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import documents as rules
from kelisim.domain.workspace.documents import DocumentState, FileKind
from kelisim.domain.workspace.project import Event, EventKind
from tests.workspace_documents_support import docx, odt, other_zip, pdf

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
ALL = frozenset({"KAZ", "RUS", "BLR"})


def event(kind: EventKind, party: str, position: int, **body: Any) -> Event:
    return Event(id=f"e{position}", record_id="doc", position=position, kind=kind,
                 origin_party=party, actor_account=1, actor_name=f"{party} analyst", at=AT,
                 body=body)


def uploaded(restricted_to: list[str] | None = None) -> list[Event]:
    return [event(EventKind.DOCUMENT_UPLOADED, "KAZ", 1, project_id="p", title="Draft",
                  language="ru", classification="restricted" if restricted_to else "open",
                  restricted_to=restricted_to, sha256="a" * 64, size=10, file_kind="pdf")]


def circulated(restricted_to: list[str] | None = None) -> list[Event]:
    return [*uploaded(restricted_to), event(EventKind.DOCUMENT_CIRCULATED, "KAZ", 2)]


def zip_entries(content: bytes) -> dict[str, bytes]:
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n) for n in ("mimetype", "[Content_Types].xml")
                if n in archive.namelist()}


@pytest.mark.parametrize(("content", "kind"), [
    (pdf(), FileKind.PDF), (docx(), FileKind.DOCX), (odt(), FileKind.ODT)])
def test_the_kind_is_read_from_the_content(content: bytes, kind: FileKind) -> None:
    entries = zip_entries(content) if content.startswith(b"PK") else None
    assert rules.file_kind(content[:8], entries) is kind


@pytest.mark.parametrize("content", [b"<html>%PDF-", other_zip(), b"PK\x03\x04broken",
                                     b"MZ\x90\x00"])
def test_other_content_is_refused_whatever_its_name(content: bytes) -> None:
    entries = zip_entries(content) if content == other_zip() else None
    with pytest.raises(InvalidInput, match="not a PDF, DOCX or ODT"):
        rules.file_kind(content[:8], entries)


@pytest.mark.parametrize(("level", "named", "expected"), [
    ("open", [], ("open", None)), ("", [], ("open", None)),
    ("restricted", ["rus", "KAZ"], ("restricted", ("RUS",))),
])
def test_access_is_open_or_restricted_to_named_parties(level: str, named: list[str],
                                                       expected: Any) -> None:
    assert rules.parse_access(level, named, "KAZ") == expected


@pytest.mark.parametrize(("level", "named", "error"), [
    ("state-secret", [], RuleViolation), ("restricted", [], InvalidInput),
    ("restricted", ["KAZ"], InvalidInput), ("open", ["RUS"], InvalidInput),
    ("secret", [], InvalidInput)])
def test_a_state_secret_or_a_malformed_access_is_refused(level: str, named: list[str],
                                                         error: type[Exception]) -> None:
    with pytest.raises(error):
        rules.parse_access(level, named, "KAZ")


def test_a_classification_stamp_in_the_title_is_refused_as_in_the_exchange() -> None:
    with pytest.raises(RuleViolation, match="state secret") as refused:
        rules.check_not_state_secret({"title": "СОВЕРШЕННО СЕКРЕТНО проект"})
    assert refused.value.article == "Art. 6"
    rules.check_not_state_secret({"title": "Draft on secret sharing schemes"})


@pytest.mark.parametrize(("state", "participants", "error"), [
    (PartyState.IN_FORCE, ALL, None), (PartyState.WITHDRAWING, ALL, None),
    (PartyState.SIGNATORY, ALL, RuleViolation), (PartyState.WITHDRAWN, ALL, RuleViolation),
    (PartyState.IN_FORCE, frozenset({"RUS"}), PermissionDenied)])
def test_who_uploads(state: PartyState, participants: frozenset[str],
                     error: type[Exception] | None) -> None:
    if error is None:
        rules.check_may_upload("KAZ", state, date(2026, 12, 1), participants)
    else:
        with pytest.raises(error):
            rules.check_may_upload("KAZ", state, date(2026, 12, 1), participants)


def test_draft_circulated_agreed_adopted() -> None:
    doc = rules.fold(uploaded())
    assert rules.state(doc, ALL) is DocumentState.DRAFT
    with pytest.raises(RuleViolation, match="circulated"):
        rules.check_comment(doc, "RUS", ALL)
    with pytest.raises(PermissionDenied, match="uploaded"):
        rules.check_circulate(doc, "RUS")
    doc = rules.fold(circulated())
    rules.check_comment(doc, "RUS", ALL)
    with pytest.raises(PermissionDenied):
        rules.check_comment(doc, "ARM", ALL)
    events = circulated()
    for position, party in enumerate(("KAZ", "RUS"), start=3):
        events.append(event(EventKind.DOCUMENT_AGREED, party, position, version=1))
    doc = rules.fold(events)
    assert rules.state(doc, ALL) is DocumentState.CIRCULATED  # Belarus has not agreed
    with pytest.raises(RuleViolation, match="every Party"):
        rules.check_adopt(doc, "KAZ", "KAZ", ALL)
    assert rules.state(doc, frozenset({"KAZ", "RUS"})) is DocumentState.AGREED
    events.append(event(EventKind.DOCUMENT_AGREED, "BLR", 5, version=1))
    doc = rules.fold(events)
    assert rules.state(doc, ALL) is DocumentState.AGREED
    with pytest.raises(RuleViolation):
        rules.check_new_version(doc, "KAZ", ALL)
    with pytest.raises(PermissionDenied, match="lead Party"):
        rules.check_adopt(doc, "RUS", "KAZ", ALL)
    rules.check_adopt(doc, "KAZ", "KAZ", ALL)
    events.append(event(EventKind.DOCUMENT_ADOPTED, "KAZ", 6))
    assert rules.state(rules.fold(events), ALL) is DocumentState.ADOPTED


def test_a_new_version_asks_every_party_again_and_a_stale_agreement_is_refused() -> None:
    events = [*circulated(), event(EventKind.DOCUMENT_AGREED, "RUS", 3, version=1),
              event(EventKind.DOCUMENT_VERSION_ADDED, "KAZ", 4, sha256="b" * 64, size=5,
                    file_kind="odt")]
    doc = rules.fold(events)
    assert doc.current.number == 2 and doc.versions[0].sha256 == "a" * 64
    assert doc.agreeing() == frozenset()
    with pytest.raises(RuleViolation, match="Version 2 is the current one"):
        rules.check_agree(doc, "RUS", ALL, 1)
    rules.check_agree(doc, "RUS", ALL, 2)


def test_a_restricted_document_exists_only_for_the_parties_it_names() -> None:
    doc = rules.fold(circulated(["RUS"]))
    assert rules.may_see(doc, "KAZ") and rules.may_see(doc, "RUS")
    assert not rules.may_see(doc, "BLR") and not rules.may_see(doc, None)
    assert rules.required_parties(doc, ALL) == frozenset({"KAZ", "RUS"})
    with pytest.raises(rules.NotFound):
        rules.require_visible(doc, "BLR", doc.id)
