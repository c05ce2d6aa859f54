"""Art. 6 as a property: any text that holds a stamp, put anywhere in any string of a valid
object, gets the object refused (tests/integration/test_exchange_state_secret_intake.py posts
such objects through intake and finds nothing stored)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from kelisim.domain.stix.state_secrets import has_stamp, state_secret_reason
from tests.stamp_strategies import objects_with_a_stamp, stamped_texts


@settings(max_examples=600, deadline=None)
@given(stamped_texts())
def test_any_text_holding_a_stamp_is_stamped(text: str) -> None:
    assert has_stamp(text)


@settings(max_examples=400, deadline=None)
@given(objects_with_a_stamp())
def test_a_stamp_anywhere_in_an_object_refuses_it(obj: dict[str, Any]) -> None:
    reason = state_secret_reason(obj)
    assert reason is not None and "Art. 6" in reason
