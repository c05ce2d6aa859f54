"""Fixtures of the HTTP suites."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client of the live server, with no credentials (a suite may define its own)."""
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http
