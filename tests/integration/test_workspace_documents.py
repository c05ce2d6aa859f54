"""Documents circulated for comment on both databases (issue 15 item 3; Art. 3, 5, 6): upload,
versions with their SHA-256 kept on disk, circulate, comment per Party, agree, adopt; Art. 6
restricted access and state secrets; a refused upload leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services.workspace import documents as docs
from kelisim.services.workspace import projects as ws
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.workspace_documents_support import docx, odt, pdf


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def project(ex: Exchange, *joining: str) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid = str(ws.propose_project(rt, p["kz"], kind="project", title="Model law",
                                 directions=[1, 2, 3])["id"])
    for who in joining:
        ws.join_project(rt, p[who], pid)
    return pid


def upload(ex: Exchange, who: str, pid: str, content: bytes, *, title: str = "Draft model law",
           filename: str = "draft.pdf", **meta: Any) -> dict[str, Any]:
    rt, principal = ex.node.runtime, ex.principals[who]
    incoming = docs.receive(docs.begin_upload(rt, principal, pid), io.BytesIO(content))
    return docs.add_document(rt, principal, pid, incoming,
                             docs.Metadata(title=title, language=meta.pop("language", "ru"),
                                           **meta), filename)


def stored_files(ex: Exchange) -> list[Path]:
    return [p for p in (ex.node.runtime.settings.data_dir / "documents").rglob("*")
            if p.is_file()]


def test_a_draft_is_circulated_commented_agreed_by_every_party_and_adopted(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru", "by")
    content = pdf()
    made = upload(ex, "kz", pid, content, description="For comment")
    did = made["id"]
    assert made["state"] == "draft" and made["versions"][0]["sha256"] == \
        hashlib.sha256(content).hexdigest()
    with pytest.raises(PermissionDenied, match="uploaded"):
        docs.circulate_document(rt, p["ru"], pid, did)
    docs.circulate_document(rt, p["kz"], pid, did)
    docs.comment_on_document(rt, p["ru"], pid, did, "Article 4 needs a definition.")
    second = docs.receive(docs.begin_upload(rt, p["kz"], pid, did), io.BytesIO(docx()))
    after = docs.add_version(rt, p["kz"], pid, did, second, "draft-2.docx")
    assert [v["kind"] for v in after["versions"]] == ["pdf", "docx"]
    docs.comment_on_document(rt, p["by"], pid, did, "Agreed in substance.")
    for who in ("kz", "ru"):
        docs.agree_document(rt, p[who], pid, did, 2)
    with pytest.raises(RuleViolation, match="every Party"):
        docs.adopt_document(rt, p["kz"], pid, did)
    agreed = docs.agree_document(rt, p["by"], pid, did, 2)
    assert agreed["state"] == "agreed" and agreed["awaiting_agreement"] == []
    with pytest.raises(PermissionDenied, match="lead Party"):
        docs.adopt_document(rt, p["ru"], pid, did)
    assert docs.adopt_document(rt, p["kz"], pid, did)["state"] == "adopted"
    shown = docs.show_document(rt, p["by"], pid, did)
    assert [(c["party"], c["version"]) for c in shown["comments"]] == [("RUS", 1), ("BLR", 2)]
    kinds = [e["kind"] for e in docs.document_history(rt, p["ru"], pid, did)]
    assert kinds == ["document_uploaded", "document_circulated", "document_commented",
                     "document_version_added", "document_commented", "document_agreed",
                     "document_agreed", "document_agreed", "document_adopted"]
    listed = docs.list_documents(rt, p["ru"], pid)
    assert [(d["id"], d["state"], d["current_version"]) for d in listed] == [(did, "adopted", 2)]
    first = docs.open_version(rt, p["ru"], pid, did, 1)
    assert first.path.read_bytes() == content and first.media_type == "application/pdf"


def test_only_a_participating_body_in_force_uploads(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex)
    with pytest.raises(PermissionDenied, match="does not take part"):
        docs.begin_upload(rt, p["ru"], pid)
    with pytest.raises(PermissionDenied):
        docs.begin_upload(rt, p["kz_reader"], pid)
    with pytest.raises(NotFound):
        docs.begin_upload(rt, p["kz"], "00000000-0000-0000-0000-000000000000")


def test_a_restricted_document_is_unknown_to_the_parties_it_does_not_name(
        ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru", "by")
    did = upload(ex, "kz", pid, odt(), filename="draft.odt", classification="restricted",
                 restricted_to=["RUS"])["id"]
    assert docs.show_document(rt, p["ru"], pid, did)["restricted_to"] == ["RUS"]
    assert docs.list_documents(rt, p["by"], pid) == []
    assert docs.list_documents(rt, p["depositary"], pid) == []
    for read in (lambda who: docs.show_document(rt, who, pid, did),
                 lambda who: docs.open_version(rt, who, pid, did, 1),
                 lambda who: docs.document_history(rt, who, pid, did)):
        with pytest.raises(NotFound, match="No document"):
            read(p["by"])
    docs.circulate_document(rt, p["kz"], pid, did)
    with pytest.raises(NotFound):
        docs.comment_on_document(rt, p["by"], pid, did, "we should not see this")
    docs.agree_document(rt, p["kz"], pid, did, 1)
    # agreed once the Parties it is for agree, Belarus is not asked (Art. 6)
    assert docs.agree_document(rt, p["ru"], pid, did, 1)["state"] == "agreed"


@pytest.mark.parametrize(("content", "meta", "error"), [
    (pdf(), {"title": "СОВЕРШЕННО СЕКРЕТНО: проект"}, RuleViolation),
    (pdf(), {"classification": "state-secret"}, RuleViolation),
    (b"<html><script>alert(1)</script></html>", {}, InvalidInput),
    (pdf(), {"language": "de"}, InvalidInput),
])
def test_a_refused_upload_stores_nothing(ex: Exchange, content: bytes, meta: dict[str, Any],
                                        error: type[Exception]) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex)
    with pytest.raises(error) as refused:
        upload(ex, "kz", pid, content, **meta)
    if error is RuleViolation:
        assert refused.value.article == "Art. 6"
    assert stored_files(ex) == [] and docs.list_documents(rt, p["kz"], pid) == []


def test_a_file_over_the_limit_is_removed_while_it_streams(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex)
    rt.settings.max_document_bytes = 1000
    incoming = docs.begin_upload(rt, p["kz"], pid)
    with pytest.raises(docs.rules.DocumentTooLarge):
        docs.receive(incoming, io.BytesIO(pdf(pad=5000)), chunk=256)
    assert stored_files(ex) == []


def test_a_new_version_never_replaces_and_ends_with_agreement(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    pid = project(ex, "ru")
    did = upload(ex, "kz", pid, pdf("one"))["id"]
    with pytest.raises(PermissionDenied):
        docs.begin_upload(rt, p["ru"], pid, did)
    docs.circulate_document(rt, p["kz"], pid, did)
    docs.agree_document(rt, p["kz"], pid, did, 1)
    docs.agree_document(rt, p["ru"], pid, did, 1)
    with pytest.raises(RuleViolation, match="no new version"):
        docs.begin_upload(rt, p["kz"], pid, did)
    assert len(stored_files(ex)) == 1


