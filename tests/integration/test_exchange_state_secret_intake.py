"""Art. 6 end to end, on both databases: an envelope in which any string of any object holds a
state-secret stamp (tests/stamp_strategies.py) is refused whole at intake, citing Art. 6, and
nothing of it - no object, no status, no job - is stored."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kelisim.domain.errors import RuleViolation
from kelisim.services.exchange import intake
from kelisim.storage.schema import exchange_jobs, exchange_objects, exchange_statuses
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange
from tests.stamp_strategies import objects_with_a_stamp


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _stored(ex: Exchange) -> tuple[int, ...]:
    with ex.node.runtime.unit_of_work() as uow:
        return tuple(uow.connection.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (exchange_objects, exchange_statuses, exchange_jobs))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stamped=objects_with_a_stamp(), position=st.integers(0, 2))
def test_an_envelope_with_a_stamp_anywhere_is_refused_and_nothing_is_stored(
        ex: Exchange, stamped: dict[str, Any], position: int) -> None:
    before = _stored(ex)
    objects = [indicator("fine one"), indicator("fine two")]
    objects.insert(position, stamped)
    with pytest.raises(RuleViolation) as refused:
        intake.accept_envelope(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                               orjson.dumps({"objects": objects}))
    assert refused.value.article == "Art. 6"
    assert refused.value.details["positions"] == [position]
    assert _stored(ex) == before
