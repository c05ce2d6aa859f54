"""Versions (TAXII 2.1 section 3.4, `match[version]`) under any order of posts and deletes, on
both databases: the stored `superseded` flag says exactly whether a later version is stored,
and `last` / `first` / `all` answer what the stored versions say."""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict

import orjson
import pytest
from alembic import command
from sqlalchemy import insert, select, update

from kelisim.domain.errors import NotFound
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query, version_key
from kelisim.services.exchange import intake, reading
from kelisim.storage.database import alembic_config, upgrade
from kelisim.storage.schema import exchange_objects as T
from kelisim.storage.schema import exchange_tombstones
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


OLD, NEW = "0999-05-01T10:00:00.000Z", "2020-01-01T00:00:00.000Z"
OLD_KEY, NEW_KEY = "0999-05-01T10:00:00.000000Z", "2020-01-01T00:00:00.000000Z"


def post_two_versions(ex: Exchange) -> None:
    objects = [indicator(stix_id=IDS[0], modified=stamp_) for stamp_ in (OLD, NEW)]
    for obj in objects:
        obj["created"] = OLD
    status = intake.add_objects(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                                orjson.dumps({"objects": objects}))
    assert status["success_count"] == 2, status


def test_a_version_before_the_year_1000_is_older_than_later_ones(node: Node) -> None:
    ex = setup_exchange(node)
    post_two_versions(ex)
    assert stored(ex) == {IDS[0]: {OLD_KEY: True, NEW_KEY: False}}
    assert read(ex, "last") == {IDS[0]: {NEW_KEY}}
    assert read(ex, "first") == {IDS[0]: {OLD_KEY}}


def test_migration_0006_pads_the_versions_stored_before_it(node: Node) -> None:
    """Rows as the earlier code stored them - "999-..." taken for the latest version - come out
    of the migration padded, with their `superseded` flags worked out again."""
    ex = setup_exchange(node)
    post_two_versions(ex)
    engine = node.runtime.uow.engine
    with engine.begin() as conn:
        conn.execute(update(T).where(T.c.version == OLD_KEY)
                     .values(version=OLD_KEY[1:], superseded=False))
        conn.execute(update(T).where(T.c.version == NEW_KEY).values(superseded=True))
        conn.execute(insert(exchange_tombstones).values(
            collection_id=ex.collection_id, stix_id=IDS[1], version="0099-01-01T00:00:00Z"[2:],
            producer_party="KAZ", deleted_by=1, deleted_at=node.clock()))
    assert read(ex, "last") == {IDS[0]: {OLD_KEY[1:]}}  # what the old keys made of it
    command.stamp(alembic_config(engine), "0005")
    command.upgrade(alembic_config(engine), "0006")  # 0006 alone: later ones' tables exist
    command.stamp(alembic_config(engine), "head")
    upgrade(engine)
    assert stored(ex) == {IDS[0]: {OLD_KEY: True, NEW_KEY: False}}
    assert read(ex, "last") == {IDS[0]: {NEW_KEY}}
    with engine.connect() as conn:
        assert conn.execute(select(exchange_tombstones.c.version)).scalars().all() == [
            "0099-01-01T00:00:00Z"]
