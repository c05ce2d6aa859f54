"""Versions (TAXII 2.1 section 3.4, `match[version]`) under any order of posts and deletes, on
both databases: the stored `superseded` flag says exactly whether a later version is stored,
and `last` / `first` / `all` answer what the stored versions say."""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict

import orjson
import pytest
from sqlalchemy import select

from kelisim.domain.errors import NotFound
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query, version_key
from kelisim.services.exchange import intake, reading
from kelisim.storage.schema import exchange_objects as T
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange

IDS = [f"indicator--{n:08d}-1111-4111-8111-111111111111" for n in range(3)]


def stamp(minute: int) -> str:
    return f"2026-11-20T10:{minute:02d}:00.000Z"


def stored(ex: Exchange) -> dict[str, dict[str, bool]]:
    """id -> version -> superseded, as stored."""
    found: dict[str, dict[str, bool]] = defaultdict(dict)
    with ex.node.runtime.unit_of_work() as uow:
        for row in uow.connection.execute(select(T.c.stix_id, T.c.version, T.c.superseded)
                                          .where(T.c.collection_id == ex.collection_id)):
            found[row.stix_id][row.version] = bool(row.superseded)
    return found


def read(ex: Exchange, versions: str) -> dict[str, set[str]]:
    page = reading.read_page(ex.node.runtime, ex.principals["ru"], ex.collection_id,
                             Query(versions=(versions,), limit=10_000), Endpoint.OBJECTS)
    found: dict[str, set[str]] = defaultdict(set)
    for row in page.rows:
        found[row.stix_id].add(row.version)
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_superseded_and_version_filters_follow_any_history(node: Node, seed: int) -> None:
    ex = setup_exchange(node)
    rng = random.Random(seed)
    kz = ex.principals["kz"]
    for _ in range(30):
        if rng.random() < 0.7:  # an envelope of 1-3 versions, in any order, maybe repeated
            objects = [indicator(stix_id=rng.choice(IDS), modified=stamp(rng.randrange(8)))
                       for _ in range(rng.randint(1, 3))]
            for obj in objects:
                obj["created"] = stamp(0)
            intake.add_objects(node.runtime, kz, ex.collection_id,
                               orjson.dumps({"objects": objects}))
        else:  # the producer deletes one version
            stix_id, minute = rng.choice(IDS), rng.randrange(8)
            with contextlib.suppress(NotFound):  # that version may not be stored
                reading.delete_object(node.runtime, kz, ex.collection_id, stix_id,
                                      Query(versions=(version_key(stamp(minute)),)))
        versions = stored(ex)
        for by_version in versions.values():
            newest = max(by_version)
            assert by_version == {v: v != newest for v in by_version}
        assert read(ex, "last") == {i: {max(v)} for i, v in versions.items()}
        assert read(ex, "first") == {i: {min(v)} for i, v in versions.items()}
        assert read(ex, "all") == {i: set(v) for i, v in versions.items()}
