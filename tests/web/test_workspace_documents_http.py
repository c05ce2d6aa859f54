"""Workspace documents over real HTTP (issue 15 item 3): a multipart upload streamed to disk,
its SHA-256 shown and the bytes downloaded equal as a sandboxed attachment; a file over
KELISIM_MAX_DOCUMENT_BYTES is 413 with nothing stored (declared or streamed chunked); a file
that is not a PDF, DOCX or ODT by content is 400; a restricted document is 404 for a Party it
does not name (Art. 6); a state secret is refused (Art. 6)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, setup_exchange
from tests.workspace_documents_support import docx, pdf

API = "/api/v1/workspace/projects"


@pytest.fixture
def ex(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def client(live_server: LiveServer, ex: Exchange, who: str) -> httpx.Client:
    return httpx.Client(base_url=live_server.base_url, timeout=30,
                        headers={"Authorization": f"Bearer {ex.tokens[who]}"})


@pytest.fixture
def project(live_server: LiveServer, ex: Exchange) -> Iterator[str]:
    with client(live_server, ex, "kz") as kz, client(live_server, ex, "ru") as ru, \
            client(live_server, ex, "by") as by:
        made = kz.post(API, json={"kind": "project", "title": "Model law", "directions": [1]})
        pid = made.json()["id"]
        for other in (ru, by):
            assert other.post(f"{API}/{pid}/participants").status_code == 201
        yield pid


def send(http: httpx.Client, pid: str, content: bytes, name: str = "draft.pdf",
         **fields: Any) -> httpx.Response:
    data = {"title": "Draft model law", "language": "ru", **fields}
    return http.post(f"{API}/{pid}/documents", data=data, files={"file": (name, content)})


def stored(live_server: LiveServer) -> list[Path]:
    root = live_server.node.runtime.settings.data_dir / "documents"
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_upload_is_downloaded_byte_for_byte_as_a_sandboxed_attachment(
        live_server: LiveServer, ex: Exchange, project: str) -> None:
    content = docx("Проект модельного закона")
    with client(live_server, ex, "kz") as kz, client(live_server, ex, "ru") as ru:
        made = send(kz, project, content, "проект.docx", description="Для замечаний")
        assert made.status_code == 201, made.text
        doc = made.json()
        version = doc["versions"][0]
        assert version["sha256"] == hashlib.sha256(content).hexdigest()
        assert version["kind"] == "docx" and version["size"] == len(content)
        base = f"{API}/{project}/documents/{doc['id']}"
        got = ru.get(f"{base}/versions/1/file")
        assert got.status_code == 200 and got.content == content
        assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-sha256"] == version["sha256"]
        assert ru.get(f"{base}/versions").json()["versions"][0]["sha256"] == version["sha256"]
        assert kz.post(f"{base}/circulation").status_code == 200
        commented = ru.post(f"{base}/comments", json={"text": "Статья 2: уточнить термин"})
        assert commented.status_code == 201
        assert commented.json()["comments"][0]["party"] == "RUS"
        assert ru.post(f"{base}/agreements", json={"version": 1}).status_code == 201
        assert [d["id"] for d in ru.get(f"{API}/{project}/documents").json()["documents"]] \
            == [doc["id"]]
        events = ru.get(f"{base}/events").json()["events"]
        assert [e["origin_party"] for e in events] == ["KAZ", "KAZ", "RUS", "RUS"]


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(
        live_server: LiveServer, ex: Exchange, project: str) -> None:
    live_server.node.runtime.settings.max_document_bytes = 64 * 1024
    with client(live_server, ex, "kz") as kz:
        declared = send(kz, project, pdf(pad=5 * 1024 * 1024))
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"
        assert "KELISIM_MAX_DOCUMENT_BYTES" in declared.json()["detail"]

        def chunked() -> Iterator[bytes]:  # no Content-Length: refused while it streams
            boundary = b"--kelisimboundary\r\n"
            yield boundary + b'Content-Disposition: form-data; name="title"\r\n\r\nBig\r\n'
            yield boundary + b'Content-Disposition: form-data; name="language"\r\n\r\nru\r\n'
            yield boundary + (b'Content-Disposition: form-data; name="file"; '
                              b'filename="big.pdf"\r\n\r\n%PDF-1.4\n')
            for _ in range(8):
                yield b"0" * 16 * 1024
            assert not [p for p in stored(live_server) if p.parent.name != "incoming"]
            yield b"\r\n--kelisimboundary--\r\n"
        streamed = kz.post(f"{API}/{project}/documents", content=chunked(), headers={
            "content-type": "multipart/form-data; boundary=kelisimboundary"})
        assert streamed.status_code == 413
        assert kz.get(f"{API}/{project}/documents").json()["documents"] == []
    assert stored(live_server) == []


def test_a_file_that_is_not_a_document_by_content_is_400(
        live_server: LiveServer, ex: Exchange, project: str) -> None:
    with client(live_server, ex, "kz") as kz:
        refused = send(kz, project, b"<svg onload=alert(1)></svg>", "draft.pdf")
        assert refused.status_code == 400
        assert "not a PDF, DOCX or ODT" in refused.json()["detail"]
        secret = send(kz, project, pdf(), title="СОВЕРШЕННО СЕКРЕТНО")
        assert secret.status_code == 422 and secret.json()["article"] == "Art. 6"
        assert kz.post(f"{API}/{project}/documents", json={"title": "x"}).status_code == 400
    assert stored(live_server) == []


def test_a_restricted_document_is_404_for_a_party_it_does_not_name(
        live_server: LiveServer, ex: Exchange, project: str) -> None:
    with client(live_server, ex, "kz") as kz, client(live_server, ex, "ru") as ru, \
            client(live_server, ex, "by") as by:
        made = send(kz, project, pdf(), classification="restricted", restricted_to="RUS")
        assert made.status_code == 201, made.text
        base = f"{API}/{project}/documents/{made.json()['id']}"
        assert ru.get(base).status_code == 200
        missing = f"{API}/{project}/documents/00000000-0000-0000-0000-000000000000"
        for path in (base, f"{base}/versions", f"{base}/versions/1/file", f"{base}/events"):
            hidden, absent = by.get(path), by.get(path.replace(base, missing))
            assert hidden.status_code == absent.status_code == 404
            assert hidden.json()["title"] == absent.json()["title"]
        assert by.get(f"{API}/{project}/documents").json()["documents"] == []
        assert by.post(f"{base}/comments", json={"text": "x"}).status_code == 404
