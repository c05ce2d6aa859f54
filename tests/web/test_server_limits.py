"""The server `kelisim up` runs (web/server.py), on real sockets: request heads bounded in size
and time, connections bounded, forwarded headers trusted only from configured proxies."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
import pytest
import uvicorn

from kelisim.web.app import create_app
from kelisim.web.server import server_config
from tests.conftest import Node, free_port
from tests.web.ui_session import PASSWORD, account

MiB = 1024 * 1024
EN = {"Accept-Language": "en"}


@contextmanager
def serving(node: Node, **settings: Any) -> Iterator[int]:
    port = free_port()
    options = node.runtime.settings.model_copy(update={"port": port, **settings})
    server = uvicorn.Server(server_config(options, create_app(runtime=node.runtime)))
    server.config.lifespan = "off"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def send_huge_header(port: int, size: int) -> tuple[int, bytes]:
    """Stream a request whose one header is `size` bytes; how much was sent, what came back."""
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: kelisim\r\nX-Big: ")
        chunk = b"a" * (256 * 1024)
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
            answer = sock.recv(4096)
        except OSError:  # the server closed: the rest was refused (the answer may be lost)
            with suppress(OSError):
                answer = sock.recv(4096)
    return sent, answer


@pytest.mark.slow
def test_64_mb_headers_are_cut_off_early_and_a_normal_request_still_answers_at_once(
        node: Node) -> None:
    with serving(node) as port:
        results: list[tuple[int, bytes]] = []
        senders = [threading.Thread(target=lambda: results.append(
            send_huge_header(port, 64 * MiB))) for _ in range(8)]
        started = time.monotonic()
        for sender in senders:
            sender.start()
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        answered = time.monotonic() - started
        for sender in senders:
            sender.join(timeout=30)
        assert health.status_code == 200 and answered < 3, answered
        assert len(results) == 8
        for sent, answer in results:
            assert sent < 16 * MiB, sent  # the server stopped reading long before 64 MB
            assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:60]
        assert time.monotonic() - started < 10
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200


def test_a_head_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(
        node: Node) -> None:
    with serving(node, header_timeout=1.0) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        for byte in b"GET /health HTTP/1.1\r\nHost: ":  # a byte at a time, slowly
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert sock.recv(4096) == b""  # closed
        assert time.monotonic() - started < 4


def test_connections_beyond_the_limit_get_503_at_once_and_normal_service_returns(
        node: Node) -> None:
    with serving(node, max_connections=4, header_timeout=30.0) as port:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
        try:
            time.sleep(0.2)
            with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
                answer = extra.recv(4096)
            assert answer.startswith(b"HTTP/1.1 503"), answer
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200


def _sign_in(port: int, name: str, headers: dict[str, str]) -> httpx.Response:
    """A sign-in with the cookies carried by hand (a Secure cookie is not sent over http)."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                      headers={**EN, **headers}) as client:
        page = client.get("/signin")
        csrf_cookie = page.cookies["kelisim_csrf"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.cookies.clear()
        return client.post("/signin", headers={"Cookie": f"kelisim_csrf={csrf_cookie}"},
                           data={"csrf_token": token.group(1), "account": name,
                                 "password": PASSWORD, "next": "/status"})


def _session_cookie(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:300]
    return next(h for h in response.headers.get_list("set-cookie")
                if h.startswith("kelisim_session="))


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_forwarded_headers_are_ignored_by_default_so_they_buy_no_throttle_budget(
        node: Node) -> None:
    account(node.runtime, "Proxied", "analyst", "KAZ")
    with serving(node) as port:
        assert "Secure" not in _session_cookie(_sign_in(port, "Proxied", FORWARDED))
        answers = [_sign_in(port, f"nobody-{n}", {"X-Forwarded-For": f"198.51.100.{n}"})
                   for n in range(20)]
    assert [a.status_code for a in answers[:19]] == [200] * 19
    assert answers[-1].status_code == 429  # one address, however it calls itself


def test_behind_a_trusted_proxy_https_requests_get_secure_cookies(node: Node) -> None:
    account(node.runtime, "Behind", "analyst", "KAZ")
    with serving(node, proxy_headers=True, forwarded_allow_ips="127.0.0.1") as port:
        assert "Secure" in _session_cookie(_sign_in(port, "Behind", FORWARDED))
    with serving(node, proxy_headers=True, forwarded_allow_ips="192.0.2.1") as port:
        assert "Secure" not in _session_cookie(_sign_in(port, "Behind", FORWARDED))
