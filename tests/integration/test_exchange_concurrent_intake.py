"""Envelopes posted at once to one collection queue on its intake lock: each is stored inline in
its own transaction, every object gets its own date_added, and the `added_after` cursor of a
reader never skips an object committed after it read."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import orjson
import pytest

from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query
from kelisim.services.exchange import intake, reading
from tests.conftest import Node
from tests.exchange_support import indicator, setup_exchange

ENVELOPES, PER_ENVELOPE = 8, 25


def test_parallel_envelopes_each_get_their_own_date_added_range(
        node: Node, caplog: pytest.LogCaptureFixture) -> None:
    ex = setup_exchange(node)
    kz = ex.principals["kz"]
    envelopes = [[indicator(f"domain {e}-{i}") for i in range(PER_ENVELOPE)]
                 for e in range(ENVELOPES)]

    def post(objects: list[dict]) -> dict:
        return intake.add_objects(node.runtime, kz, ex.collection_id,
                                  orjson.dumps({"objects": objects}))

    with caplog.at_level(logging.ERROR), ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(post, envelopes))
    assert [s["status"] for s in statuses] == ["complete"] * ENVELOPES
    assert all(s["success_count"] == PER_ENVELOPE for s in statuses)
    # Stored inline, none through the queue's fallback after a failed transaction.
    assert not [r for r in caplog.records if "inline failed" in r.getMessage()]

    page = reading.read_page(node.runtime, ex.principals["ru"], ex.collection_id,
                             Query(limit=1000), Endpoint.OBJECTS)
    added = [row.date_added for row in page.rows]
    assert len(added) == len(set(added)) == ENVELOPES * PER_ENVELOPE
    # One envelope's objects are consecutive: each transaction took the whole range at once.
    by_envelope = {obj["id"]: n for n, objects in enumerate(envelopes) for obj in objects}
    order = [by_envelope[row.stix_id] for row in page.rows]
    runs = [order[0]] + [b for a, b in pairwise(order) if a != b]
    assert sorted(runs) == list(range(ENVELOPES))
