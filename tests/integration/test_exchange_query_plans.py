"""The hot TAXII reads use the indexes they were written for, on both databases (issue 4,
"Performance": a match[id] GET must not grow with the collection).

Plans are read with the database's own EXPLAIN for the exact statement and parameters the
repository sends. On PostgreSQL the table is analyzed first (as the intake does as it grows) and
sequential scans are disabled for the check, so a small test table is planned as a large one
would be; the assertions are only about which index is used and whether rows are sorted.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import event, text

from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import KNOWN_PARAMETERS, parse_query
from kelisim.services.exchange import intake, reading
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def store(ex: Exchange, count: int) -> list[dict[str, Any]]:
    objects = [indicator(f"n{i}") for i in range(count)]
    status = intake.add_objects(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                                orjson.dumps({"objects": objects}))
    assert status["success_count"] == count
    with ex.node.runtime.unit_of_work() as uow:
        if uow.connection.dialect.name == "postgresql":
            uow.connection.execute(text("ANALYZE exchange_objects"))
            uow.commit()
    return objects


def plan_of_page(ex: Exchange, params: dict[str, list[str]]) -> str:
    """EXPLAIN of the objects query a GET with these parameters sends."""
    rt = ex.node.runtime
    engine = rt.uow.engine
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM exchange_objects" in statement and "ORDER BY" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        reading.read_page(rt, ex.principals["kz"], ex.collection_id,
                          parse_query(params, allowed=KNOWN_PARAMETERS), Endpoint.OBJECTS)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) == 1
    statement, parameters = sent[0]
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_match_id_finds_the_id_through_its_index(ex: Exchange) -> None:
    objects = store(ex, 1000)
    plan = plan_of_page(ex, {"match[id]": [objects[7]["id"]]})
    main = plan.splitlines()[0] if ex.node.runtime.uow.engine.dialect.name == "sqlite" \
        else plan
    # the outer scan starts from the id, not from the collection's date_added order
    assert "producer_versions" in main, plan
    if ex.node.runtime.uow.engine.dialect.name == "sqlite":
        assert "exchange_objects_1" not in main, plan  # the (collection, date_added) key


def test_added_after_walks_the_date_added_key(ex: Exchange) -> None:
    store(ex, 1000)
    plan = plan_of_page(ex, {"added_after": ["2020-01-01T00:00:00Z"], "limit": ["5"]})
    if ex.node.runtime.uow.engine.dialect.name == "sqlite":
        first = plan.splitlines()[0]
        assert "exchange_objects_1" in first and "date_added>" in first, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort: the key gives the order
    else:
        assert "pk_exchange_objects" in plan and "Sort" not in plan, plan
