"""The checks of posted objects give the same verdicts whether a worker process or the requesting
process runs them, and a refusal (Art. 6) found in a worker's share refuses the whole envelope."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from bench.taxii_workload import envelope

from kelisim.domain.errors import RuleViolation
from kelisim.services.exchange import intake
from kelisim.services.exchange.screening import Screener, check_here
from kelisim.storage.exchange_objects import ObjectsRepository
from tests.conftest import Node
from tests.exchange_support import indicator, setup_exchange, state_secret


def mixed_objects() -> list[Any]:
    """Valid workload objects with broken ones and Art. 6 refusals spread through them."""
    objects: list[Any] = orjson.loads(orjson.dumps(envelope(11, 0, size=400)))
    broken = copy.deepcopy(objects[5])
    broken.pop("id")
    stamped = indicator("report")
    stamped["description"] = "СОВЕРШЕННО СЕКРЕТНО\nЭкз. № 1"
    bad_pattern = indicator("bad pattern")
    bad_pattern["pattern"] = "[domain-name:value = 'x'"
    extras: list[Any] = [broken, stamped, bad_pattern, state_secret(), "not an object", 7, None,
                         {"type": "indicator"}, {**indicator("unicode"), "name": "Құпия сөз"}]
    for offset, extra in enumerate(extras):
        objects.insert(40 * offset + 17, extra)
    return objects


@pytest.fixture
def screener() -> Iterator[Screener]:
    shared = Screener(processes=2, smallest_shared=1)
    shared.start()
    yield shared
    shared.close()


def test_workers_and_the_requesting_process_give_the_same_verdicts(screener: Screener) -> None:
    objects = mixed_objects()
    expected = check_here(objects)
    assert screener.check(objects) == expected
    assert sum(v.secret for v in expected) == 2 and sum(bool(v.errors) for v in expected) >= 6
    assert screener.processes == 2  # the workers were used, not dropped


def test_concurrent_requests_each_get_their_own_verdicts(screener: Screener) -> None:
    batches = [mixed_objects()[i:] for i in range(0, 40, 5)]
    results: dict[int, Any] = {}

    def run(i: int) -> None:
        results[i] = screener.check(batches[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == check_here(batches[i]) for i in range(len(batches)))


def test_a_dead_worker_changes_no_verdict(screener: Screener) -> None:
    objects = mixed_objects()
    for worker in list(screener._all):
        worker.process.kill()
        worker.process.join()
    assert screener.check(objects) == check_here(objects)
    assert screener.processes == 0  # from now on everything is checked in this process
    assert screener.check(objects) == check_here(objects)


def test_a_stamp_in_a_workers_share_refuses_the_whole_envelope(node: Node) -> None:
    exchange = setup_exchange(node)
    node.runtime.screener = Screener(processes=1, smallest_shared=10)
    objects = orjson.loads(orjson.dumps(envelope(12, 0, size=600)))
    stamped = objects[550]  # in the second half: the worker's share
    stamped["description"] = "«Секретно»"
    body = orjson.dumps({"objects": objects})
    with pytest.raises(RuleViolation) as refused:
        intake.add_objects(node.runtime, exchange.principals["kz"], "main", body)
    assert refused.value.article == "Art. 6" and "550" in refused.value.reason
    assert "Секретно" not in refused.value.reason
    with node.runtime.unit_of_work() as uow:
        assert not ObjectsRepository(uow.connection).stored_versions(
            exchange.collection_id, [o["id"] for o in objects])
    objects[550]["description"] = "a secret key was found"  # not a stamp: accepted whole
    status = intake.add_objects(node.runtime, exchange.principals["kz"], "main",
                                orjson.dumps({"objects": objects}))
    assert status["success_count"] == 600 and status["failure_count"] == 0


def _nested(depth: int) -> dict[str, Any]:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return {**indicator("deep"), "x_deep": value}


@pytest.mark.parametrize("depth", [40, 300], ids=["beyond-the-limit", "beyond-what-a-pipe-carries"])
def test_an_object_too_deep_to_store_is_a_verdict_and_keeps_the_workers(
        screener: Screener, depth: int) -> None:
    """The storable-JSON limits (depth, NaN, 2**53) are part of each verdict, so workers share
    their cost; an object too deep for the pipe is checked in the requesting process and the
    worker that would have had it stays (issue 17)."""
    objects = mixed_objects()
    objects.insert(350, _nested(depth))
    verdicts = screener.check(objects)
    assert verdicts == check_here(objects)
    assert [i for i, v in enumerate(verdicts) if v.unstorable] == [350]
    assert "levels deep" in (verdicts[350].unstorable or "")
    assert screener.processes == 2 and len(screener._all) == 2
    assert screener.check(mixed_objects()) == check_here(mixed_objects())
