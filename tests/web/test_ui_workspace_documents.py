"""The pages of workspace documents over real HTTP on both databases (issue 15 item 3): upload a
draft through the project page's form (multipart, CSRF checked), circulate, comment, agree and
adopt through the document page, in each language; the SHA-256 is shown and the download is a
sandboxed attachment equal byte for byte; a restricted document is not listed and its page is
404 for a Party it does not name; a wrong file kind is refused on the page, nothing stored."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.test_ui_workspace import alert, client_for, propose
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import csrf_of, post_form
from tests.workspace_documents_support import pdf

DOCUMENT = re.compile(r"/workspace/projects/[0-9a-f-]{36}/documents/([0-9a-f-]{36})")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


def upload(client: httpx.Client, page: str, content: bytes, **fields: str) -> httpx.Response:
    token = csrf_of(client.get(page))
    return client.post(f"{page}/documents", data={
        "csrf_token": token, "title": "Модельный закон", "language": "ru", **fields},
        files={"file": ("draft.pdf", content, "application/pdf")})


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_draft_is_uploaded_circulated_commented_agreed_and_adopted_through_the_pages(
        live_server: LiveServer, exchange: Exchange, lang: str) -> None:
    content = pdf(f"draft {lang}")
    with client_for(live_server, "kz", lang) as kz, client_for(live_server, "ru", lang) as ru:
        project = f"/workspace/projects/{propose(kz)}"
        assert post_form(ru, project, f"{project}/join", {}).status_code == 303
        made = upload(kz, project, content)
        assert made.status_code == 303, made.text[:2000]
        page = DOCUMENT.search(made.headers["location"])
        assert page
        doc = page.group(0)
        shown = kz.get(doc)
        assert hashlib.sha256(content).hexdigest() in shown.text
        assert f'lang="{lang}"' in shown.text
        assert post_form(kz, doc, f"{doc}/circulate", {}).status_code == 303
        assert post_form(ru, doc, f"{doc}/comments", {"text": "Уточнить статью 2"}
                         ).status_code == 303
        for client in (kz, ru):
            assert post_form(client, doc, f"{doc}/agree", {"version": "1"}).status_code == 303
        assert post_form(kz, doc, f"{doc}/adopt", {}).status_code == 303
        final = ru.get(doc).text
        assert 'id="comments-RUS"' in final and "Уточнить статью 2" in final
        assert 'class="badge doc-adopted"' in final
        got = ru.get(f"{doc}/versions/1/file")
        assert got.content == content
        assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
        assert doc.rsplit("/", 1)[1] in ru.get(project).text


def test_restricted_wrong_kind_and_a_missing_token_on_the_pages(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz") as kz, client_for(live_server, "ru") as ru, \
            client_for(live_server, "by") as by:
        project = f"/workspace/projects/{propose(kz)}"
        for other in (ru, by):
            assert post_form(other, project, f"{project}/join", {}).status_code == 303
        made = upload(kz, project, pdf(), classification="restricted", restricted_to="RUS")
        doc = DOCUMENT.search(made.headers["location"])
        assert doc
        assert doc.group(1) in ru.get(project).text
        assert doc.group(1) not in by.get(project).text
        assert by.get(doc.group(0)).status_code == 404
        assert by.get(f"{doc.group(0)}/versions/1/file").status_code == 404
        wrong = upload(kz, project, b"GIF89a not a document")
        assert wrong.status_code == 400 and "PDF, DOCX or ODT" in alert(wrong)
        forged = kz.post(f"{project}/documents", data={"title": "x", "language": "en"},
                         files={"file": ("a.pdf", pdf())})
        assert forged.status_code == 403
    files = [p for p in (live_server.node.runtime.settings.data_dir / "documents").rglob("*")
             if p.is_file()]
    assert len(files) == 1
