"""A collection's alias on both databases (issue 17): taken or empty is a refusal naming the
alias - 409 or 400 - never a 500, also when two creations race for the same alias."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.domain.errors import Conflict, InvalidInput, KelisimError
from kelisim.services.exchange.collections import create_collection
from kelisim.storage.exchange_records import ExchangeRecords
from tests.conftest import Node


def test_an_alias_taken_is_a_conflict(node: Node) -> None:
    create_collection(node.runtime, LOCAL_OPERATOR, title="KZ feed", alias="kz")
    with pytest.raises(Conflict) as taken:
        create_collection(node.runtime, LOCAL_OPERATOR, title="again", alias=" kz ")
    assert taken.value.details["field"] == "alias"


@pytest.mark.parametrize("alias", ["", "   ", "x" * 101])
def test_an_empty_or_overlong_alias_is_invalid_input(node: Node, alias: str) -> None:
    for _ in range(2):  # the second empty alias once hit the unique index
        with pytest.raises(InvalidInput) as refused:
            create_collection(node.runtime, LOCAL_OPERATOR, title="feed", alias=alias)
        assert refused.value.details["field"] == "alias"


def test_two_creations_racing_for_an_alias_give_one_conflict(node: Node) -> None:
    """The second creation checks before the first commits, then meets the unique index."""
    rt = node.runtime
    outcome: list[KelisimError | str] = []

    def second() -> None:
        try:
            create_collection(rt, LOCAL_OPERATOR, title="second", alias="race")
            outcome.append("created")
        except KelisimError as refusal:
            outcome.append(refusal)

    with rt.unit_of_work() as first:
        assert ExchangeRecords(first.connection).add_collection(
            id=str(uuid.uuid4()), title="first", alias="race", created_at=datetime.now(UTC))
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(1.0)  # the racer has checked the alias free and waits on the first's write
        first.commit()
    racer.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    titles = [c["title"] for c in _collections(node)]
    assert titles.count("first") == 1 and "second" not in titles


def _collections(node: Node) -> list[dict]:
    with node.runtime.unit_of_work() as uow:
        return ExchangeRecords(uow.connection).collections()
