"""Hypothesis-made TAXII envelopes over real HTTP on SQLite and PostgreSQL (issue 13 "Done
means"): whatever an authorized body posts - objects with missing or wrong-typed properties,
unknown types, NUL characters, huge or fractional numbers, deep nesting, odd ids - the answer
is a TAXII 2.1 answer, never a 500: 202 with a status resource whose counts add up to the
envelope's objects and match what a read then returns, or a 4xx TAXII error that stores nothing.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange

pytestmark = pytest.mark.slow

TAXII = "application/taxii+json;version=2.1"

scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12),
    st.text(alphabet=st.sampled_from("a\x00-—ё\u202e\ufeff"), max_size=6),
    st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["2026-11-20T10:00:00.000Z", "2026-13-40T99:00:00Z", "indicator--x",
                     f"indicator--{'0' * 8}-0000-4000-8000-{'0' * 12}", "", "2.0", "2.1"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12)
properties = st.sampled_from(["type", "id", "spec_version", "created", "modified", "name",
                              "pattern", "pattern_type", "valid_from", "object_marking_refs",
                              "extensions", "labels", "x_extra", "revoked", "confidence"])


@st.composite
def objects(draw: st.DrawFn) -> Any:
    """A well-formed indicator with a few properties removed, replaced or added - or junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    obj: dict[str, Any] = indicator(draw(st.text(max_size=10)))
    for name in draw(st.lists(properties, max_size=3)):
        if draw(st.booleans()):
            obj.pop(name, None)
        else:
            obj[name] = draw(values)
    return obj


envelopes = st.one_of(
    st.fixed_dictionaries({"objects": st.lists(objects(), max_size=4)}),
    st.fixed_dictionaries({"objects": st.lists(objects(), max_size=2)},
                          optional={"more": values, "next": values}),
    values)


@pytest.fixture
def ex(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def _status(http: httpx.Client, status_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        status = http.get(f"/taxii2/api1/status/{status_id}/")
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        if body["status"] == "complete" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(envelope=envelopes)
def test_any_envelope_gets_a_taxii_answer_and_counts_that_add_up(
        live_server: LiveServer, ex: Exchange, envelope: Any) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=30, headers={
            "Authorization": f"Bearer {ex.tokens['kz']}", "Accept": TAXII,
            "Content-Type": TAXII}) as http:
        collection = f"/taxii2/api1/collections/{ex.collection_id}/objects/"
        before = http.get(collection, params={"match[version]": "all"}).json()
        posted = http.post(collection, content=json.dumps(envelope).encode())  # ints > 2**64 too
        assert posted.status_code in (202, 400, 413, 422), (posted.status_code, posted.text)
        assert posted.headers["content-type"].startswith("application/taxii+json")
        event(f"HTTP {posted.status_code}")
        after = http.get(collection, params={"match[version]": "all"})
        assert after.status_code == 200, after.text
        stored_before = len(before.get("objects", []))
        stored_after = len(after.json().get("objects", []))
        if posted.status_code != 202:
            assert posted.json()["http_status"] == str(posted.status_code)
            assert stored_after == stored_before
            return
        status = _status(http, posted.json()["id"])
        assert status["status"] == "complete", status
        assert status["total_count"] == len(envelope.get("objects", []))
        assert status["success_count"] + status["failure_count"] == status["total_count"]
        assert status["pending_count"] == 0
        event("some objects stored" if status["success_count"] else "none stored")
        assert len(status.get("successes", [])) == status["success_count"]
        assert len(status.get("failures", [])) == status["failure_count"]
        assert stored_after <= stored_before + status["success_count"]
